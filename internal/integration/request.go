package integration

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Client types, as Authalla names them (PRODUCT §3).
const (
	ClientTypeSPA     = "spa"     // public browser client, PKCE
	ClientTypeNative  = "native"  // public installed app, PKCE
	ClientTypeWeb     = "web"     // confidential server-side app
	ClientTypeBackend = "backend" // client_credentials only
)

// Request describes the app to integrate.
type Request struct {
	// Framework is one of the Frameworks names.
	Framework string `json:"framework"`
	// Issuer is the tenant's issuer URL, e.g. https://acme.authalla.com or
	// http://127.0.0.1:8080/t/acme.
	Issuer string `json:"issuer"`
	// TenantID is the tenant's id; it only appears in notes and comments.
	TenantID string `json:"tenant_id,omitempty"`
	// ClientID is the OAuth client's client_id.
	ClientID string `json:"client_id"`
	// ClientType is the client's type: spa, native, web or backend.
	ClientType string `json:"client_type"`
	// AppURL is the app's origin, e.g. http://localhost:3000; empty means
	// the framework's usual development origin.
	AppURL string `json:"app_url,omitempty"`
	// RedirectURI is the callback; empty means AppURL plus the framework's
	// callback path.
	RedirectURI string `json:"redirect_uri,omitempty"`
	// PostLogoutRedirectURI is where logout returns; empty means AppURL + "/".
	PostLogoutRedirectURI string `json:"post_logout_redirect_uri,omitempty"`
	// Audience is an optional API identifier (resource server), requested
	// with RFC 8707 resource and checked by the generated API middleware.
	Audience string `json:"audience,omitempty"`
	// Scopes are optional extra (API) scopes; openid profile email, and
	// offline_access where the code refreshes, are always added.
	Scopes []string `json:"scopes,omitempty"`
}

// Input limits keep generated files small and values safe to embed.
const (
	maxURLLen      = 2048
	maxClientIDLen = 255
	maxScopes      = 20
	maxScopeLen    = 128
)

// baseScopes are requested by every interactive sign-in (OIDC Core §5.4).
var baseScopes = []string{"openid", "profile", "email"}

// scopeOfflineAccess asks for a refresh token (OIDC Core §11).
const scopeOfflineAccess = "offline_access"

// placeholderRE matches a documentation placeholder such as {tenant-id}.
var placeholderRE = regexp.MustCompile(`\{[a-z][a-z-]*\}`)

// spec is a validated request with defaults applied: the values templates use.
type spec struct {
	Request
	fw *framework

	// Scope is the space-separated scope parameter.
	Scope string
	// AppHost and AppPort are the app's listen address, from AppURL.
	AppHost, AppPort string
	// CallbackPath is the redirect URI's path, the route the app serves.
	CallbackPath string
	// Confidential is true for web clients, which authenticate with a secret.
	Confidential bool
}

// normalize validates r for fw and fills in defaults. Errors name the field
// and say what is wrong; they never echo more than the field's name and the
// rule, since callers show them to people and models.
func normalize(r Request, fw *framework) (*spec, error) {
	var errs []error
	s := &spec{Request: r, fw: fw}
	s.Issuer = strings.TrimSuffix(strings.TrimSpace(r.Issuer), "/")
	// Documentation passes the placeholder {tenant-id}; it is checked as if
	// it were a tenant id.
	if err := checkURL("issuer", placeholderRE.ReplaceAllString(s.Issuer, "tenant"), urlRules{}); err != nil {
		errs = append(errs, err)
	}
	if r.TenantID != "" && !validTenantID(r.TenantID) {
		errs = append(errs, errors.New("tenant_id: lowercase letters, digits and hyphens, 1-63 characters"))
	}
	if err := checkClientID(r.ClientID); err != nil {
		errs = append(errs, err)
	}
	if !slices.Contains(fw.info.ClientTypes, r.ClientType) {
		errs = append(errs, fmt.Errorf("client_type %q does not fit %s: use %s", r.ClientType, fw.info.Name, strings.Join(fw.info.ClientTypes, " or ")))
	}
	s.Confidential = r.ClientType == ClientTypeWeb || r.ClientType == ClientTypeBackend

	if fw.interactive {
		s.AppURL = strings.TrimSuffix(strings.TrimSpace(r.AppURL), "/")
		if s.AppURL == "" {
			s.AppURL = fw.info.DefaultAppURL
		}
		appErr := checkURL("app_url", s.AppURL, urlRules{originOnly: true})
		if appErr != nil {
			errs = append(errs, appErr)
		}
		s.RedirectURI = strings.TrimSpace(r.RedirectURI)
		if s.RedirectURI == "" && appErr == nil {
			s.RedirectURI = s.AppURL + fw.info.CallbackPath
		}
		s.PostLogoutRedirectURI = strings.TrimSpace(r.PostLogoutRedirectURI)
		if s.PostLogoutRedirectURI == "" && appErr == nil {
			s.PostLogoutRedirectURI = s.AppURL + "/"
		}
		if appErr == nil {
			rules := urlRules{sameOrigin: s.AppURL, needPath: true}
			if err := checkURL("redirect_uri", s.RedirectURI, rules); err != nil {
				errs = append(errs, err)
			}
			if err := checkURL("post_logout_redirect_uri", s.PostLogoutRedirectURI, rules); err != nil {
				errs = append(errs, err)
			}
			u, _ := url.Parse(s.AppURL)
			s.AppHost, s.AppPort = u.Hostname(), u.Port()
			if s.AppPort == "" {
				s.AppPort = map[string]string{"http": "80", "https": "443"}[u.Scheme]
			}
			if ru, err := url.Parse(s.RedirectURI); err == nil {
				s.CallbackPath = ru.Path
			}
		}
	} else {
		s.AppURL, s.RedirectURI, s.PostLogoutRedirectURI = "", "", ""
	}

	s.Audience = strings.TrimSpace(r.Audience)
	if s.Audience == "" && fw.needsAudience {
		errs = append(errs, fmt.Errorf("audience: %s validates access tokens for an API, so it needs the API's identifier (the resource server's audience)", fw.info.Name))
	} else if s.Audience != "" {
		// RFC 8707 §2: an absolute URI without a fragment.
		if err := checkURL("audience", s.Audience, urlRules{anyHost: true}); err != nil {
			errs = append(errs, err)
		}
	}

	scopes, err := checkScopes(r.Scopes)
	if err != nil {
		errs = append(errs, err)
	}
	s.Scopes = scopes
	var all []string
	if fw.interactive {
		all = append(all, baseScopes...)
		if fw.refresh {
			all = append(all, scopeOfflineAccess)
		}
	}
	for _, sc := range scopes {
		if !slices.Contains(all, sc) {
			all = append(all, sc)
		}
	}
	s.Scope = strings.Join(all, " ")
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("integration %s: %w", fw.info.Name, err)
	}
	return s, nil
}

// urlRules are the checks one URL field needs.
type urlRules struct {
	originOnly bool   // scheme://host[:port] only
	needPath   bool   // a redirect: path required, no query
	sameOrigin string // must be on this origin
	anyHost    bool   // an identifier, not fetched: http allowed on any host
}

// checkURL validates an absolute URL. OAuth 2.1 §1.5 and RFC 9700 §2.6
// require TLS except for loopback during development, so http is accepted
// only on localhost, 127.0.0.1 and [::1]. Fragments are never allowed in
// redirect URIs (RFC 6749 §3.1.2) or resource indicators (RFC 8707 §2).
func checkURL(field, raw string, rules urlRules) error {
	if raw == "" {
		return fmt.Errorf("%s is required", field)
	}
	if len(raw) > maxURLLen {
		return fmt.Errorf("%s is longer than %d characters", field, maxURLLen)
	}
	if strings.ContainsAny(raw, " \t\r\n\"'`$\\<>{}") {
		return fmt.Errorf("%s contains characters that are not allowed in a URL (spaces, quotes, $, \\, <, >, braces)", field)
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" {
		return fmt.Errorf("%s must be an absolute URL such as https://app.example.com", field)
	}
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("%s must use https (or http on loopback)", field)
	}
	if u.Scheme == "http" && !rules.anyHost && !isLoopback(u.Hostname()) {
		return fmt.Errorf("%s must use https; http is only allowed on localhost, 127.0.0.1 and [::1] (OAuth 2.1 §1.5)", field)
	}
	if u.User != nil {
		return fmt.Errorf("%s must not contain user information", field)
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		return fmt.Errorf("%s must not contain a fragment", field)
	}
	if rules.originOnly && (u.Path != "" || u.RawQuery != "") {
		return fmt.Errorf("%s must be an origin (scheme://host[:port]) without a path or query", field)
	}
	if rules.needPath && u.RawQuery != "" {
		return fmt.Errorf("%s must not contain a query", field)
	}
	if rules.sameOrigin != "" && u.Scheme+"://"+u.Host != rules.sameOrigin {
		return fmt.Errorf("%s must be on the app's origin %s (the app serves it)", field, rules.sameOrigin)
	}
	return nil
}

// isLoopback reports whether host is a loopback name or address (RFC 8252 §7.3).
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validTenantID matches Authalla's DNS-safe tenant ids.
func validTenantID(id string) bool {
	if len(id) == 0 || len(id) > 63 || id[0] == '-' || id[len(id)-1] == '-' {
		return false
	}
	for _, c := range id {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// checkClientID accepts the visible ASCII characters RFC 6749 Appendix A.1
// allows in client_id, minus the ones that would need quoting in an
// environment file or source string.
func checkClientID(id string) error {
	if id == "" {
		return errors.New("client_id is required")
	}
	if len(id) > maxClientIDLen {
		return fmt.Errorf("client_id is longer than %d characters", maxClientIDLen)
	}
	for _, c := range id {
		if c < 0x21 || c > 0x7e || strings.ContainsRune("\"'`$\\#<>{}", c) {
			return errors.New("client_id may only contain visible ASCII characters other than quotes, $, #, \\, <, > and braces")
		}
	}
	return nil
}

// checkScopes validates scope tokens (RFC 6749 §3.3:
// 1*( %x21 / %x23-5B / %x5D-7E )) and drops duplicates.
func checkScopes(scopes []string) ([]string, error) {
	if len(scopes) > maxScopes {
		return nil, fmt.Errorf("scopes: at most %d", maxScopes)
	}
	var out []string
	for _, sc := range scopes {
		sc = strings.TrimSpace(sc)
		if sc == "" {
			continue
		}
		if len(sc) > maxScopeLen {
			return nil, fmt.Errorf("scopes: %d characters at most per scope", maxScopeLen)
		}
		for _, c := range sc {
			if c < 0x21 || c > 0x7e || c == '"' || c == '\\' || strings.ContainsRune("'`$#<>{}", c) {
				return nil, fmt.Errorf("scopes: %q is not a valid scope token (RFC 6749 §3.3)", sc)
			}
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}
