package oauth

import (
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
)

// authorizeRoutes registers discovery, JWKS and authorize (owned by the
// authorize half of the package). Discovery and JWKS allow CORS from the
// tenant's origins; authorize never does, it is a top-level navigation
// (PRODUCT §3).
func (p *Provider) authorizeRoutes(mux *http.ServeMux) {
	discovery := p.cors(httpx.Handle(p.discovery))
	mux.Handle("GET /.well-known/openid-configuration", discovery)
	mux.Handle("OPTIONS /.well-known/openid-configuration", discovery)
	mux.Handle("GET /.well-known/oauth-authorization-server", discovery)
	mux.Handle("OPTIONS /.well-known/oauth-authorization-server", discovery)
	jwks := p.cors(httpx.Handle(p.jwks))
	mux.Handle("GET /.well-known/jwks.json", jwks)
	mux.Handle("OPTIONS /.well-known/jwks.json", jwks)
	authorize := httpx.Handle(p.authorize)
	mux.Handle("GET /oauth2/authorize", authorize)
	mux.Handle("POST /oauth2/authorize", authorize)
}
