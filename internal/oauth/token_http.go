package oauth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"net/url"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// Error codes of the token, introspection and revocation endpoints
// (RFC 6749 §5.2, RFC 8707 §2, RFC 7009 §2.2.1).
const (
	oauthInvalidRequest       = "invalid_request"
	oauthInvalidClient        = "invalid_client"
	oauthInvalidGrant         = "invalid_grant"
	oauthUnauthorizedClient   = "unauthorized_client"
	oauthUnsupportedGrantType = "unsupported_grant_type"
	oauthInvalidScope         = "invalid_scope"
	oauthInvalidTarget        = "invalid_target"
	oauthServerError          = "server_error"
	oauthTemporarilyDown      = "temporarily_unavailable"
)

// maxFormBytes bounds the body of the form-encoded POST endpoints. Their
// largest legitimate parameter is a JWT access token of a few KiB.
const maxFormBytes = 64 << 10

// repeatableParams may appear more than once in a request: RFC 8707 §2
// allows several resource indicators. Every other parameter MUST NOT be
// repeated (RFC 6749 §3.2, §3.1).
var repeatableParams = map[string]bool{"resource": true}

// oauthError builds a 400 RFC 6749 §5.2 error.
func oauthError(code, description string) error {
	return httpx.NewOAuthError(code, description)
}

// grantError is the invalid_grant error. Its description never says which
// check failed, so a probe learns nothing about codes or tokens it does not
// hold.
func grantError() error {
	return httpx.NewOAuthError(oauthInvalidGrant, "The grant is invalid, expired, revoked or was issued to another client.")
}

// internalFailure logs err with the request id and returns the error the
// client sees: 503 temporarily_unavailable when the store is down,
// otherwise 500 server_error. The client never sees err's text.
func internalFailure(ctx context.Context, what string, err error) error {
	if errors.Is(err, idp.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) {
		slog.WarnContext(ctx, "oauth: dependency unavailable", "request_id", httpx.RequestID(ctx), "op", what, "err", err)
		return &httpx.OAuthError{Code: oauthTemporarilyDown, Description: "The service is temporarily unavailable. Try again.", Status: http.StatusServiceUnavailable}
	}
	slog.ErrorContext(ctx, "oauth: request failed", "request_id", httpx.RequestID(ctx), "op", what, "err", err)
	return &httpx.OAuthError{Code: oauthServerError, Description: "An internal error occurred.", Status: http.StatusInternalServerError}
}

// readPostForm reads an application/x-www-form-urlencoded body (RFC 6749
// §3.2, RFC 7009 §2.1, RFC 7662 §2.1) of at most maxFormBytes. Parameters
// other than repeatableParams must not be repeated. The query string is
// never read: callers refuse it before (see rejectQuery).
func readPostForm(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/x-www-form-urlencoded" {
		return nil, oauthError(oauthInvalidRequest, "The request body must be application/x-www-form-urlencoded.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFormBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &httpx.OAuthError{Code: oauthInvalidRequest, Description: "The request body is too large.", Status: http.StatusRequestEntityTooLarge}
		}
		return nil, oauthError(oauthInvalidRequest, "The request body could not be read.")
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauthError(oauthInvalidRequest, "The request body is not valid form encoding.")
	}
	for name, vs := range form {
		if len(vs) > 1 && !repeatableParams[name] {
			return nil, oauthError(oauthInvalidRequest, fmt.Sprintf("The parameter %.40q must not be repeated.", name))
		}
	}
	return form, nil
}

// credentialParams are parameters that carry or name client credentials.
var credentialParams = []string{"client_id", "client_secret", "client_assertion", "client_assertion_type"}

// rejectQuery refuses a query string on the POST endpoints: credentials,
// codes and tokens in a URI end up in logs and Referer headers (RFC 6749
// §2.3.1 "MUST NOT be included in the request URI", RFC 9700 §4.3). With
// credential parameters it is an invalid_client (SECURITY-TESTS 25),
// otherwise an invalid_request.
func rejectQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	q, _ := url.ParseQuery(r.URL.RawQuery)
	for _, name := range credentialParams {
		if q.Has(name) {
			return &httpx.OAuthError{Code: oauthInvalidClient, Description: "Client credentials must not be sent in the request URI.", Status: http.StatusUnauthorized}
		}
	}
	return oauthError(oauthInvalidRequest, "Parameters must be sent in the request body, not in the URI.")
}

// writeNoStoreJSON writes a JSON response that no cache may keep
// (RFC 6749 §5.1: Cache-Control no-store and Pragma no-cache).
func writeNoStoreJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
	httpx.WriteJSON(w, status, v)
}
