package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Issue is what one token response persists atomically: a grant (new or
// continued), an optional refresh token and the access token's record.
type Issue struct {
	Grant   *idp.Grant        // the family; created by RedeemAuthCode
	Refresh *idp.RefreshToken // nil when no refresh token is issued
	Access  *idp.AccessTokenRecord
}

// RotateOptions tune refresh-token rotation for one client.
type RotateOptions struct {
	// Grace lets an already-rotated token be used again within this window
	// (0 = strict: any reuse revokes the family).
	Grace time.Duration
	// MaxReuse caps how many times a rotated token may be reused in Grace.
	MaxReuse int
}

// Tokens persists codes, grants, refresh tokens and access-token records.
// Every hash is the hex SHA-256 of the artifact.
type Tokens interface {
	// CreateAuthCode stores a freshly issued code.
	CreateAuthCode(ctx context.Context, tenantID string, c *idp.AuthCode) error
	// GetAuthCode returns a code (consumed or not) or idp.ErrNotFound.
	GetAuthCode(ctx context.Context, tenantID, hash string) (*idp.AuthCode, error)
	// BurnAuthCode marks a code consumed without issuing anything (a wrong
	// PKCE verifier burns the code).
	BurnAuthCode(ctx context.Context, tenantID, hash string, at time.Time) error
	// RedeemAuthCode atomically marks the code consumed, records
	// iss.Grant.ID on it and inserts iss's grant, refresh token and access
	// record. If the code was already consumed it revokes the grant the
	// first redemption created (RFC 6749 §4.1.2) and returns
	// idp.ErrAlreadyUsed; an expired code gives idp.ErrExpired.
	RedeemAuthCode(ctx context.Context, tenantID, hash string, at time.Time, iss Issue) error

	// GetRefreshToken returns a refresh token with its grant, or idp.ErrNotFound.
	GetRefreshToken(ctx context.Context, tenantID, hash string) (*idp.RefreshToken, *idp.Grant, error)
	// RotateRefreshToken atomically exchanges the token oldHash for
	// iss.Refresh (same grant) and records iss.Access. If oldHash was
	// already rotated: within opts.Grace and under opts.MaxReuse it counts
	// the reuse and, when iss.Refresh.Hash is the successor already
	// recorded for oldHash, only records iss.Access (the racer gets the
	// same successor: one lineage); a different iss.Refresh is issued as
	// another member of the same family. Otherwise it
	// revokes the whole grant and returns idp.ErrAlreadyUsed. A revoked or
	// expired grant or token gives idp.ErrExpired. iss.Grant is ignored.
	RotateRefreshToken(ctx context.Context, tenantID, oldHash string, at time.Time, opts RotateOptions, iss Issue) error

	// GetGrant returns a grant or idp.ErrNotFound.
	GetGrant(ctx context.Context, tenantID, grantID string) (*idp.Grant, error)
	// RevokeGrant revokes a grant with all its refresh tokens and access records.
	RevokeGrant(ctx context.Context, tenantID, grantID string, at time.Time) error
	// RevokeUserGrants revokes every grant of a user (optionally only for
	// one client when clientID is not empty).
	RevokeUserGrants(ctx context.Context, tenantID, userID, clientID string, at time.Time) error
	// ListUserGrants lists a user's live grants.
	ListUserGrants(ctx context.Context, tenantID, userID string, now time.Time) ([]idp.Grant, error)

	// CreateAccessTokenRecord records a user access token's jti (without a
	// grant, for tokens that do not come from RedeemAuthCode/Rotate).
	CreateAccessTokenRecord(ctx context.Context, tenantID string, r *idp.AccessTokenRecord) error
	// RevokeAccessToken marks one access token revoked, inserting a record
	// when none exists (client_credentials tokens have none).
	RevokeAccessToken(ctx context.Context, tenantID string, r *idp.AccessTokenRecord, at time.Time) error
	// AccessTokenActive reports whether the access token jti is still
	// valid as far as revocation goes: its record (if any) is not revoked
	// and its grant (if any) is not revoked. Expiry is the caller's job.
	AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error)
}

// Audit persists the audit log.
type Audit interface {
	AppendAudit(ctx context.Context, e *idp.AuditEvent) error
	// ListAudit lists a tenant's events, newest first, with the total.
	ListAudit(ctx context.Context, tenantID string, q idp.AuditQuery) ([]idp.AuditEvent, int, error)
}
