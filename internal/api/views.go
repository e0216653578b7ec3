package api

import (
	"encoding/json"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/view"
)

// The JSON shapes of the API (snake_case, the hosted service's names).
// The OpenAPI schemas are generated from these types.

// tenantCreate creates a tenant; omitted settings take the defaults.
type tenantCreate struct {
	ID                 string   `json:"id,omitempty"`
	AccountID          string   `json:"account_id,omitempty"`
	Name               string   `json:"name"`
	AllowRegistration  bool     `json:"allow_registration,omitempty"`
	AuthMethods        []string `json:"auth_methods,omitempty"`
	AllowedOrigins     []string `json:"allowed_origins,omitempty"`
	SigningAlg         string   `json:"signing_alg,omitempty"`
	AccessTokenTTL     int      `json:"access_token_ttl,omitempty"`
	IDTokenTTL         int      `json:"id_token_ttl,omitempty"`
	RefreshTokenTTL    int      `json:"refresh_token_ttl,omitempty"`
	RefreshAbsoluteTTL int      `json:"refresh_absolute_ttl,omitempty"`
	SessionTTL         int      `json:"session_ttl,omitempty"`
	SessionIdleTTL     int      `json:"session_idle_ttl,omitempty"`
	EmailFromName      string   `json:"email_from_name,omitempty"`
	EmailFromAddress   string   `json:"email_from_address,omitempty"`
	DefaultLanguage    string   `json:"default_language,omitempty"`
}

// tenantPatch changes only the fields given.
type tenantPatch struct {
	Name                 *string   `json:"name,omitempty"`
	AllowRegistration    *bool     `json:"allow_registration,omitempty"`
	AuthMethods          *[]string `json:"auth_methods,omitempty"`
	AllowedOrigins       *[]string `json:"allowed_origins,omitempty"`
	AddAllowedOrigins    []string  `json:"add_allowed_origins,omitempty"`
	RemoveAllowedOrigins []string  `json:"remove_allowed_origins,omitempty"`
	SigningAlg           *string   `json:"signing_alg,omitempty"`
	AccessTokenTTL       *int      `json:"access_token_ttl,omitempty"`
	IDTokenTTL           *int      `json:"id_token_ttl,omitempty"`
	RefreshTokenTTL      *int      `json:"refresh_token_ttl,omitempty"`
	RefreshAbsoluteTTL   *int      `json:"refresh_absolute_ttl,omitempty"`
	SessionTTL           *int      `json:"session_ttl,omitempty"`
	SessionIdleTTL       *int      `json:"session_idle_ttl,omitempty"`
	EmailFromName        *string   `json:"email_from_name,omitempty"`
	EmailFromAddress     *string   `json:"email_from_address,omitempty"`
	DefaultLanguage      *string   `json:"default_language,omitempty"`
}

// clientCreated is a new client with its first secret, shown this once.
type clientCreated struct {
	view.Client
	ClientSecret   string `json:"client_secret,omitempty"`
	ClientSecretID string `json:"client_secret_id,omitempty"`
}

// clientCreate registers a client.
type clientCreate struct {
	ClientID               string   `json:"client_id,omitempty"`
	Name                   string   `json:"name"`
	Type                   string   `json:"type"`
	RedirectURIs           []string `json:"redirect_uris,omitempty"`
	PostLogoutRedirectURIs []string `json:"post_logout_redirect_uris,omitempty"`
	Scopes                 []string `json:"scopes,omitempty"`
	RequireConsent         bool     `json:"require_consent,omitempty"`
	ThirdParty             bool     `json:"third_party,omitempty"`
	DefaultResourceServer  string   `json:"default_resource_server,omitempty"`
	RefreshGraceSeconds    int      `json:"refresh_grace_seconds,omitempty"`
}

// clientPatch changes only the fields given; the add_/remove_ lists edit
// the URI lists in place.
type clientPatch struct {
	Name                         *string   `json:"name,omitempty"`
	RedirectURIs                 *[]string `json:"redirect_uris,omitempty"`
	AddRedirectURIs              []string  `json:"add_redirect_uris,omitempty"`
	RemoveRedirectURIs           []string  `json:"remove_redirect_uris,omitempty"`
	PostLogoutRedirectURIs       *[]string `json:"post_logout_redirect_uris,omitempty"`
	AddPostLogoutRedirectURIs    []string  `json:"add_post_logout_redirect_uris,omitempty"`
	RemovePostLogoutRedirectURIs []string  `json:"remove_post_logout_redirect_uris,omitempty"`
	Scopes                       *[]string `json:"scopes,omitempty"`
	RequireConsent               *bool     `json:"require_consent,omitempty"`
	DefaultResourceServer        *string   `json:"default_resource_server,omitempty"`
	RefreshGraceSeconds          *int      `json:"refresh_grace_seconds,omitempty"`
}

// newSecretView is a freshly created secret, its value shown this once.
type newSecretView struct {
	ID           string    `json:"id"`
	ClientSecret string    `json:"client_secret"`
	Hint         string    `json:"hint"`
	CreatedAt    time.Time `json:"created_at"`
}

// userCreate creates a user.
type userCreate struct {
	Email         string `json:"email"`
	Name          string `json:"name,omitempty"`
	Picture       string `json:"picture,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	Status        string `json:"status,omitempty"`
}

// userPatch changes only the fields given.
type userPatch struct {
	Email         *string `json:"email,omitempty"`
	Name          *string `json:"name,omitempty"`
	Picture       *string `json:"picture,omitempty"`
	EmailVerified *bool   `json:"email_verified,omitempty"`
	Status        *string `json:"status,omitempty"`
}

// sessionView is a live browser session (its id, the cookie's hash, is
// not shown).
type sessionView struct {
	AuthTime  time.Time `json:"auth_time"`
	AMR       []string  `json:"amr"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// revokedView counts what a revocation ended.
type revokedView struct {
	Revoked int `json:"revoked"`
}

// connectedAppView is a client a user signed in to.
type connectedAppView struct {
	ClientID    string     `json:"client_id"`
	ClientName  string     `json:"client_name,omitempty"`
	Scopes      []string   `json:"scopes"`
	ConsentedAt *time.Time `json:"consented_at,omitempty"`
	Grants      int        `json:"grants"`
	LastUsedAt  *time.Time `json:"last_used_at,omitempty"`
}

// resourceServerCreate registers a resource server.
type resourceServerCreate struct {
	Identifier  string       `json:"identifier"`
	Name        string       `json:"name"`
	ScopePrefix string       `json:"scope_prefix,omitempty"`
	Scopes      []view.Scope `json:"scopes,omitempty"`
}

// resourceServerPatch changes the name or replaces the scopes.
type resourceServerPatch struct {
	Name   *string       `json:"name,omitempty"`
	Scopes *[]view.Scope `json:"scopes,omitempty"`
}

// signingKeyView is a signing key's public part.
type signingKeyView struct {
	KID         string          `json:"kid"`
	Alg         string          `json:"alg"`
	State       string          `json:"state"`
	PublicJWK   json.RawMessage `json:"public_jwk,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	ActivatedAt *time.Time      `json:"activated_at,omitempty"`
	RetiredAt   *time.Time      `json:"retired_at,omitempty"`
	RemoveAfter *time.Time      `json:"remove_after,omitempty"`
}

func viewKey(k *idp.SigningKey) *signingKeyView {
	if k == nil {
		return nil
	}
	v := &signingKeyView{KID: k.ID, Alg: k.Alg, State: string(k.State), CreatedAt: k.CreatedAt,
		ActivatedAt: k.ActivatedAt, RetiredAt: k.RetiredAt, RemoveAfter: k.RemoveAfter}
	if json.Valid(k.PublicJWK) {
		v.PublicJWK = k.PublicJWK
	}
	return v
}

// rotateRequest asks for one rotation step.
type rotateRequest struct {
	Immediate bool `json:"immediate,omitempty"`
}

// rotateView says what a rotation did.
type rotateView struct {
	Staged    *signingKeyView `json:"staged,omitempty"`
	Activated *signingKeyView `json:"activated,omitempty"`
	Retired   *signingKeyView `json:"retired,omitempty"`
}

func viewRotate(r *keys.RotateResult) rotateView {
	return rotateView{Staged: viewKey(r.Staged), Activated: viewKey(r.Activated), Retired: viewKey(r.Retired)}
}

// meView is the caller.
type meView struct {
	Type        string           `json:"type"`
	User        *meUser          `json:"user,omitempty"`
	Memberships []membershipView `json:"memberships,omitempty"`
	Client      *meClient        `json:"client,omitempty"`
	Tenant      *view.Tenant     `json:"tenant,omitempty"`
	Scopes      []string         `json:"scopes"`
}

// meUser is the administrator behind an admin token.
type meUser struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name,omitempty"`
}

// meClient is the backend client behind a machine token.
type meClient struct {
	ClientID string `json:"client_id"`
	Name     string `json:"name"`
}

// membershipView is one account of an administrator.
type membershipView struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	Role        string `json:"role"`
}

// colorsPatch changes some colours of one scheme.
type colorsPatch struct {
	PrimaryColor             *string `json:"primary_color,omitempty"`
	SecondaryColor           *string `json:"secondary_color,omitempty"`
	SecondaryButtonTextColor *string `json:"secondary_button_text_color,omitempty"`
	BackgroundColor          *string `json:"background_color,omitempty"`
	BoxBackgroundColor       *string `json:"box_background_color,omitempty"`
	TextColor                *string `json:"text_color,omitempty"`
}

// themePatch changes only the fields given.
type themePatch struct {
	Light           *colorsPatch `json:"light,omitempty"`
	Dark            *colorsPatch `json:"dark,omitempty"`
	LogoURL         *string      `json:"logo_url,omitempty"`
	IconURL         *string      `json:"icon_url,omitempty"`
	DefaultLanguage *string      `json:"default_language,omitempty"`
}
