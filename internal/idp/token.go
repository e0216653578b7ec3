package idp

import "time"

// AuthCode is an authorization code. Only its hash is stored.
type AuthCode struct {
	TenantID            string
	Hash                string // hex SHA-256 of the code
	ClientID            string
	UserID              string
	SessionID           string
	RedirectURI         string
	Scope               []string
	Audience            []string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	AuthTime            time.Time
	AMR                 []string
	// GrantID is the grant created when the code is redeemed; set by the
	// store so a replay can revoke what the first redemption issued.
	GrantID    string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	ConsumedAt *time.Time
}

// AuthCodeLifetime is how long an authorization code may be redeemed
// (RFC 6749 §4.1.2 recommends at most 10 minutes; we use 60 s).
const AuthCodeLifetime = 60 * time.Second

// Grant is a token family: everything issued from one authorization (one
// code redemption) and its refresh rotations. Revoking it kills every
// access and refresh token of the family.
type Grant struct {
	TenantID  string
	ID        string
	ClientID  string
	UserID    string
	SessionID string
	Scope     []string
	Audience  []string
	AuthTime  time.Time
	AMR       []string
	CreatedAt time.Time
	// ExpiresAt is the absolute end of the family, whatever the rotations.
	ExpiresAt time.Time
	RevokedAt *time.Time
}

// RefreshToken is one opaque refresh token of a grant. Only its hash is stored.
type RefreshToken struct {
	TenantID  string
	Hash      string // hex SHA-256
	GrantID   string
	ClientID  string
	Scope     []string
	CreatedAt time.Time
	ExpiresAt time.Time // sliding expiry, capped by the grant's
	// RotatedAt is set when the token was exchanged for a successor.
	RotatedAt *time.Time
	// SuccessorHash names the token that replaced it (for the grace window).
	SuccessorHash string
	ReuseCount    int
}

// AccessTokenRecord ties a user access token's jti to its grant so that
// revoking the grant deactivates the JWT at introspection and UserInfo.
type AccessTokenRecord struct {
	TenantID  string
	JTI       string
	GrantID   string // empty for client_credentials tokens
	ClientID  string
	ExpiresAt time.Time
	RevokedAt *time.Time
}
