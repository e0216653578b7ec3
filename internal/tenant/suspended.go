package tenant

import (
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
)

// Suspended tenants. A tenant an administrator suspended (idp.Tenant.Status,
// manage.SuspendTenant) keeps its users, clients and keys, but its issuer —
// host and path form alike — answers no request until it is resumed:
//
//   - introspection (POST /oauth2/introspect) answers {"active": false}
//     (RFC 7662 §2.2: the server no longer vouches for any of the tenant's
//     tokens, so a resource server that introspects refuses them);
//   - the protected resources of the issuer, userinfo and /oauth2/me,
//     answer 401 invalid_token (RFC 6750 §3.1: the token is no longer
//     valid);
//   - every other JSON endpoint (token, revocation, registration,
//     discovery, JWKS — so resource servers fetch no new keys — and the
//     tenant's management API) answers 403 with the RFC 6749 §5.2 body
//     {"error":"access_denied","error_description":"tenant is suspended"};
//   - hosted pages (authorize, login, consent, logout, the account page)
//     show an HTML error page with status 403.
//
// The admin tenant cannot be suspended, so its hosts keep serving the
// Admin UI, the REST API (with X-Tenant-ID) and MCP, through which the
// tenant is read and resumed. Nodes learn of a suspension through the
// change bus (a tenant change drops the resolver's cached record).

// suspendedDescription is the error_description of every JSON refusal. It
// names the state, never the tenant's internals.
const suspendedDescription = "tenant is suspended"

// RefuseSuspended answers every request whose tenant (resolved into the
// context by Middleware) is suspended, and passes the others to next. Mount
// it behind Middleware and behind the hosted pages' middleware, so that
// the HTML refusal is the tenant's error page with its security headers.
func RefuseSuspended(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if info, ok := FromContext(req.Context()); ok && info.Tenant.Suspended() {
			refuseSuspended(w, req)
			return
		}
		next.ServeHTTP(w, req)
	})
}

// refuseSuspended writes the answer for req on a suspended tenant's issuer
// (req.URL.Path is already relative to the issuer).
func refuseSuspended(w http.ResponseWriter, req *http.Request) {
	p := req.URL.Path
	switch {
	case p == "/oauth2/introspect" && req.Method == http.MethodPost:
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Pragma", "no-cache")
		httpx.WriteJSON(w, http.StatusOK, map[string]bool{"active": false})
	case p == "/oauth2/userinfo" || p == "/oauth2/me":
		httpx.WriteError(w, req, &httpx.OAuthError{
			Status: http.StatusUnauthorized, Code: "invalid_token", Description: suspendedDescription,
			WWWAuthenticate: `Bearer error="invalid_token", error_description="` + suspendedDescription + `"`,
		})
	case jsonEndpoint(p) || acceptsJSONOnly(req):
		httpx.WriteError(w, req, &httpx.OAuthError{
			Status: http.StatusForbidden, Code: "access_denied", Description: suspendedDescription,
		})
	default:
		httpx.WriteError(w, req, &httpx.PageError{
			Status: http.StatusForbidden, Title: "Sign-in unavailable",
			Message: "This sign-in service is suspended. Contact the application's provider.",
		})
	}
}

// jsonEndpoint reports the issuer paths whose clients are programs that
// read JSON (everything else is a page a person sees).
func jsonEndpoint(p string) bool {
	switch p {
	case "/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/mcp":
		return true
	}
	for _, prefix := range []string{"/.well-known/", "/oauth2/register", "/api/"} {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// acceptsJSONOnly reports a caller that asked for JSON and not HTML.
func acceptsJSONOnly(req *http.Request) bool {
	a := req.Header.Get("Accept")
	return strings.Contains(a, "application/json") && !strings.Contains(a, "text/html")
}
