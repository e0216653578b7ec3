package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Sessions persists browser login sessions, keyed by the cookie's hash.
type Sessions interface {
	CreateSession(ctx context.Context, tenantID string, s *idp.Session) error
	// GetSession returns the session (revoked or not) or idp.ErrNotFound.
	GetSession(ctx context.Context, tenantID, id string) (*idp.Session, error)
	// TouchSession updates LastSeen.
	TouchSession(ctx context.Context, tenantID, id string, at time.Time) error
	// RevokeSession ends one session.
	RevokeSession(ctx context.Context, tenantID, id string, at time.Time) error
	// RevokeUserSessions ends every session of a user and returns how many.
	RevokeUserSessions(ctx context.Context, tenantID, userID string, at time.Time) (int, error)
	// ListUserSessions lists a user's live sessions.
	ListUserSessions(ctx context.Context, tenantID, userID string, now time.Time) ([]idp.Session, error)
}

// AuthRequests persists authorization requests parked during login.
type AuthRequests interface {
	CreateAuthRequest(ctx context.Context, tenantID string, r *idp.AuthRequest) error
	// GetAuthRequest returns it or idp.ErrNotFound (also once expired:
	// idp.ErrExpired).
	GetAuthRequest(ctx context.Context, tenantID, id string, now time.Time) (*idp.AuthRequest, error)
	// SetAuthRequestConsent records that the user approved the request
	// and narrows its scope to scopes (the user may leave some out on the
	// consent page); scopes must be a subset of the request's scope. A nil
	// scopes keeps the request's scope.
	SetAuthRequestConsent(ctx context.Context, tenantID, id string, scopes []string) error
	// DeleteAuthRequest removes it once answered.
	DeleteAuthRequest(ctx context.Context, tenantID, id string) error
}

// LoginChallenges persists magic-link + PIN challenges.
type LoginChallenges interface {
	CreateLoginChallenge(ctx context.Context, tenantID string, c *idp.LoginChallenge) error
	// GetLoginChallenge returns it by id or idp.ErrNotFound.
	GetLoginChallenge(ctx context.Context, tenantID, id string) (*idp.LoginChallenge, error)
	// GetLoginChallengeByLink returns it by the magic link's hash.
	GetLoginChallengeByLink(ctx context.Context, tenantID string, linkHash []byte) (*idp.LoginChallenge, error)
	// RecordPINFailure atomically increments the attempt counter and returns
	// the new count.
	RecordPINFailure(ctx context.Context, tenantID, id string) (int, error)
	// ConsumeLoginChallenge atomically marks it used; idp.ErrAlreadyUsed if
	// it already was (the link and PIN are single-use together).
	ConsumeLoginChallenge(ctx context.Context, tenantID, id string, at time.Time) error
}

// Consents persists what users allowed clients.
type Consents interface {
	// GetConsent returns the user's consent for a client or idp.ErrNotFound.
	GetConsent(ctx context.Context, tenantID, userID, clientID string) (*idp.Consent, error)
	// PutConsent creates or replaces a consent.
	PutConsent(ctx context.Context, tenantID string, c *idp.Consent) error
	// DeleteConsent removes it and revokes the client's grants for the user.
	DeleteConsent(ctx context.Context, tenantID, userID, clientID string, at time.Time) error
	// ListConsents lists a user's consents (their connected apps).
	ListConsents(ctx context.Context, tenantID, userID string) ([]idp.Consent, error)
}
