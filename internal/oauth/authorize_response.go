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

// redirectResponse sends params (plus state and iss) to the redirect URI.
// Every authorization response, success or error, carries iss (RFC 9207
// §2) so that a client talking to several servers detects a mix-up.
func redirectResponse(w http.ResponseWriter, r *http.Request, redirectURI, state, issuer string, params url.Values) {
	if state != "" {
		params.Set("state", state)
	}
	params.Set("iss", issuer)
	redirect(w, r, appendQuery(redirectURI, params))
}

// redirectError sends an authorization error to the redirect URI.
func redirectError(w http.ResponseWriter, r *http.Request, redirectURI, state, issuer string, e *authzError) {
	params := url.Values{"error": {e.Code}}
	if e.Description != "" {
		params.Set("error_description", httpx.SanitizeDescription(e.Description))
	}
	redirectResponse(w, r, redirectURI, state, issuer, params)
}
