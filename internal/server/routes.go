package server

import (
	"context"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/httpx"
)

// Pinger is the readiness probe's view of the store.
type Pinger interface {
	Ping(ctx context.Context) error
}

// routes lists every URL the server answers.
//
// Process endpoints, on every host:
//
//	GET /healthz   liveness: the process is up (never touches the database)
//	GET /readyz    readiness: the database answers within 2 s
//
// Tenant endpoints, on {id}.{base-domain}, login.{base-domain} (admin
// tenant), {public-url}/t/{id} and {public-url} (admin tenant); unknown
// hosts get 404:
//
//	GET  /.well-known/openid-configuration     oauth: OIDC Discovery 1.0
//	GET  /.well-known/oauth-authorization-server oauth: RFC 8414 copy
//	GET  /.well-known/oauth-authorization-server/t/{id} the same for a path issuer (RFC 8414 §3.1)
//	GET  /.well-known/jwks.json                 oauth: public keys
//	GET|POST /oauth2/authorize                  oauth: RFC 6749 §4.1, PKCE, RFC 9207
//	                                            (errors of third-party clients: an interstitial page
//	                                            linking to the error redirect, --untrusted-error-interstitial)
//	POST /oauth2/token                          oauth: code, refresh_token, client_credentials
//	GET|POST /oauth2/userinfo                   oauth: OIDC Core §5.3
//	POST /oauth2/introspect                     oauth: RFC 7662
//	POST /oauth2/revoke                         oauth: RFC 7009
//	PUT  /oauth2/me                             oauth: the user updates their name
//	GET|POST /oauth2/login, /oauth2/signup      login: email → PIN + magic link
//	GET|POST /oauth2/pin-code, /oauth2/magic-link login
//	GET|POST /oauth2/consent                    login
//	GET|POST /oauth2/logout                     login: OIDC RP-Initiated Logout 1.0
//	GET  /                                      login: account start page
//	GET  /assets/…                              login: CSS, JS, images
//	…    /api/v1/…                              api: the management REST API (internal/api routes.go
//	                                            lists every operation); GET /api/v1/openapi.json
//	GET|POST /admin/…                           admin: the Admin UI, on the admin tenant's hosts only
//	POST /mcp                                   mcp: the MCP server (Streamable HTTP, stateless), admin tenant only;
//	                                            bearer token with aud {issuer}/mcp, scopes mcp:read|write|admin
//	GET  /.well-known/oauth-protected-resource[/mcp] mcp: RFC 9728 metadata of /mcp, admin tenant only
func routes(mux *http.ServeMux, db Pinger, tenants http.Handler) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Cache-Control", "no-store")
		if err := db.Ping(ctx); err != nil {
			httpx.WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "database": "unreachable"})
			return
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "database": "ok"})
	})
	// RFC 8414 §3.1 inserts the well-known segment between the host and
	// the issuer's path; a path issuer {public-url}/t/{id} therefore has
	// its metadata at /.well-known/oauth-authorization-server/t/{id}.
	for _, doc := range []string{"oauth-authorization-server", "openid-configuration"} {
		doc := doc
		mux.HandleFunc("GET /.well-known/"+doc+"/t/{tenant}", func(w http.ResponseWriter, r *http.Request) {
			// A shallow copy with its own URL: nothing below writes
			// to the request's headers, so they need no deep clone.
			r2 := r.WithContext(r.Context())
			u := *r.URL
			u.Path = "/t/" + r.PathValue("tenant") + "/.well-known/" + doc
			u.RawPath = ""
			r2.URL = &u
			tenants.ServeHTTP(w, r2)
		})
	}
	mux.Handle(catchAll, tenants)
}

// jsonOnly reports the issuer-relative paths whose every answer is JSON
// or empty, whatever the method and the outcome: discovery (both
// names), JWKS, token, introspection, revocation and userinfo. Their
// errors are RFC 6749 §5.2 JSON, their preflights 204s. They need none of
// the hosted pages' context (error page, interstitial, CSRF) and none of
// the headers that govern a rendered document, only those of
// page.SetJSONHeaders.
func jsonOnly(path string) bool {
	switch path {
	case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server", "/.well-known/jwks.json",
		"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/userinfo":
		return true
	}
	return false
}

// byAnswer sends a request on a jsonOnly path (the tenant resolver has
// already removed a path issuer's prefix) to json, every other to pages.
func byAnswer(json, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if jsonOnly(r.URL.Path) {
			json.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

// catchAll is the root mux's pattern for tenant requests (routes).
const catchAll = "/"

// skipRoot returns the root handler: root (the process mux, reporting its
// routes) for what only it can answer, and tenants directly for a request
// that root would give to its catch-all pattern anyway. ServeMux, having
// matched only "/", looks the path up a second time with a "/" appended
// (for a /tree → /tree/ redirect, which no root pattern can call for), so
// the shortcut spares every tenant request a routing pass and an
// allocation. The request goes through root when its path is not clean
// (root answers with a redirect to the clean path), for CONNECT and "*"
// (handled apart by ServeMux), and when it could match one of root's own
// patterns. The route reported for a tenant request is "/" unless the
// tenant mux reports its own, as through root.
func skipRoot(root, tenants http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !tenantBound(r) {
			root.ServeHTTP(w, r)
			return
		}
		defer httpx.ReportRoute(r, catchAll)
		tenants.ServeHTTP(w, r)
	})
}

// tenantBound reports a request that the root mux of routes would hand to
// its catch-all "/" unchanged.
func tenantBound(r *http.Request) bool {
	p := r.URL.Path
	if r.Method == http.MethodConnect || r.RequestURI == "*" || !cleanPath(p) {
		return false
	}
	switch {
	case p == "/healthz", p == "/readyz", strings.HasPrefix(p, "/.well-known/oauth-authorization-server/"),
		strings.HasPrefix(p, "/.well-known/openid-configuration/"):
		return false
	}
	return true
}

// cleanPath reports whether ServeMux would leave p as it is: rooted, and
// path.Clean's result with a trailing slash kept (path.Clean allocates
// nothing for a path it does not change).
func cleanPath(p string) bool {
	if p == "" || p[0] != '/' {
		return false
	}
	if p != "/" && p[len(p)-1] == '/' {
		return path.Clean(p) == p[:len(p)-1]
	}
	return path.Clean(p) == p
}
