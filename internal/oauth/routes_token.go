package oauth

import "net/http"

// tokenRoutes registers token, userinfo, introspect, revoke and /oauth2/me
// (owned by the token half of the package). Each allows CORS from the
// tenant's origins, with its own OPTIONS route for preflights.
func (p *Provider) tokenRoutes(mux *http.ServeMux) {
	// The code and refresh grants queue for their turn (admission.go).
	p.grants = newGrantAdmission()
	token := p.cors(p.tokenHandler())
	mux.Handle("POST /oauth2/token", token)
	mux.Handle("OPTIONS /oauth2/token", token)

	userinfo := p.cors(p.userInfoHandler())
	mux.Handle("GET /oauth2/userinfo", userinfo)
	mux.Handle("POST /oauth2/userinfo", userinfo)
	mux.Handle("OPTIONS /oauth2/userinfo", userinfo)

	introspect := p.cors(p.introspectHandler())
	mux.Handle("POST /oauth2/introspect", introspect)
	mux.Handle("OPTIONS /oauth2/introspect", introspect)

	revoke := p.cors(p.revokeHandler())
	mux.Handle("POST /oauth2/revoke", revoke)
	mux.Handle("OPTIONS /oauth2/revoke", revoke)

	me := p.corsMethods("PUT", p.meHandler())
	mux.Handle("PUT /oauth2/me", me)
	mux.Handle("OPTIONS /oauth2/me", me)
}
