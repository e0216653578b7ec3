package idp

import "time"

// Session is a browser login session on one tenant host. The cookie holds a
// random value; the store keys the session by its SHA-256 hash.
type Session struct {
	TenantID  string
	ID        string // hex SHA-256 of the cookie value
	UserID    string
	AuthTime  time.Time // when the user last authenticated
	AMR       []string  // authentication methods used, e.g. ["otp"], ["email"]
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time // absolute lifetime
	RevokedAt *time.Time
}

// AuthRequest is a validated authorization request parked while the user
// signs in or consents. Login resumes it by id.
type AuthRequest struct {
	TenantID            string
	ID                  string // random, appears in the login URL
	ClientID            string
	RedirectURI         string
	ResponseMode        string // "query" or "form_post"
	Scope               []string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              []string
	MaxAge              *int
	LoginHint           string
	Resource            []string // RFC 8707 resource indicators, or audience
	// Issuer is the issuer URL the request arrived on; the response goes
	// back with the same `iss`.
	Issuer string
	// ConsentGiven is set by the consent page when the user approved this
	// request.
	ConsentGiven bool
	CreatedAt    time.Time
	ExpiresAt    time.Time
}

// LoginChallenge is one magic-link + PIN email sent to a user.
type LoginChallenge struct {
	TenantID string
	ID       string
	Email    string
	// Name is the display name typed on the sign-up form, used when the
	// challenge creates the user.
	Name          string
	UserID        string // empty when the email is unknown and registration is open
	AuthRequestID string // the authorization request to resume, may be empty
	// BrowserHash binds the PIN to the browser that asked for it (hash of a
	// pre-login cookie); the link works from any browser.
	BrowserHash   string
	PINHash       []byte
	LinkHash      []byte
	Attempts      int
	PINExpiresAt  time.Time
	LinkExpiresAt time.Time
	ConsumedAt    *time.Time
	CreatedAt     time.Time
}

// Login challenge rules (PRODUCT §2, issue 2).
const (
	PINLifetime    = 10 * time.Minute
	LinkLifetime   = 24 * time.Hour
	MaxPINAttempts = 5
)

// Consent records that a user allowed a client some scopes.
type Consent struct {
	TenantID  string
	UserID    string
	ClientID  string
	Scopes    []string
	CreatedAt time.Time
	UpdatedAt time.Time
}
