package idp

import "time"

// AccountRole is an administrator's role within an account.
type AccountRole string

// Account roles, from most to least privileged.
const (
	RoleOwner  AccountRole = "owner"
	RoleAdmin  AccountRole = "admin"
	RoleViewer AccountRole = "viewer"
)

// Account groups administrators (users of the admin tenant) and owns tenants.
type Account struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// AccountMember links an admin-tenant user to an account with a role.
type AccountMember struct {
	AccountID string
	UserID    string // a user of the admin tenant
	Role      AccountRole
	CreatedAt time.Time
}

// Login methods a tenant can enable (PRODUCT §2).
const (
	AuthMethodMagicLink = "magic_link" // email: PIN + single-use link
	AuthMethodPasskey   = "passkey"
	AuthMethodSocial    = "social"
	AuthMethodSSO       = "sso"
	AuthMethodPassword  = "password"
)

// Signing algorithms a tenant can choose.
const (
	AlgRS256 = "RS256"
	AlgES256 = "ES256"
	AlgEdDSA = "EdDSA"
)

// TenantStatus is the lifecycle state of a tenant.
type TenantStatus string

// Tenant states. A suspended tenant's issuer answers no request (hosted
// pages, protocol endpoints, discovery, JWKS, its management API) until it
// is resumed; its users, clients and keys are kept as they are.
const (
	TenantActive    TenantStatus = "active"
	TenantSuspended TenantStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s TenantStatus) Valid() bool { return s == TenantActive || s == TenantSuspended }

// Tenant is the isolation boundary: an issuer with its own users, clients,
// keys and settings. Its ID is permanent, lowercase and DNS-safe.
type Tenant struct {
	ID        string
	AccountID string // the account that owns it; empty for the admin tenant
	Name      string
	// Admin marks the control-plane tenant that signs administrators in.
	Admin bool
	// Status is active or suspended (TenantActive, TenantSuspended).
	Status TenantStatus
	// SuspendedAt is when the tenant was suspended; nil while active.
	SuspendedAt *time.Time
	// AllowRegistration lets unknown emails sign up through the hosted pages.
	AllowRegistration bool
	// AuthMethods lists enabled login methods (AuthMethod*).
	AuthMethods []string
	// AllowedOrigins are browser origins (scheme://host[:port]) allowed by
	// CORS and WebAuthn.
	AllowedOrigins []string
	// SigningAlg is the algorithm new signing keys use (Alg*).
	SigningAlg string
	// Token and session lifetimes, in seconds.
	AccessTokenTTL     int
	IDTokenTTL         int
	RefreshTokenTTL    int // sliding idle lifetime
	RefreshAbsoluteTTL int // absolute lifetime of a refresh-token family
	SessionTTL         int // absolute lifetime of a login session
	SessionIdleTTL     int
	// Email sender for this tenant's mail; empty means the install default.
	EmailFromName    string
	EmailFromAddress string
	DefaultLanguage  string
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// Default lifetimes, in seconds (PRODUCT §3).
const (
	DefaultAccessTokenTTL     = 15 * 60
	DefaultIDTokenTTL         = 15 * 60
	DefaultRefreshTokenTTL    = 30 * 24 * 3600
	DefaultRefreshAbsoluteTTL = 90 * 24 * 3600
	DefaultSessionTTL         = 14 * 24 * 3600
	DefaultSessionIdleTTL     = 3 * 24 * 3600
)

// ApplyDefaults fills zero-valued settings with the product defaults.
func (t *Tenant) ApplyDefaults() {
	if t.Status == "" {
		t.Status = TenantActive
	}
	if t.SigningAlg == "" {
		t.SigningAlg = AlgRS256
	}
	if len(t.AuthMethods) == 0 {
		t.AuthMethods = []string{AuthMethodMagicLink}
	}
	if t.AccessTokenTTL == 0 {
		t.AccessTokenTTL = DefaultAccessTokenTTL
	}
	if t.IDTokenTTL == 0 {
		t.IDTokenTTL = DefaultIDTokenTTL
	}
	if t.RefreshTokenTTL == 0 {
		t.RefreshTokenTTL = DefaultRefreshTokenTTL
	}
	if t.RefreshAbsoluteTTL == 0 {
		t.RefreshAbsoluteTTL = DefaultRefreshAbsoluteTTL
	}
	if t.SessionTTL == 0 {
		t.SessionTTL = DefaultSessionTTL
	}
	if t.SessionIdleTTL == 0 {
		t.SessionIdleTTL = DefaultSessionIdleTTL
	}
	if t.DefaultLanguage == "" {
		t.DefaultLanguage = "en"
	}
}

// Suspended reports whether the tenant is suspended: its issuer refuses
// every request.
func (t *Tenant) Suspended() bool { return t.Status == TenantSuspended }

// HasAuthMethod reports whether m is enabled for the tenant.
func (t *Tenant) HasAuthMethod(m string) bool {
	for _, x := range t.AuthMethods {
		if x == m {
			return true
		}
	}
	return false
}

// Theme is a tenant's branding (PRODUCT §5). Colours are "#rrggbb".
type Theme struct {
	TenantID  string
	Light     ThemeColors
	Dark      ThemeColors
	LogoURL   string
	IconURL   string
	UpdatedAt time.Time
}

// ThemeColors is one colour scheme of a theme.
type ThemeColors struct {
	PrimaryColor             string
	SecondaryColor           string
	SecondaryButtonTextColor string
	BackgroundColor          string
	BoxBackgroundColor       string
	TextColor                string
}
