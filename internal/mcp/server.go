package mcp

import (
	"log/slog"
	"net/http"
	"sync"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
)

// Endpoint is the path of the MCP endpoint under the admin tenant's
// issuer; the resource identifier is the issuer followed by it.
const Endpoint = "/mcp"

// Options are the Server's dependencies.
type Options struct {
	// Manage runs every tool's operation (required).
	Manage *manage.Service
	// Keys verifies the admin tenant's access tokens (required).
	Keys keys.Verifier
	// Tokens answers revocation (required).
	Tokens bearer.TokenStatus
	// Proxies says whose X-Forwarded-For to believe for audit client IPs.
	Proxies httpx.Proxies
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
	// Log defaults to slog.Default.
	Log *slog.Logger
	// Version is the server version reported to clients at initialize.
	Version string
	// Issuers lists every issuer a tenant is served at (host and path
	// forms), for get_tenant_endpoints; nil shows only the preferred one.
	Issuers func(*idp.Tenant) []string
}

// Server is the MCP endpoint with its protected resource metadata.
type Server struct {
	manage   *manage.Service
	verifier *bearer.Verifier
	throttle *bearer.Throttle
	proxies  httpx.Proxies
	clock    idp.Clock
	log      *slog.Logger
	// toolScopes maps each tool's name to the scope it needs; filled by
	// addTool while registering (inside sdk's first call), read-only
	// afterwards.
	toolScopes map[string]string
	issuersOf  func(*idp.Tenant) []string
	// sdk registers the tools on its first call and returns the SDK's
	// handler.
	sdk func() http.Handler
}

// New builds the Server; its tools are registered on the first MCP
// request. Manage, Keys and Tokens are required (New panics without them:
// a wiring bug).
func New(o Options) *Server {
	if o.Manage == nil || o.Keys == nil || o.Tokens == nil {
		panic("mcp: New needs Manage, Keys and Tokens")
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	s := &Server{
		manage:     o.Manage,
		verifier:   &bearer.Verifier{Keys: o.Keys, Tokens: o.Tokens, Clock: o.Clock},
		throttle:   &bearer.Throttle{Clock: o.Clock},
		proxies:    o.Proxies,
		clock:      o.Clock,
		log:        o.Log,
		toolScopes: map[string]string{},
		issuersOf:  o.Issuers,
	}
	// The tools' JSON schemas cost more CPU than the rest of the server's
	// construction together; they are built on the first MCP request so
	// that a restart answers discovery sooner (docs/benchmarks.md,
	// "Footprint: memory and cold start").
	s.sdk = sync.OnceValue(func() http.Handler { return s.build(o.Version, o.Log) })
	return s
}

// build registers every tool and returns the SDK's handler.
func (s *Server) build(version string, log *slog.Logger) http.Handler {
	srv := mcpsdk.NewServer(&mcpsdk.Implementation{Name: "authalla", Title: "Authalla", Version: version},
		&mcpsdk.ServerOptions{Instructions: instructions})
	s.registerTools(srv)
	return mcpsdk.NewStreamableHTTPHandler(func(*http.Request) *mcpsdk.Server { return srv }, &mcpsdk.StreamableHTTPOptions{
		// Stateless: no Mcp-Session-Id, every POST stands alone, so every
		// protocol revision's client works against any replica.
		Stateless: true,
		// One JSON answer per POST (MCP 2025-06-18 basic/transports
		// §2.1.5 lets the server choose); no tool streams progress.
		JSONResponse: true,
		// The SDK's loopback Host check would refuse every request behind
		// a reverse proxy on the same machine. DNS rebinding is answered
		// here instead: unknown Host headers never reach this handler (the
		// tenant resolver answers 404) and a foreign Origin is refused.
		DisableLocalhostProtection: true,
		MaxRequestBodyBytes:        maxBody,
		Logger:                     log,
	})
}

// instructions tell the model how the tools fit together (MCP
// 2025-06-18 lifecycle, InitializeResult.instructions).
const instructions = `Authalla is an OAuth 2.1 / OpenID Connect identity provider. These tools manage the tenants (isolated identity providers with their own users, clients and branding) that you administer.
Start with get_me, then list_tenants; select_tenant remembers the tenant the other tools work on, so you do not have to pass tenant_id every time.
To integrate an application: create_client (its redirect URIs and allowed origins), create_resource_server for an API, then generate_integration for working code; get_tenant_endpoints lists the issuer and endpoint URLs.
Writes accept dry_run: true to preview the change. Destructive tools need confirm: true, which you should only send after the user agreed.`

// Routes registers the MCP endpoint and the protected resource metadata
// on mux (the tenant mux: handlers answer 404 on tenants other than the
// admin tenant).
func (s *Server) Routes(mux *http.ServeMux) {
	mux.Handle(Endpoint, http.HandlerFunc(s.serveMCP))
	for _, p := range []string{prmPath, prmPath + Endpoint} {
		mux.HandleFunc("GET "+p, s.serveMetadata)
		mux.HandleFunc("OPTIONS "+p, s.serveMetadataPreflight)
	}
}
