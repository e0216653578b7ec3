package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const sessionCols = `tenant_id, id, user_id, auth_time, amr, created_at, last_seen, expires_at, revoked_at`

func scanSession(sc scanner) (*idp.Session, error) {
	var x idp.Session
	err := sc.Scan(&x.TenantID, &x.ID, &x.UserID, ts(&x.AuthTime), jsonOf(&x.AMR), ts(&x.CreatedAt),
		ts(&x.LastSeen), ts(&x.ExpiresAt), nullTS(&x.RevokedAt))
	if err != nil {
		return nil, err
	}
	return &x, nil
}

// CreateSession inserts a login session; idp.ErrNotFound if its user is
// absent, idp.ErrConflict on a duplicate id.
func (s *Store) CreateSession(ctx context.Context, tenantID string, x *idp.Session) error {
	_, err := s.writer().exec(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, x.ID, x.UserID, x.AuthTime, jsonList(x.AMR), x.CreatedAt, x.LastSeen,
		x.ExpiresAt, x.RevokedAt)
	return s.wrap("create session", err)
}

// GetSession returns the session (revoked or not) or idp.ErrNotFound.
func (s *Store) GetSession(ctx context.Context, tenantID, id string) (*idp.Session, error) {
	x, err := scanSession(s.reader().row(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return x, s.wrap("get session", err)
}

// TouchSession sets LastSeen; idp.ErrNotFound if absent.
func (s *Store) TouchSession(ctx context.Context, tenantID, id string, at time.Time) error {
	n, err := s.writer().execN(ctx, `UPDATE sessions SET last_seen = ? WHERE tenant_id = ? AND id = ?`,
		at, tenantID, id)
	return s.wrap("touch session", affected(n, err))
}

// RevokeSession ends one session; revoking it again keeps the first time.
// idp.ErrNotFound if absent.
func (s *Store) RevokeSession(ctx context.Context, tenantID, id string, at time.Time) error {
	n, err := s.writer().execN(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?)
		WHERE tenant_id = ? AND id = ?`, at, tenantID, id)
	return s.wrap("revoke session", affected(n, err))
}

// RevokeUserSessions ends every live session of a user and returns how many.
func (s *Store) RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) (int, error) {
	n, err := s.writer().execN(ctx, `UPDATE sessions SET revoked_at = ?
		WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL`, at, tenantID, userID)
	return int(n), s.wrap("revoke user sessions", err)
}

// ListUserSessions lists a user's live sessions (not revoked, not expired
// at now), oldest first.
func (s *Store) ListUserSessions(ctx context.Context, tenantID, userID string, now time.Time) ([]idp.Session, error) {
	rows, err := s.reader().query(ctx, `SELECT `+sessionCols+` FROM sessions
		WHERE tenant_id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?
		ORDER BY created_at, id`, tenantID, userID, now)
	if err != nil {
		return nil, s.wrap("list user sessions", err)
	}
	defer rows.Close()
	var out []idp.Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, s.wrap("list user sessions", err)
		}
		out = append(out, *x)
	}
	return out, s.wrap("list user sessions", rows.Err())
}

const authRequestCols = `tenant_id, id, client_id, redirect_uri, response_mode, scope, state, nonce,
	code_challenge, code_challenge_method, prompt, max_age, login_hint, resource, issuer,
	consent_given, created_at, expires_at`

// CreateAuthRequest parks an authorization request; idp.ErrNotFound if its
// client is absent.
func (s *Store) CreateAuthRequest(ctx context.Context, tenantID string, r *idp.AuthRequest) error {
	var maxAge any
	if r.MaxAge != nil {
		maxAge = *r.MaxAge
	}
	_, err := s.writer().exec(ctx, `INSERT INTO auth_requests (`+authRequestCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, r.ID, r.ClientID, r.RedirectURI, r.ResponseMode, jsonList(r.Scope), r.State, r.Nonce,
		r.CodeChallenge, r.CodeChallengeMethod, jsonList(r.Prompt), maxAge, r.LoginHint,
		jsonList(r.Resource), r.Issuer, r.ConsentGiven, r.CreatedAt, r.ExpiresAt)
	return s.wrap("create auth request", err)
}

// GetAuthRequest returns the request, idp.ErrNotFound, or idp.ErrExpired
// once now has reached its expiry.
func (s *Store) GetAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (*idp.AuthRequest, error) {
	var r idp.AuthRequest
	var maxAge *int64
	err := s.reader().row(ctx, `SELECT `+authRequestCols+` FROM auth_requests
		WHERE tenant_id = ? AND id = ?`, tenantID, id).Scan(
		&r.TenantID, &r.ID, &r.ClientID, &r.RedirectURI, &r.ResponseMode, jsonOf(&r.Scope), &r.State,
		&r.Nonce, &r.CodeChallenge, &r.CodeChallengeMethod, jsonOf(&r.Prompt), &maxAge, &r.LoginHint,
		jsonOf(&r.Resource), &r.Issuer, &r.ConsentGiven, ts(&r.CreatedAt), ts(&r.ExpiresAt))
	if err != nil {
		return nil, s.wrap("get auth request", err)
	}
	if maxAge != nil {
		v := int(*maxAge)
		r.MaxAge = &v
	}
	if !now.Before(r.ExpiresAt) {
		return nil, s.wrap("get auth request", idp.ErrExpired)
	}
	return &r, nil
}

// SetAuthRequestConsent records that the user approved the request and,
// when scopes is not nil, narrows its scope to them; idp.ErrNotFound if
// absent. Narrowing never widens: a scope the request did not hold is
// refused as invalid.
func (s *Store) SetAuthRequestConsent(ctx context.Context, tenantID, id string, scopes []string) error {
	if scopes == nil {
		n, err := s.writer().execN(ctx, `UPDATE auth_requests SET consent_given = TRUE
			WHERE tenant_id = ? AND id = ?`, tenantID, id)
		return s.wrap("set auth request consent", affected(n, err))
	}
	return s.tx(ctx, "set auth request consent", func(d runner) error {
		var current []string
		if err := d.row(ctx, `SELECT scope FROM auth_requests WHERE tenant_id = ? AND id = ?`,
			tenantID, id).Scan(jsonOf(&current)); err != nil {
			return err
		}
		for _, sc := range scopes {
			if !slices.Contains(current, sc) {
				return idp.Invalid("scope", "the consent names a scope the request did not ask for")
			}
		}
		n, err := d.execN(ctx, `UPDATE auth_requests SET consent_given = TRUE, scope = ?
			WHERE tenant_id = ? AND id = ?`, jsonList(scopes), tenantID, id)
		return affected(n, err)
	})
}

// DeleteAuthRequest removes an answered request; idp.ErrNotFound if absent.
func (s *Store) DeleteAuthRequest(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execN(ctx, `DELETE FROM auth_requests WHERE tenant_id = ? AND id = ?`, tenantID, id)
	return s.wrap("delete auth request", affected(n, err))
}
