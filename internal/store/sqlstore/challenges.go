package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const challengeCols = `tenant_id, id, email, name, user_id, auth_request_id, browser_hash, pin_hash, link_hash,
	attempts, pin_expires_at, link_expires_at, consumed_at, created_at`

func scanChallenge(sc scanner) (*idp.LoginChallenge, error) {
	var c idp.LoginChallenge
	err := sc.Scan(&c.TenantID, &c.ID, &c.Email, &c.Name, str(&c.UserID), &c.AuthRequestID, &c.BrowserHash,
		&c.PINHash, &c.LinkHash, &c.Attempts, ts(&c.PINExpiresAt), ts(&c.LinkExpiresAt),
		nullTS(&c.ConsumedAt), ts(&c.CreatedAt))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateLoginChallenge stores a challenge (hashes only); idp.ErrNotFound if
// its user is absent, idp.ErrConflict on a duplicate id or link hash.
func (s *Store) CreateLoginChallenge(ctx context.Context, tenantID string, c *idp.LoginChallenge) error {
	_, err := s.writer().exec(ctx, `INSERT INTO login_challenges (`+challengeCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, c.ID, c.Email, c.Name, nullString(c.UserID), c.AuthRequestID, c.BrowserHash,
		nullBytes(c.PINHash), nullBytes(c.LinkHash), c.Attempts, c.PINExpiresAt, c.LinkExpiresAt,
		c.ConsumedAt, c.CreatedAt)
	return s.wrap("create login challenge", err)
}

// GetLoginChallenge returns it by id or idp.ErrNotFound.
func (s *Store) GetLoginChallenge(ctx context.Context, tenantID, id string) (*idp.LoginChallenge, error) {
	c, err := scanChallenge(s.reader().row(ctx, `SELECT `+challengeCols+` FROM login_challenges
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return c, s.wrap("get login challenge", err)
}

// GetLoginChallengeByLink returns it by the magic link's hash or
// idp.ErrNotFound.
func (s *Store) GetLoginChallengeByLink(ctx context.Context, tenantID string, linkHash []byte) (*idp.LoginChallenge, error) {
	if len(linkHash) == 0 {
		return nil, s.wrap("get login challenge by link", idp.ErrNotFound)
	}
	c, err := scanChallenge(s.reader().row(ctx, `SELECT `+challengeCols+` FROM login_challenges
		WHERE tenant_id = ? AND link_hash = ?`, tenantID, linkHash))
	return c, s.wrap("get login challenge by link", err)
}

// RecordPINFailure atomically increments the attempt counter and returns
// the new count; idp.ErrNotFound if absent. A single UPDATE … RETURNING
// cannot lose an increment to a concurrent one.
func (s *Store) RecordPINFailure(ctx context.Context, tenantID, id string) (int, error) {
	var n int
	err := s.writer().row(ctx, `UPDATE login_challenges SET attempts = attempts + 1
		WHERE tenant_id = ? AND id = ? RETURNING attempts`, tenantID, id).Scan(&n)
	return n, s.wrap("record pin failure", err)
}

// ConsumeLoginChallenge atomically marks the challenge used; its link and
// PIN are single-use together. idp.ErrAlreadyUsed if it already was,
// idp.ErrNotFound if absent.
func (s *Store) ConsumeLoginChallenge(ctx context.Context, tenantID, id string, at time.Time) error {
	return s.tx(ctx, "consume login challenge", func(d runner) error {
		n, err := d.execN(ctx, `UPDATE login_challenges SET consumed_at = ?
			WHERE tenant_id = ? AND id = ? AND consumed_at IS NULL`, at, tenantID, id)
		if err != nil || n == 1 {
			return err
		}
		var one int
		if err := d.row(ctx, `SELECT 1 FROM login_challenges WHERE tenant_id = ? AND id = ?`,
			tenantID, id).Scan(&one); err != nil {
			return err
		}
		return idp.ErrAlreadyUsed
	})
}

// GetConsent returns the user's consent for a client or idp.ErrNotFound.
func (s *Store) GetConsent(ctx context.Context, tenantID, userID, clientID string) (*idp.Consent, error) {
	var c idp.Consent
	err := s.reader().row(ctx, `SELECT tenant_id, user_id, client_id, scopes, created_at, updated_at
		FROM consents WHERE tenant_id = ? AND user_id = ? AND client_id = ?`, tenantID, userID, clientID).
		Scan(&c.TenantID, &c.UserID, &c.ClientID, jsonOf(&c.Scopes), ts(&c.CreatedAt), ts(&c.UpdatedAt))
	if err != nil {
		return nil, s.wrap("get consent", err)
	}
	return &c, nil
}

// PutConsent creates or replaces a consent (an existing one keeps its
// creation time); idp.ErrNotFound if the user or client is absent.
func (s *Store) PutConsent(ctx context.Context, tenantID string, c *idp.Consent) error {
	_, err := s.writer().exec(ctx, `INSERT INTO consents (tenant_id, user_id, client_id, scopes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, user_id, client_id) DO UPDATE SET scopes = excluded.scopes,
			updated_at = excluded.updated_at`,
		tenantID, c.UserID, c.ClientID, jsonList(c.Scopes), c.CreatedAt, c.UpdatedAt)
	return s.wrap("put consent", err)
}

// DeleteConsent removes a consent and revokes the client's grants for the
// user (with their access-token records); idp.ErrNotFound if absent.
func (s *Store) DeleteConsent(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	return s.tx(ctx, "delete consent", func(d runner) error {
		n, err := d.execN(ctx, `DELETE FROM consents WHERE tenant_id = ? AND user_id = ? AND client_id = ?`,
			tenantID, userID, clientID)
		if err := affected(n, err); err != nil {
			return err
		}
		return revokeUserGrants(ctx, d, tenantID, userID, clientID, at)
	})
}

// ListConsents lists a user's consents (their connected apps) by client id.
func (s *Store) ListConsents(ctx context.Context, tenantID, userID string) ([]idp.Consent, error) {
	rows, err := s.reader().query(ctx, `SELECT tenant_id, user_id, client_id, scopes, created_at, updated_at
		FROM consents WHERE tenant_id = ? AND user_id = ? ORDER BY client_id`, tenantID, userID)
	if err != nil {
		return nil, s.wrap("list consents", err)
	}
	defer rows.Close()
	var out []idp.Consent
	for rows.Next() {
		var c idp.Consent
		if err := rows.Scan(&c.TenantID, &c.UserID, &c.ClientID, jsonOf(&c.Scopes),
			ts(&c.CreatedAt), ts(&c.UpdatedAt)); err != nil {
			return nil, s.wrap("list consents", err)
		}
		out = append(out, c)
	}
	return out, s.wrap("list consents", rows.Err())
}
