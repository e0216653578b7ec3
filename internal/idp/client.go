package idp

import "time"

// ClientType is the kind of OAuth client (PRODUCT §3).
type ClientType string

// Client types.
const (
	ClientSPA     ClientType = "spa"     // public, browser, PKCE
	ClientNative  ClientType = "native"  // public, installed app, PKCE, loopback redirects
	ClientWeb     ClientType = "web"     // confidential, server-side
	ClientBackend ClientType = "backend" // confidential, client_credentials only
)

// Grant types.
const (
	GrantAuthorizationCode = "authorization_code"
	GrantRefreshToken      = "refresh_token"
	GrantClientCredentials = "client_credentials"
)

// Valid reports whether t is a known client type.
func (t ClientType) Valid() bool {
	switch t {
	case ClientSPA, ClientNative, ClientWeb, ClientBackend:
		return true
	}
	return false
}

// Public reports whether clients of this type cannot keep a secret.
func (t ClientType) Public() bool { return t == ClientSPA || t == ClientNative }

// GrantTypes lists the grants a client of this type may use.
func (t ClientType) GrantTypes() []string {
	switch t {
	case ClientBackend:
		return []string{GrantClientCredentials}
	case ClientSPA, ClientNative, ClientWeb:
		return []string{GrantAuthorizationCode, GrantRefreshToken}
	}
	return nil
}

// AllowsGrant reports whether a client of this type may use grant.
func (t ClientType) AllowsGrant(grant string) bool {
	for _, g := range t.GrantTypes() {
		if g == grant {
			return true
		}
	}
	return false
}

// Client is an OAuth client registered in a tenant. Client ids are unique
// within a tenant only: two tenants may hold the same client id.
type Client struct {
	TenantID               string
	ID                     string // client_id
	Name                   string
	Type                   ClientType
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	// Scopes the client may request; empty means the defaults
	// (openid profile email offline_access).
	Scopes []string
	// RequireConsent shows the consent screen; always on for third-party clients.
	RequireConsent bool
	// ThirdParty marks clients not operated by the tenant owner (for example
	// dynamically registered ones): consent is always shown and error
	// redirects go through an interstitial.
	ThirdParty bool
	// DefaultResourceServer is the identifier (audience) used when a token
	// request names no resource.
	DefaultResourceServer string
	// RefreshGraceSeconds lets a rotated refresh token be reused for this
	// long (0 = strict; at most 60).
	RefreshGraceSeconds int
	// Dynamic marks a client registered by the client itself: through
	// dynamic registration (RFC 7591) or a Client ID Metadata Document.
	// Dynamic clients that never obtained a grant are purged after a while.
	Dynamic bool
	// RegistrationTokenHash is the SHA-256 of the registration access
	// token (RFC 7592 §3) of a dynamically registered client; nil otherwise.
	RegistrationTokenHash []byte
	// ClientURI is the client's home page (RFC 7591 §2), shown on consent.
	ClientURI string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Public reports whether the client cannot authenticate.
func (c *Client) Public() bool { return c.Type.Public() }

// ClientSecret is one secret of a confidential client. Only a hash is kept;
// the plaintext is shown once at creation.
type ClientSecret struct {
	TenantID  string
	ClientID  string
	ID        string
	Hash      []byte // SHA-256 of the secret (secrets are high-entropy)
	Hint      string // last four characters, for display
	CreatedAt time.Time
	ExpiresAt *time.Time
}

// ResourceServer is an API that access tokens can be issued for. Its
// Identifier is the audience value.
type ResourceServer struct {
	TenantID    string
	ID          string
	Identifier  string // absolute URL, the `aud` of its tokens
	Name        string
	ScopePrefix string // immutable; every scope starts with it
	Scopes      []ResourceScope
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ResourceScope is one permission of a resource server.
type ResourceScope struct {
	Value       string
	Description string
	// GrantedToAll gives the scope to every user; otherwise it is granted
	// per user.
	GrantedToAll bool
}
