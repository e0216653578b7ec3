package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
	"github.com/authalla/authalla/web"
)

// TokenStatus tells whether an access token (by jti) is still active: not
// revoked, its grant not revoked. store.Store satisfies it. It is
// authentication state, not management data.
type TokenStatus interface {
	AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error)
}

// Options are the Admin UI's dependencies.
type Options struct {
	// Manage runs every management operation.
	Manage *manage.Service
	// Keys verifies the admin tenant's tokens.
	Keys keys.Verifier
	// Tokens checks that an access token was not revoked.
	Tokens TokenStatus
	// Sealer seals the session, sign-in and flash cookies (AES-256-GCM).
	Sealer *secret.Sealer
	// Proxies says whose X-Forwarded-For to believe for the client
	// address in audit records (empty: the TCP peer).
	Proxies httpx.Proxies
	// Internal is the server's root handler: the token request is sent
	// to it in-process.
	Internal http.Handler
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
	// Random is the source of state, nonce, PKCE verifiers and CSP
	// nonces; crypto/rand when nil.
	Random io.Reader
	// FS holds templates/admin_*.html and static/; web.FS when nil.
	FS fs.FS
	// Log receives failures; slog.Default() when nil.
	Log *slog.Logger
}

// Handler serves the Admin UI.
type Handler struct {
	o     Options
	pages *renderer
}

// New builds the Admin UI handler.
func New(o Options) (*Handler, error) {
	if o.Manage == nil || o.Keys == nil || o.Tokens == nil || o.Sealer == nil || o.Internal == nil {
		return nil, errors.New("admin: Manage, Keys, Tokens, Sealer and Internal are required")
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.FS == nil {
		o.FS = web.FS
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	r, err := newRenderer(o.FS, o.Random)
	if err != nil {
		return nil, err
	}
	return &Handler{o: o, pages: r}, nil
}

// Routes mounts the Admin UI on mux. Mount mux behind the tenant resolver
// and page.Renderer.Middleware (which installs CSRF settings and the error
// page); every route answers 404 on a tenant other than the admin tenant.
func (h *Handler) Routes(mux *http.ServeMux) {
	mux.Handle("GET /admin/{$}", h.adminOnly(h.home))
	mux.Handle("GET /admin/login", h.adminOnly(h.login))
	mux.Handle("GET /admin/callback", h.adminOnly(h.callback))
	mux.Handle("POST /admin/logout", h.adminOnly(h.logout))
	mux.Handle("GET /admin/signed-out", h.adminOnly(h.signedOut))

	mux.Handle("GET /admin/tenants", h.page(manage.ScopeTenantsRead, h.tenantList))
	mux.Handle("POST /admin/tenants", h.form(manage.ScopeTenantsWrite, h.tenantCreate))
	mux.Handle("GET /admin/accounts/{account}/members", h.page(manage.ScopeTenantsRead, h.membersShow))
	mux.Handle("POST /admin/accounts/{account}/members", h.form(manage.ScopeTenantsWrite, h.memberAdd))
	mux.Handle("POST /admin/accounts/{account}/members/{user}/remove", h.form(manage.ScopeTenantsWrite, h.memberRemove))

	mux.Handle("GET /admin/tenants/{tenant}", h.page(manage.ScopeTenantsRead, h.tenantSettings))
	mux.Handle("POST /admin/tenants/{tenant}", h.form(manage.ScopeTenantsWrite, h.tenantUpdate))
	mux.Handle("POST /admin/tenants/{tenant}/suspend", h.form(manage.ScopeTenantsWrite, h.tenantSuspend))
	mux.Handle("POST /admin/tenants/{tenant}/resume", h.form(manage.ScopeTenantsWrite, h.tenantResume))

	mux.Handle("GET /admin/tenants/{tenant}/clients", h.page(manage.ScopeClientsRead, h.clientList))
	mux.Handle("POST /admin/tenants/{tenant}/clients", h.form(manage.ScopeClientsWrite, h.clientCreate))
	mux.Handle("GET /admin/tenants/{tenant}/clients/{client}", h.page(manage.ScopeClientsRead, h.clientShow))
	mux.Handle("POST /admin/tenants/{tenant}/clients/{client}", h.form(manage.ScopeClientsWrite, h.clientUpdate))
	mux.Handle("POST /admin/tenants/{tenant}/clients/{client}/secrets", h.form(manage.ScopeClientsWrite, h.clientAddSecret))

	mux.Handle("GET /admin/tenants/{tenant}/branding", h.page(manage.ScopeThemeRead, h.brandingShow))
	mux.Handle("POST /admin/tenants/{tenant}/branding", h.form(manage.ScopeThemeWrite, h.brandingSave))
	mux.Handle("POST /admin/tenants/{tenant}/branding/reset", h.form(manage.ScopeThemeWrite, h.brandingReset))

	mux.Handle("GET /admin/tenants/{tenant}/users", h.page(manage.ScopeUsersRead, h.userList))
	mux.Handle("POST /admin/tenants/{tenant}/users", h.form(manage.ScopeUsersWrite, h.userCreate))
	mux.Handle("GET /admin/tenants/{tenant}/users/{user}", h.page(manage.ScopeUsersRead, h.userShow))
	mux.Handle("POST /admin/tenants/{tenant}/users/{user}/suspend", h.form(manage.ScopeUsersWrite, h.userSuspend))
	mux.Handle("POST /admin/tenants/{tenant}/users/{user}/sessions/revoke", h.form(manage.ScopeUsersWrite, h.userEndSessions))
	mux.Handle("POST /admin/tenants/{tenant}/users/{user}/apps/{client}/revoke", h.form(manage.ScopeUsersWrite, h.userRevokeApp))

	mux.Handle("GET /admin/tenants/{tenant}/resource-servers", h.page(manage.ScopeResourceServersRead, h.rsList))
	mux.Handle("POST /admin/tenants/{tenant}/resource-servers", h.form(manage.ScopeResourceServersWrite, h.rsCreate))

	mux.Handle("GET /admin/tenants/{tenant}/keys", h.page(manage.ScopeKeysRead, h.keyList))
	mux.Handle("POST /admin/tenants/{tenant}/keys/rotate", h.form(manage.ScopeKeysWrite, h.keyRotate))
	mux.Handle("POST /admin/tenants/{tenant}/keys/{kid}/activate", h.form(manage.ScopeKeysWrite, h.keyActivate))
	mux.Handle("POST /admin/tenants/{tenant}/keys/{kid}/retire", h.form(manage.ScopeKeysWrite, h.keyRetire))

	mux.Handle("GET /admin/tenants/{tenant}/audit", h.page(manage.ScopeAuditRead, h.auditList))
}

// adminOnly answers 404 on every tenant but the admin tenant.
func (h *Handler) adminOnly(next func(http.ResponseWriter, *http.Request, *tenant.Info) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info, ok := tenant.FromContext(r.Context())
		if !ok || !info.Tenant.Admin {
			h.fail(w, r, idp.ErrNotFound)
			return
		}
		if err := next(w, r, info); err != nil {
			h.fail(w, r, err)
		}
	})
}
