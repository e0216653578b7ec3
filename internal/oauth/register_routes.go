package oauth

import (
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
)

// registerRoutes registers dynamic client registration (RFC 7591) and its
// management endpoint (RFC 7592). They exist on every tenant mux but
// answer 404 except on the admin tenant with a Registrar. No CORS: native
// and server-side clients register, not web pages.
func (p *Provider) registerRoutes(mux *http.ServeMux) {
	mux.Handle("POST "+registerPath, httpx.Handle(p.register))
	mux.Handle("GET "+registerPath+"/{client_id}", httpx.Handle(p.registeredClient))
	mux.Handle("DELETE "+registerPath+"/{client_id}", httpx.Handle(p.deleteRegisteredClient))
	mux.Handle("PUT "+registerPath+"/{client_id}", httpx.Handle(p.updateRegisteredClient))
}
