package oauth

import "net/http"

// tokenRoutes registers token, userinfo, introspect, revoke and /oauth2/me
// (owned by the token half of the package).
func (p *Provider) tokenRoutes(mux *http.ServeMux) {}
