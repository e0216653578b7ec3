package page

import (
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
)

// InterstitialData is the interstitial template's data.
type InterstitialData struct {
	ClientName string
	// Host labels the link; "" for a private-use scheme redirect URI.
	Host string
	// Reason says in plain words why the request ended.
	Reason string
	// Code is the protocol error code, shown for support.
	Code string
	// Target is the error response URL. html/template would replace a
	// private-use scheme (a native app's redirect URI) with #ZgotmplZ, so
	// it is a template.URL; only safeTarget's checked values are put here.
	Target template.URL
}

// Interstitial writes the page shown instead of redirecting an error to a
// client the tenant does not operate; it matches
// httpx.InterstitialRenderer. The page is a 200 with the hosted pages'
// security headers (no-store, Referrer-Policy no-referrer, a CSP without
// inline script) and a plain link: nothing navigates by itself. A target
// that is not a safe absolute URL, which the protocol layer never builds,
// gives an error page rather than a link.
func (r *Renderer) Interstitial(w http.ResponseWriter, req *http.Request, ir *httpx.InterstitialRedirect) {
	target, ok := safeTarget(ir.Target)
	if !ok {
		r.log.ErrorContext(req.Context(), "page: interstitial target refused", slog.String("request_id", httpx.RequestID(req.Context())))
		r.ErrorPage(w, req, http.StatusBadRequest, "Sign-in did not complete", "The request ended with an error, and the application cannot be reached from here. Go back to the application and start again.")
		return
	}
	name := ir.ClientName
	if name == "" {
		name = "An application"
	}
	d := InterstitialData{ClientName: name, Host: ir.Host, Reason: ErrorReason(ir.Code), Code: ir.Code, Target: target}
	if err := r.Render(w, req, http.StatusOK, "interstitial", "Sign-in did not complete", d); err != nil {
		r.log.ErrorContext(req.Context(), "page: interstitial failed", slog.String("request_id", httpx.RequestID(req.Context())), slog.Any("err", err))
		SetSecurityHeaders(w.Header(), "", req.TLS != nil)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "Sign-in did not complete: "+d.Reason+"\nReturn to the application: "+ir.Target+"\n")
	}
}

// unsafeSchemes can run script, read local files or embed content; a link
// to them is never offered, whatever built it.
var unsafeSchemes = map[string]bool{
	"javascript": true, "data": true, "file": true, "vbscript": true,
	"blob": true, "about": true, "filesystem": true,
}

// safeTarget returns s as a template.URL when it is an absolute URL
// without whitespace or control characters and with a scheme that cannot
// run script. This is a second line behind the protocol layer, which
// builds s from a redirect URI validated at registration and matched
// exactly at the request.
func safeTarget(s string) (template.URL, bool) {
	if s == "" || strings.ContainsFunc(s, func(c rune) bool { return c <= ' ' || c == 0x7f }) {
		return "", false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" || unsafeSchemes[strings.ToLower(u.Scheme)] {
		return "", false
	}
	return template.URL(s), true
}

// errorReasons say in plain words why an authorization request ended,
// by error code (RFC 6749 §4.1.2.1, OIDC Core §3.1.2.6, RFC 8707 §2).
var errorReasons = map[string]string{
	"access_denied":              "access was denied, for example because you chose Deny.",
	"login_required":             "it asked to sign you in without showing a page, and you are not signed in.",
	"consent_required":           "it asked for access without showing a page, and you have not allowed it yet.",
	"interaction_required":       "it asked to continue without showing a page, and the sign-in needs you.",
	"account_selection_required": "it asked to continue without showing a page, and you need to choose an account.",
	"invalid_scope":              "it asked for permissions that are not available to it.",
	"invalid_target":             "it asked for access to an API that is not available to it.",
	"invalid_request":            "the request it sent was incomplete or not valid.",
	"unsupported_response_type":  "it asked for a kind of answer this service does not give.",
	"unauthorized_client":        "it is not allowed to sign in this way.",
	"request_not_supported":      "it sent its request in a form this service does not accept.",
	"request_uri_not_supported":  "it sent its request in a form this service does not accept.",
	"server_error":               "this service had a problem.",
	"temporarily_unavailable":    "this service is busy. Try again later.",
}

// ErrorReason returns the plain-words reason for an authorization error
// code, or a generic one for a code it does not know.
func ErrorReason(code string) string {
	if s, ok := errorReasons[code]; ok {
		return s
	}
	return "it could not be completed."
}
