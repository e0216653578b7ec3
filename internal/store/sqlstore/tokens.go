package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

const codeCols = `tenant_id, hash, client_id, user_id, session_id, redirect_uri, scope, audience, nonce,
	code_challenge, code_challenge_method, auth_time, amr, grant_id, created_at, expires_at, consumed_at`

func scanCode(sc scanner) (*idp.AuthCode, error) {
	var c idp.AuthCode
	err := sc.Scan(&c.TenantID, &c.Hash, &c.ClientID, &c.UserID, &c.SessionID, &c.RedirectURI,
		jsonOf(&c.Scope), jsonOf(&c.Audience), &c.Nonce, &c.CodeChallenge, &c.CodeChallengeMethod,
		ts(&c.AuthTime), jsonOf(&c.AMR), str(&c.GrantID), ts(&c.CreatedAt), ts(&c.ExpiresAt),
		nullTS(&c.ConsumedAt))
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateAuthCode stores a freshly issued code (its hash); idp.ErrNotFound
// if its user or client is absent.
func (s *Store) CreateAuthCode(ctx context.Context, tenantID string, c *idp.AuthCode) error {
	_, err := s.writer().exec(ctx, `INSERT INTO auth_codes (`+codeCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, c.Hash, c.ClientID, c.UserID, c.SessionID, c.RedirectURI, jsonList(c.Scope),
		jsonList(c.Audience), c.Nonce, c.CodeChallenge, c.CodeChallengeMethod, c.AuthTime,
		jsonList(c.AMR), nullString(c.GrantID), c.CreatedAt, c.ExpiresAt, c.ConsumedAt)
	return s.wrap("create auth code", err)
}

// GetAuthCode returns a code (consumed or not) or idp.ErrNotFound.
func (s *Store) GetAuthCode(ctx context.Context, tenantID, hash string) (*idp.AuthCode, error) {
	c, err := scanCode(s.reader().row(ctx, `SELECT `+codeCols+` FROM auth_codes
		WHERE tenant_id = ? AND hash = ?`, tenantID, hash))
	return c, s.wrap("get auth code", err)
}

// BurnAuthCode marks a code consumed without issuing anything (a wrong
// PKCE verifier burns the code, RFC 9700 §4.8). Burning a consumed code
// changes nothing; idp.ErrNotFound if absent.
func (s *Store) BurnAuthCode(ctx context.Context, tenantID, hash string, at time.Time) error {
	n, err := s.writer().execN(ctx, `UPDATE auth_codes SET consumed_at = COALESCE(consumed_at, ?)
		WHERE tenant_id = ? AND hash = ?`, at, tenantID, hash)
	return s.wrap("burn auth code", affected(n, err))
}

// RedeemAuthCode atomically marks the code consumed, records iss.Grant.ID
// on it and inserts the grant, the refresh token (if any) and the access
// record, all tied to that grant. A code presented again revokes the grant
// its first redemption created (RFC 6749 §4.1.2) and gives
// idp.ErrAlreadyUsed; an expired code gives idp.ErrExpired.
func (s *Store) RedeemAuthCode(ctx context.Context, tenantID, hash string, at time.Time, iss store.Issue) error {
	if iss.Grant == nil || iss.Grant.ID == "" {
		return s.wrap("redeem auth code", idp.Invalid("grant", "is required"))
	}
	return s.groupTx(ctx, "redeem auth code", func(ctx context.Context, d runner) error {
		// The row lock makes a concurrent redemption wait and then see
		// consumed_at set.
		c, err := scanCode(d.row(ctx, `SELECT `+codeCols+` FROM auth_codes
			WHERE tenant_id = ? AND hash = ?`+s.forUpdate(), tenantID, hash))
		if err != nil {
			return err
		}
		if c.ConsumedAt != nil {
			if c.GrantID != "" {
				if err := revokeGrant(ctx, d, tenantID, c.GrantID, at); err != nil {
					return err
				}
			}
			return commitThen(idp.ErrAlreadyUsed)
		}
		if !at.Before(c.ExpiresAt) {
			return idp.ErrExpired
		}
		// The grant must continue what the code authorised.
		if iss.Grant.ClientID != c.ClientID || iss.Grant.UserID != c.UserID {
			return idp.Invalid("grant", "does not match the code's client and user")
		}
		n, err := d.execN(ctx, `UPDATE auth_codes SET consumed_at = ?, grant_id = ?
			WHERE tenant_id = ? AND hash = ? AND consumed_at IS NULL`, at, iss.Grant.ID, tenantID, hash)
		if err != nil {
			return err
		}
		if n != 1 {
			// Unreachable under the row lock; never issue twice.
			return idp.ErrAlreadyUsed
		}
		iss.Grant.TenantID = tenantID
		if err := insertGrant(ctx, d, iss.Grant); err != nil {
			return err
		}
		return insertIssued(ctx, d, tenantID, iss.Grant.ID, iss)
	})
}

func insertGrant(ctx context.Context, d runner, g *idp.Grant) error {
	_, err := d.exec(ctx, `INSERT INTO grants (tenant_id, id, client_id, user_id, session_id, scope,
		audience, auth_time, amr, created_at, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.TenantID, g.ID, g.ClientID, g.UserID, g.SessionID, jsonList(g.Scope), jsonList(g.Audience),
		g.AuthTime, jsonList(g.AMR), g.CreatedAt, g.ExpiresAt, g.RevokedAt)
	return err
}

// insertIssued stores iss.Refresh and iss.Access as members of grantID
// (their GrantID and TenantID are set to match).
func insertIssued(ctx context.Context, d runner, tenantID, grantID string, iss store.Issue) error {
	if r := iss.Refresh; r != nil {
		r.TenantID, r.GrantID = tenantID, grantID
		if _, err := d.exec(ctx, `INSERT INTO refresh_tokens (tenant_id, hash, grant_id, client_id, scope,
			created_at, expires_at, rotated_at, successor_hash, reuse_count)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, r.Hash, grantID, r.ClientID, jsonList(r.Scope), r.CreatedAt, r.ExpiresAt,
			r.RotatedAt, r.SuccessorHash, r.ReuseCount); err != nil {
			return err
		}
	}
	if a := iss.Access; a != nil {
		a.TenantID, a.GrantID = tenantID, grantID
		if err := insertAccess(ctx, d, a); err != nil {
			return err
		}
	}
	return nil
}

func insertAccess(ctx context.Context, d runner, a *idp.AccessTokenRecord) error {
	_, err := d.exec(ctx, `INSERT INTO access_tokens (tenant_id, jti, grant_id, client_id, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		a.TenantID, a.JTI, nullString(a.GrantID), a.ClientID, a.ExpiresAt, a.RevokedAt)
	return err
}

const grantCols = `tenant_id, id, client_id, user_id, session_id, scope, audience, auth_time, amr,
	created_at, expires_at, revoked_at`

func scanGrant(sc scanner, prefix ...any) (*idp.Grant, error) {
	var g idp.Grant
	dest := append(prefix, &g.TenantID, &g.ID, &g.ClientID, &g.UserID, &g.SessionID,
		jsonOf(&g.Scope), jsonOf(&g.Audience), ts(&g.AuthTime), jsonOf(&g.AMR), ts(&g.CreatedAt),
		ts(&g.ExpiresAt), nullTS(&g.RevokedAt))
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	return &g, nil
}

// GetGrant returns a grant (revoked or not) or idp.ErrNotFound.
func (s *Store) GetGrant(ctx context.Context, tenantID, grantID string) (*idp.Grant, error) {
	g, err := scanGrant(s.reader().row(ctx, `SELECT `+grantCols+` FROM grants
		WHERE tenant_id = ? AND id = ?`, tenantID, grantID))
	return g, s.wrap("get grant", err)
}

// revokeGrant revokes a grant and the access records of its family; the
// refresh tokens die with it (every use checks the grant). Revoking twice
// keeps the first time.
func revokeGrant(ctx context.Context, d runner, tenantID, grantID string, at time.Time) error {
	n, err := d.execN(ctx, `UPDATE grants SET revoked_at = COALESCE(revoked_at, ?)
		WHERE tenant_id = ? AND id = ?`, at, tenantID, grantID)
	if err := affected(n, err); err != nil {
		return err
	}
	_, err = d.exec(ctx, `UPDATE access_tokens SET revoked_at = ?
		WHERE tenant_id = ? AND grant_id = ? AND revoked_at IS NULL`, at, tenantID, grantID)
	return err
}

// RevokeGrant revokes a grant with all its refresh tokens and access
// records (RFC 7009 §2.1); idp.ErrNotFound if absent.
func (s *Store) RevokeGrant(ctx context.Context, tenantID, grantID string, at time.Time) error {
	return s.tx(ctx, "revoke grant", func(d runner) error {
		return revokeGrant(ctx, d, tenantID, grantID, at)
	})
}

// revokeUserGrants revokes every live grant of a user (only the client's
// when clientID is not empty) and their access records.
func revokeUserGrants(ctx context.Context, d runner, tenantID, userID, clientID string, at time.Time) error {
	filter, args := ``, []any{tenantID, userID}
	if clientID != "" {
		filter, args = ` AND client_id = ?`, append(args, clientID)
	}
	if _, err := d.exec(ctx, `UPDATE access_tokens SET revoked_at = ?
		WHERE tenant_id = ? AND revoked_at IS NULL AND grant_id IN
			(SELECT id FROM grants WHERE tenant_id = ? AND user_id = ?`+filter+`)`,
		append([]any{at, tenantID}, args...)...); err != nil {
		return err
	}
	_, err := d.exec(ctx, `UPDATE grants SET revoked_at = ?
		WHERE tenant_id = ? AND user_id = ?`+filter+` AND revoked_at IS NULL`,
		append([]any{at}, args...)...)
	return err
}

// RevokeUserGrants revokes every grant of a user, or only those of one
// client when clientID is not empty.
func (s *Store) RevokeUserGrants(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	return s.tx(ctx, "revoke user grants", func(d runner) error {
		return revokeUserGrants(ctx, d, tenantID, userID, clientID, at)
	})
}

// ListUserGrants lists a user's live grants (not revoked, not expired at
// now), oldest first.
func (s *Store) ListUserGrants(ctx context.Context, tenantID, userID string, now time.Time) ([]idp.Grant, error) {
	rows, err := s.reader().query(ctx, `SELECT `+grantCols+` FROM grants
		WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
		ORDER BY created_at, id`, tenantID, userID, now)
	if err != nil {
		return nil, s.wrap("list user grants", err)
	}
	defer rows.Close()
	var out []idp.Grant
	for rows.Next() {
		g, err := scanGrant(rows)
		if err != nil {
			return nil, s.wrap("list user grants", err)
		}
		out = append(out, *g)
	}
	return out, s.wrap("list user grants", rows.Err())
}
