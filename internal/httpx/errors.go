package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// HandlerFunc is an http.HandlerFunc that returns an error for the mapper.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Handle adapts h: a returned error is written by WriteError.
func Handle(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}

// OAuthError is an RFC 6749 §5.2 error answered as JSON (token, introspect,
// revoke, userinfo endpoints).
type OAuthError struct {
	Code        string // e.g. "invalid_grant"
	Description string // safe for the client: no secrets, no CR/LF/TAB
	Status      int    // 400 if zero
	// WWWAuthenticate is sent as the header of that name when not empty
	// (RFC 6749 §5.2 for Basic, RFC 6750 §3 for Bearer).
	WWWAuthenticate string
}

func (e *OAuthError) Error() string { return "oauth: " + e.Code + ": " + e.Description }

// NewOAuthError builds an OAuthError with status 400.
func NewOAuthError(code, description string) *OAuthError {
	return &OAuthError{Code: code, Description: description, Status: http.StatusBadRequest}
}

// PageError is shown to a person as an HTML error page, never as a redirect
// (for example an unknown client or a redirect_uri that does not match).
type PageError struct {
	Status  int
	Title   string
	Message string // safe to show
}

func (e *PageError) Error() string { return "page: " + e.Title + ": " + e.Message }

// APIError is a management API error: {error, error_description[, fields]}.
type APIError struct {
	Status      int
	Code        string
	Description string
	Fields      map[string]string
	// RetryAfter, when positive, is sent as Retry-After in whole seconds,
	// rounded up (RFC 9110 §10.2.3; a 429 or 503 says when to try again).
	RetryAfter time.Duration
}

func (e *APIError) Error() string { return "api: " + e.Code + ": " + e.Description }

// PageRenderer writes an HTML error page. The server installs one in the
// request context (WithPageRenderer); without it the mapper writes plain text.
type PageRenderer func(w http.ResponseWriter, r *http.Request, status int, title, message string)

type rendererKey struct{}

// WithPageRenderer returns ctx carrying the HTML error page renderer.
func WithPageRenderer(ctx context.Context, p PageRenderer) context.Context {
	return context.WithValue(ctx, rendererKey{}, p)
}

// WriteError maps err to a response. Internal errors are logged with the
// request id and answered with a generic message: internal text never
// reaches the client.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		oe *OAuthError
		pe *PageError
		ir *InterstitialRedirect
		ae *APIError
		ve *idp.ValidationError
	)
	switch {
	case errors.As(err, &ir):
		writeInterstitial(w, r, ir)
		return
	case errors.As(err, &oe):
		writeOAuth(w, oe)
		return
	case errors.As(err, &pe):
		retryAfter(w, pe.Status)
		writePage(w, r, pe.Status, pe.Title, pe.Message)
		return
	case errors.As(err, &ae):
		if ae.RetryAfter > 0 {
			secs := int((ae.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
		}
		retryAfter(w, ae.Status)
		WriteJSON(w, ae.Status, apiBody(ae))
		return
	case errors.As(err, &ve):
		ae = &APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: ve.Error(), Fields: map[string]string{ve.Field: ve.Message}}
	case errors.Is(err, idp.ErrNotFound):
		ae = &APIError{Status: http.StatusNotFound, Code: "not_found", Description: "The requested resource does not exist."}
	case errors.Is(err, idp.ErrConflict):
		ae = &APIError{Status: http.StatusConflict, Code: "conflict", Description: "The resource already exists."}
	case errors.Is(err, idp.ErrForbidden):
		ae = &APIError{Status: http.StatusForbidden, Code: "forbidden", Description: "You are not allowed to do this."}
	case errors.Is(err, idp.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		// A dependency (the database) is down: 503, and the cause in the
		// log only (SECURITY-TESTS 51).
		slog.WarnContext(r.Context(), "request failed: dependency unavailable", "request_id", RequestID(r.Context()), "path", r.URL.Path, "err", err)
		ae = &APIError{Status: http.StatusServiceUnavailable, Code: "temporarily_unavailable", Description: "The service is temporarily unavailable. Try again."}
	default:
		slog.ErrorContext(r.Context(), "request failed", "request_id", RequestID(r.Context()), "path", r.URL.Path, "err", err)
		ae = &APIError{Status: http.StatusInternalServerError, Code: "server_error", Description: "An internal error occurred."}
	}
	retryAfter(w, ae.Status)
	if wantsJSON(r) {
		WriteJSON(w, ae.Status, apiBody(ae))
		return
	}
	writePage(w, r, ae.Status, http.StatusText(ae.Status), ae.Description)
}

// retryAfterSeconds is the Retry-After of a 503: the store's connections
// come back within about a second of the database.
const retryAfterSeconds = "1"

// retryAfter tells the client when to try a 503 again (RFC 9110 §10.2.3,
// §15.6.4), unless the handler already said.
func retryAfter(w http.ResponseWriter, status int) {
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", retryAfterSeconds)
	}
}

func apiBody(ae *APIError) map[string]any {
	body := map[string]any{"error": ae.Code, "error_description": SanitizeDescription(ae.Description)}
	if len(ae.Fields) > 0 {
		body["fields"] = ae.Fields
	}
	return body
}

func writeOAuth(w http.ResponseWriter, e *OAuthError) {
	status := e.Status
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.WWWAuthenticate != "" {
		w.Header().Set("WWW-Authenticate", e.WWWAuthenticate)
	}
	retryAfter(w, status)
	body := map[string]string{"error": e.Code}
	if e.Description != "" {
		body["error_description"] = SanitizeDescription(e.Description)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	WriteJSON(w, status, body)
}

func writePage(w http.ResponseWriter, r *http.Request, status int, title, message string) {
	if p, ok := r.Context().Value(rendererKey{}).(PageRenderer); ok && p != nil {
		p(w, r, status, title, message)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(title + ": " + message + "\n"))
}

func wantsJSON(r *http.Request) bool {
	if isAPIPath(r.URL.Path) {
		return true
	}
	accept := r.Header.Get("Accept")
	return strings.Contains(accept, "application/json") && !strings.Contains(accept, "text/html")
}

// isAPIPath reports a management API path: /api/... on a tenant's host,
// or /t/{id}/api/... under a path issuer.
func isAPIPath(p string) bool {
	if strings.HasPrefix(p, "/api/") {
		return true
	}
	rest, ok := strings.CutPrefix(p, "/t/")
	if !ok {
		return false
	}
	_, after, ok := strings.Cut(rest, "/")
	return ok && strings.HasPrefix(after, "api/")
}

// WriteJSON writes v as JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// SanitizeDescription keeps error_description within RFC 6749 §5.2's
// character set (%x20-21 / %x23-5B / %x5D-7E): CR, LF, TAB, quotes,
// backslashes and non-ASCII become spaces.
func SanitizeDescription(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			b[i] = ' '
		}
	}
	return string(b)
}
