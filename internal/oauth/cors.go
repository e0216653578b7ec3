package oauth

import (
	"net/http"
	"slices"

	"github.com/authalla/authalla/internal/tenant"
)

// CORS settings for the endpoints browser apps call directly (PRODUCT §3:
// token, userinfo, revoke, introspect, discovery, JWKS — never authorize,
// which is a top-level navigation).
const (
	corsAllowHeaders  = "Authorization, Content-Type"
	corsExposeHeaders = "WWW-Authenticate, Retry-After"
	corsMaxAge        = "600"
)

// hdrVaryOrigin is the Vary value of a CORS-enabled answer, built once
// (length and capacity 1: an Add appends to a copy).
var hdrVaryOrigin = []string{"Origin"}

// cors allows cross-origin GET and POST from the tenant's allowed origins.
// Wrap discovery, JWKS, token, userinfo, introspect and revoke with it;
// never authorize.
func (p *Provider) cors(h http.Handler) http.Handler {
	return p.corsMethods("GET, POST", h)
}

// corsMethods is cors with the methods a preflight may ask for. When the
// request's Origin is one of the tenant's AllowedOrigins (exact,
// case-sensitive match of scheme://host[:port]; Fetch §3.2) the response
// names it in Access-Control-Allow-Origin; otherwise no CORS header is
// sent and the browser withholds the response. Credentials (cookies) are
// never allowed: these endpoints take tokens, not sessions. A preflight
// (OPTIONS with Access-Control-Request-Method) is answered here with 204
// and never reaches h.
func (p *Provider) corsMethods(methods string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		// Vary: Origin on every answer, allowed or not (Fetch §3.2.3;
		// caches must not serve one origin's answer to another). Header.Add
		// without its key check and, when Vary is new, without a slice.
		if v, ok := hdr["Vary"]; ok {
			hdr["Vary"] = append(v, "Origin")
		} else {
			hdr["Vary"] = hdrVaryOrigin
		}
		origin := r.Header.Get("Origin")
		allowed := origin != "" && originAllowed(r, origin)
		if allowed {
			hdr.Set("Access-Control-Allow-Origin", origin)
		}
		if r.Method == http.MethodOptions {
			if allowed && r.Header.Get("Access-Control-Request-Method") != "" {
				hdr.Set("Access-Control-Allow-Methods", methods)
				hdr.Set("Access-Control-Allow-Headers", corsAllowHeaders)
				hdr.Set("Access-Control-Max-Age", corsMaxAge)
			}
			hdr.Set("Allow", methods+", OPTIONS")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			hdr.Set("Access-Control-Expose-Headers", corsExposeHeaders)
		}
		h.ServeHTTP(w, r)
	})
}

// originAllowed reports whether origin is one of the request tenant's
// allowed origins. The literal "null" (sandboxed or file: documents) is
// never allowed.
func originAllowed(r *http.Request, origin string) bool {
	if origin == "null" {
		return false
	}
	info, ok := tenant.FromContext(r.Context())
	return ok && slices.Contains(info.Tenant.AllowedOrigins, origin)
}
