package oauth

import (
	"slices"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// Error codes of dynamic client registration (RFC 7591 §3.2.2).
const (
	regInvalidRedirectURI    = "invalid_redirect_uri"
	regInvalidClientMetadata = "invalid_client_metadata"
)

// Application types (OIDC Dynamic Client Registration §2, which MCP
// clients send along with RFC 7591 metadata).
const (
	appTypeWeb    = "web"
	appTypeNative = "native"
)

// clientMetadata is the part of a registration request (RFC 7591 §2) that
// we read. Other members are ignored, as RFC 7591 §2 requires of members
// a server does not understand: software_id and software_version,
// logo_uri, tos_uri, policy_uri, contacts, jwks, software_statement,
// language-tagged names, and client_id or client_secret (a client never
// chooses its credentials, SECURITY-TESTS 46).
type clientMetadata struct {
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri"`
	Scope                   string   `json:"scope"`
	ApplicationType         string   `json:"application_type"`
	// SubjectType and SectorIdentifierURI (OIDC Dynamic Client
	// Registration §2) ask for pairwise subjects, which we do not offer:
	// only "public" is accepted, so that a client never believes it got
	// pairwise identifiers (SECURITY-TESTS 46).
	SubjectType         string `json:"subject_type"`
	SectorIdentifierURI string `json:"sector_identifier_uri"`
}

// clientInformation is the client information response (RFC 7591 §3.2.1,
// RFC 7592 §3): the credentials and every registered metadata value.
type clientInformation struct {
	ClientID         string `json:"client_id"`
	ClientSecret     string `json:"client_secret,omitempty"`
	ClientIDIssuedAt int64  `json:"client_id_issued_at"`
	// ClientSecretExpiresAt is required when a secret is issued; 0 means
	// it does not expire.
	ClientSecretExpiresAt   *int64   `json:"client_secret_expires_at,omitempty"`
	RegistrationAccessToken string   `json:"registration_access_token"`
	RegistrationClientURI   string   `json:"registration_client_uri"`
	RedirectURIs            []string `json:"redirect_uris"`
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri,omitempty"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
	ApplicationType         string   `json:"application_type"`
}

// registrationError is a 400 RFC 7591 §3.2.2 error.
func registrationError(code, description string) error {
	return oauthError(code, description)
}

// clientType checks the protocol-level metadata (RFC 7591 §2) and returns
// the client type it asks for with the token endpoint authentication
// method to report. The redirect URIs, name and home page are checked by
// the Registrar, which knows the rules for every client.
//   - token_endpoint_auth_method: none (a native app: PKCE only),
//     client_secret_basic (the RFC 7591 §2 default) or client_secret_post
//     (a web client with a secret); private_key_jwt and others are not
//     supported.
//   - grant_types: authorization_code (the default) with optional
//     refresh_token; client_credentials and the removed implicit and
//     password grants are refused (RFC 7591 §2 lets the server refuse).
//   - response_types: code only (RFC 9700 §2.1.2), consistent with
//     authorization_code (RFC 7591 §2.1).
//   - scope: well-formed (RFC 6749 §3.3); what a client may obtain is
//     decided at authorization, so it is not stored.
//   - application_type: web or native, if sent.
//   - subject_type: public, if sent; a sector_identifier_uri is refused.
func (m *clientMetadata) clientType() (idp.ClientType, string, error) {
	method := m.TokenEndpointAuthMethod
	if method == "" {
		method = authMethodBasic
	}
	var typ idp.ClientType
	switch method {
	case authMethodNone:
		typ = idp.ClientNative
	case authMethodBasic, authMethodPost:
		typ = idp.ClientWeb
	default:
		return "", "", registrationError(regInvalidClientMetadata, "token_endpoint_auth_method must be none, client_secret_basic or client_secret_post.")
	}
	grants := m.GrantTypes
	if len(grants) == 0 {
		grants = []string{idp.GrantAuthorizationCode}
	}
	for _, g := range grants {
		if g != idp.GrantAuthorizationCode && g != idp.GrantRefreshToken {
			return "", "", registrationError(regInvalidClientMetadata, "grant_types may hold only authorization_code and refresh_token.")
		}
	}
	if !slices.Contains(grants, idp.GrantAuthorizationCode) {
		return "", "", registrationError(regInvalidClientMetadata, "grant_types must include authorization_code.")
	}
	for _, rt := range m.ResponseTypes {
		if rt != "code" {
			return "", "", registrationError(regInvalidClientMetadata, "response_types may hold only code.")
		}
	}
	if _, ok := parseScope(m.Scope); !ok || len(m.Scope) > 1000 {
		return "", "", registrationError(regInvalidClientMetadata, "scope is not a valid space-separated list of scopes.")
	}
	switch m.ApplicationType {
	case "", appTypeWeb, appTypeNative:
	default:
		return "", "", registrationError(regInvalidClientMetadata, "application_type must be web or native.")
	}
	if (m.SubjectType != "" && m.SubjectType != "public") || m.SectorIdentifierURI != "" {
		return "", "", registrationError(regInvalidClientMetadata, "Only public subject identifiers are supported (no subject_type pairwise, no sector_identifier_uri).")
	}
	return typ, method, nil
}

// information builds the client information response for c. secret is
// the plaintext just issued ("" on a read, when only its hash exists);
// method is the authentication method to report (the registered one, or
// for a read the default of the client's type).
func information(info *tenant.Info, c *idp.Client, secret, registrationToken, method string) *clientInformation {
	out := &clientInformation{
		ClientID:                c.ID,
		ClientSecret:            secret,
		ClientIDIssuedAt:        c.CreatedAt.Unix(),
		RegistrationAccessToken: registrationToken,
		RegistrationClientURI:   registrationClientURI(info, c.ID),
		RedirectURIs:            c.RedirectURIs,
		ClientName:              c.Name,
		ClientURI:               c.ClientURI,
		TokenEndpointAuthMethod: method,
		// What the client can actually use, whatever it asked for
		// (RFC 7591 §3.2.1 lets the server replace requested values);
		// refresh tokens come with offline_access (OIDC Core §11).
		GrantTypes:      c.Type.GrantTypes(),
		ResponseTypes:   []string{"code"},
		ApplicationType: appTypeWeb,
	}
	if c.Type == idp.ClientNative {
		out.ApplicationType = appTypeNative
	}
	if secret != "" {
		var never int64
		out.ClientSecretExpiresAt = &never
	}
	return out
}

// registrationClientURI is where the client reads or deletes its
// registration (RFC 7592 §1).
func registrationClientURI(info *tenant.Info, clientID string) string {
	return info.URL(registerPath + "/" + clientID)
}
