package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// CreateAccessTokenRecord records an access token's jti; idp.ErrConflict on
// a duplicate jti in the tenant.
func (s *Store) CreateAccessTokenRecord(ctx context.Context, tenantID string, r *idp.AccessTokenRecord) error {
	_, err := s.writer().exec(ctx, `INSERT INTO access_tokens (tenant_id, jti, grant_id, client_id, expires_at, revoked_at)
		VALUES (?, ?, ?, ?, ?, ?)`,
		tenantID, r.JTI, nullString(r.GrantID), r.ClientID, r.ExpiresAt, r.RevokedAt)
	return s.wrap("create access token record", err)
}

// RevokeAccessToken marks one access token revoked (RFC 7009 §2.1),
// inserting its record when none exists (client_credentials tokens have
// none). A grant id that names no grant of the tenant is not recorded.
func (s *Store) RevokeAccessToken(ctx context.Context, tenantID string, r *idp.AccessTokenRecord, at time.Time) error {
	_, err := s.writer().exec(ctx, `INSERT INTO access_tokens (tenant_id, jti, grant_id, client_id, expires_at, revoked_at)
		VALUES (?, ?, (SELECT id FROM grants WHERE tenant_id = ? AND id = ?), ?, ?, ?)
		ON CONFLICT (tenant_id, jti) DO UPDATE
			SET revoked_at = COALESCE(access_tokens.revoked_at, excluded.revoked_at)`,
		tenantID, r.JTI, tenantID, r.GrantID, r.ClientID, r.ExpiresAt, at)
	return s.wrap("revoke access token", err)
}

// AccessTokenActive reports whether the access token jti is still valid as
// far as revocation goes: a record that is revoked, or whose grant is
// revoked or gone, makes it inactive; no record means active (expiry is the
// caller's job).
func (s *Store) AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error) {
	var revoked, hasGrant, grantFound, grantRevoked bool
	err := s.reader().row(ctx, `SELECT a.revoked_at IS NOT NULL, a.grant_id IS NOT NULL,
			g.id IS NOT NULL, g.revoked_at IS NOT NULL
		FROM access_tokens a
		LEFT JOIN grants g ON g.tenant_id = a.tenant_id AND g.id = a.grant_id
		WHERE a.tenant_id = ? AND a.jti = ?`, tenantID, jti).Scan(&revoked, &hasGrant, &grantFound, &grantRevoked)
	switch {
	case err == nil:
	case isNoRows(err):
		return true, nil
	default:
		return false, s.wrap("access token active", err)
	}
	if revoked || (hasGrant && (!grantFound || grantRevoked)) {
		return false, nil
	}
	return true, nil
}
