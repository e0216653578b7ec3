package server

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"github.com/authalla/authalla/internal/admin"
	"github.com/authalla/authalla/internal/api"
	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/login"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/mcp"
	"github.com/authalla/authalla/internal/metrics"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// Options are the server's dependencies, built by the app.
type Options struct {
	Config *config.Config
	Store  store.Store
	Keys   KeyManager
	Mail   mail.Sender
	Clock  idp.Clock
	Random secret.Source
	Log    *slog.Logger
	// Manage runs management operations; with it the REST API /api/v1 is
	// served on every tenant host (without it, it is not).
	Manage *manage.Service
	// Sealer seals the Admin UI's cookies; with it and Manage the Admin UI
	// is served under /admin/ on the admin tenant's hosts.
	Sealer *secret.Sealer
	// RefreshSuccessorKey derives rotated refresh tokens' successors
	// (oauth.Options.RefreshSuccessorKey); serve derives it from the
	// master key. nil: random successors.
	RefreshSuccessorKey []byte
	// MetadataAddressPolicy and MetadataRootCAs replace, for tests that
	// serve Client ID Metadata Documents on loopback, the rule that
	// documents are fetched from public addresses only and the system
	// trust roots. Production leaves both nil.
	MetadataAddressPolicy func(netip.Addr) bool
	MetadataRootCAs       *x509.CertPool
	// Metrics is this server's registry (one per server: the database
	// pools are registered on it); nil makes a fresh one. It is served by
	// MetricsHandler, never by Handler.
	Metrics *metrics.Metrics
	// Changed is told about every change the server commits outside
	// Manage that other nodes' caches must see (a token revoked at
	// /oauth2/revoke); the app points it at its change bus. May be nil.
	Changed func(idp.Change)
}

// KeyManager is the key service the server needs: signing, verification,
// the JWKS, and the periodic staged-rotation maintenance. *keys.Manager
// satisfies it.
type KeyManager interface {
	keys.Signer
	keys.Verifier
	keys.Publisher
	EnsureKey(ctx context.Context, tenantID, alg string) error
	Maintain(ctx context.Context, tenantID string) error
	JWKSMaxAge() time.Duration
}

// maxBody caps every request body: the largest legitimate one is a form
// or a JSON patch of a few kilobytes.
const maxBody = 1 << 20

// Server is the root handler and the tenant resolver it routes with.
type Server struct {
	handler  http.Handler
	resolver *tenant.Resolver
	provider *oauth.Provider
	login    *login.Handler
	metrics  *metrics.Metrics
}

// New builds the server: process endpoints first, then every tenant's
// protocol endpoints and hosted pages behind the tenant resolver.
func New(o Options) (*Server, error) {
	if o.Config == nil || o.Store == nil || o.Keys == nil || o.Mail == nil {
		return nil, errors.New("server: Config, Store, Keys and Mail are required")
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Metrics == nil {
		o.Metrics = metrics.New(metrics.Options{Log: o.Log})
	}
	if db, ok := o.Store.(pooledStore); ok {
		if err := o.Metrics.WatchDB(db.Dialect(), db.PoolStats); err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
	}
	cfg := o.Config
	proxies := httpx.Proxies(cfg.TrustedProxies)
	resolver, err := tenant.NewResolver(o.Store, tenant.Options{
		PublicURL: cfg.PublicURL, BaseDomain: cfg.BaseDomain, PathIssuers: cfg.PathIssuers,
		Proxies: proxies, Clock: o.Clock, Cache: o.Metrics.Cache("tenants"),
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	pages, err := page.New(o.Store, page.Options{Random: o.Random.R, Log: o.Log})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	sessions := &session.Manager{Store: o.Store, Clock: o.Clock, Random: o.Random}
	var metadataDocs *oauth.ClientMetadataDocuments
	if cfg.ClientIDMetadataDocuments && o.Manage != nil {
		metadataDocs = oauth.NewClientMetadataDocuments(oauth.ClientMetadataOptions{
			Registrar: o.Manage, Clock: o.Clock, Log: o.Log, AllowAddress: o.MetadataAddressPolicy, RootCAs: o.MetadataRootCAs,
		})
	}
	// The admin tenant's MCP endpoint is a resource server derived from
	// the issuer (served below only with Manage).
	var derived oauth.DerivedResources
	if o.Manage != nil {
		derived = mcp.Resources{}
	}
	// Dynamic client registration (RFC 7591) on the admin tenant, stored
	// through manage (a nil *manage.Service must not become a non-nil
	// interface).
	var registrar oauth.Registrar
	if o.Manage != nil {
		registrar = o.Manage
	}
	provider := oauth.New(oauth.Options{
		Store: o.Store, Keys: o.Keys, Sessions: sessions, Clock: o.Clock, Random: o.Random,
		JWKSMaxAge:       int(o.Keys.JWKSMaxAge().Seconds()),
		DerivedResources: derived,
		Registrar:        registrar,
		Proxies:          proxies,
		ClientMetadata:   metadataDocs,
		Metrics:          o.Metrics,
		CacheStats:       o.Metrics.Cache,
		CacheTTL:         oauth.DefaultCacheTTL,
		Changed:          o.Changed,
		// Idempotent refresh-token successors (RFC 9700 §4.14.2).
		RefreshSuccessorKey: o.RefreshSuccessorKey,
		// SECURITY-TESTS 18: third-party clients' errors pass an interstitial.
		DirectThirdPartyErrors: !cfg.UntrustedErrorInterstitial,
	})
	hosted := login.New(login.Options{
		Store: o.Store, Sessions: sessions, Mail: o.Mail, Keys: o.Keys, Finisher: provider,
		Pages: pages, Clock: o.Clock, Random: o.Random, Log: o.Log, Proxies: proxies, Metrics: o.Metrics,
	})

	tenantMux := http.NewServeMux()
	provider.Routes(tenantMux)
	hosted.Routes(tenantMux)
	// The management API, MCP and the Admin UI check access-token status
	// through the provider: its revocation index and cache.
	if o.Manage != nil {
		api.New(api.Options{Manage: o.Manage, Keys: o.Keys, Tokens: provider, Proxies: proxies, Clock: o.Clock, Log: o.Log}).Routes(tenantMux)
		mcp.New(mcp.Options{
			Manage: o.Manage, Keys: o.Keys, Tokens: provider, Proxies: proxies, Clock: o.Clock, Log: o.Log,
			Issuers: tenantIssuers(resolver, cfg.BaseDomain, cfg.PathIssuers),
		}).Routes(tenantMux)
	}
	// self is the finished root handler: the Admin UI exchanges its
	// authorization code by calling the token endpoint in-process.
	var self http.Handler
	if o.Manage != nil && o.Sealer != nil {
		ui, err := admin.New(admin.Options{
			Manage: o.Manage, Keys: o.Keys, Tokens: provider, Sealer: o.Sealer, Proxies: proxies,
			Internal: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { self.ServeHTTP(w, r) }),
			Clock:    o.Clock, Random: o.Random.R, Log: o.Log,
		})
		if err != nil {
			return nil, fmt.Errorf("server: %w", err)
		}
		ui.Routes(tenantMux)
	}

	root := http.NewServeMux()
	// httpx.Route reports the pattern each mux matched to Front's
	// metrics: requests are timed by route, never by raw path. The
	// protocol's JSON endpoints skip the hosted pages' middleware
	// (jsonOnly). A suspended tenant's requests are refused behind
	// either (tenant.RefuseSuspended answers JSON endpoints in JSON).
	routed := tenant.RefuseSuspended(httpx.Route(tenantMux))
	tenants := resolver.Middleware(byAnswer(page.JSONMiddleware(routed), pages.Middleware(routed)))
	routes(root, o.Store, tenants)

	// Request id, metrics, recovery, the log line and the body cap, in
	// one step (httpx.Front); tenant requests skip the root mux.
	h := httpx.Front(httpx.FrontOptions{Log: o.Log, Metrics: o.Metrics, MaxBody: maxBody}, skipRoot(httpx.Route(root), tenants))
	self = h
	return &Server{handler: h, resolver: resolver, provider: provider, login: hosted, metrics: o.Metrics}, nil
}

// tenantIssuers lists every issuer a tenant is served at, preferred
// first: the admin tenant at the public URL and login.{base-domain}; a
// customer tenant at {id}.{base-domain} and, with path issuers on,
// {public-url}/t/{id}. A base domain that is an IP address has no
// subdomains, so no host forms.
func tenantIssuers(r *tenant.Resolver, baseDomain string, pathIssuers bool) func(*idp.Tenant) []string {
	hosts := net.ParseIP(baseDomain) == nil
	return func(t *idp.Tenant) []string {
		out := []string{r.PreferredIssuer(t)}
		switch {
		case t.Admin && hosts:
			out = append(out, r.HostIssuer("login"))
		case t.Admin:
		case hosts:
			out = append(out, r.HostIssuer(t.ID))
			if pathIssuers {
				out = append(out, r.PathIssuer(t.ID))
			}
		case pathIssuers:
			out = append(out, r.PathIssuer(t.ID))
		}
		return out
	}
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// WarmRevocations starts loading the revocation index in the background;
// the first requests read token status from the store until it lands.
// Call it once the store is migrated (the list is a table of migration
// 0005): New reads no database.
func (s *Server) WarmRevocations() { s.provider.WarmRevocations() }

// Resolver returns the tenant resolver (for printing issuers and cache
// invalidation).
func (s *Server) Resolver() *tenant.Resolver { return s.resolver }

// Drain waits for mail queued by the hosted pages to be handed to the
// sender (call after the HTTP server has shut down).
func (s *Server) Drain() { s.login.Wait() }
