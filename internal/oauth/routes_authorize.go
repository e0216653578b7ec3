package oauth

import "net/http"

// authorizeRoutes registers discovery, JWKS and authorize (owned by the
// authorize half of the package).
func (p *Provider) authorizeRoutes(mux *http.ServeMux) {}
