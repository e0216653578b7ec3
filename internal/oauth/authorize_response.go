package oauth

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
)

// authzError is an authorization error answered by redirecting to the
// client's validated redirect URI (RFC 6749 §4.1.2.1). It may only be
// returned once the client and the redirect URI have been checked; before
// that, errors are *httpx.PageError and never redirect.
type authzError struct {
	Code        string // RFC 6749 §4.1.2.1 / OIDC Core §3.1.2.6 error code
	Description string // safe to show: no secrets, no echoed input
}

func (e *authzError) Error() string { return "authorize: " + e.Code + ": " + e.Description }

// errAuthz builds an *authzError.
func errAuthz(code, description string) *authzError {
	return &authzError{Code: code, Description: description}
}

// Authorization error codes (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6,
// RFC 8707 §2).
const (
	errInvalidRequest          = "invalid_request"
	errUnsupportedResponseType = "unsupported_response_type"
	errInvalidScope            = "invalid_scope"
	errAccessDenied            = "access_denied"
	errServerError             = "server_error"
	errLoginRequired           = "login_required"
	errConsentRequired         = "consent_required"
	errRequestNotSupported     = "request_not_supported"
	errRequestURINotSupported  = "request_uri_not_supported"
	errInvalidTarget           = "invalid_target"
)

// appendQuery adds params to the query of a redirect URI, keeping the
// registered query exactly as it is (RFC 6749 §3.1.2: it "MUST be retained
// when adding additional query parameters"). A fragment never reaches a
// response.
func appendQuery(uri string, params url.Values) string {
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri = uri[:i]
	}
	switch {
	case !strings.Contains(uri, "?"):
		uri += "?"
	case !strings.HasSuffix(uri, "?") && !strings.HasSuffix(uri, "&"):
		uri += "&"
	}
	return uri + params.Encode()
}

// redirect answers an authorization request in response_mode=query. It is
// always 303 See Other: a 307 would make the browser re-post the form it
// came from, credentials included (RFC 9700 §4.12).
func redirect(w http.ResponseWriter, r *http.Request, uri string) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, uri, http.StatusSeeOther)
}

// responseURL adds params, state and iss to the redirect URI. Every
// authorization response, success or error, carries iss (RFC 9207 §2) so
// that a client talking to several servers detects a mix-up.
func responseURL(redirectURI, state, issuer string, params url.Values) string {
	if state != "" {
		params.Set("state", state)
	}
	params.Set("iss", issuer)
	return appendQuery(redirectURI, params)
}

// redirectResponse sends params (plus state and iss) to the redirect URI.
func redirectResponse(w http.ResponseWriter, r *http.Request, redirectURI, state, issuer string, params url.Values) {
	redirect(w, r, responseURL(redirectURI, state, issuer, params))
}

// redirectError sends an authorization error to a's validated redirect
// URI (RFC 6749 §4.1.2.1). For a client the tenant does not operate
// (idp.Client.ThirdParty: dynamically registered or described by a
// metadata document) it instead returns an *httpx.InterstitialRedirect,
// which the error mapper shows as a page with a plain link to the same
// URL, unless Options.DirectThirdPartyErrors is set: anyone can create
// such a client, and a request that is sure to fail would otherwise make
// this server an open redirector to its URI (RFC 9700 §4.11.2).
func (p *Provider) redirectError(w http.ResponseWriter, r *http.Request, a *authorization, e *authzError) error {
	params := url.Values{"error": {e.Code}}
	if e.Description != "" {
		params.Set("error_description", httpx.SanitizeDescription(e.Description))
	}
	target := responseURL(a.redirectURI, a.req.State, a.info.Issuer, params)
	if a.client.ThirdParty && !p.directThirdPartyErrors {
		name := a.client.Name
		if name == "" {
			name = a.client.ID
		}
		return &httpx.InterstitialRedirect{Target: target, Host: redirectHost(a.redirectURI), ClientName: name, Code: e.Code}
	}
	redirect(w, r, target)
	return nil
}

// redirectHost is the host (with port) of a redirect URI, or "" for a
// private-use scheme without an authority (RFC 8252 §7.1).
func redirectHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil {
		return ""
	}
	return u.Host
}
