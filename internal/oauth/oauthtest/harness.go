package oauthtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// Fixture names. Both tenants hold clients, users and a resource server
// with the same ids, emails and identifier, so that every test runs
// against colliding names (DESIGN "Testing").
const (
	TenantA = "tenant-a"
	TenantB = "tenant-b"
	// AdminTenant exists only after AddAdminTenant; it is served at the
	// public URL root.
	AdminTenant = "admin"

	WebClient     = "app-web"     // confidential; two redirect URIs, one with a query
	SPAClient     = "app-spa"     // public; one redirect URI
	NativeClient  = "app-native"  // public; loopback and private-use redirect URIs
	ConsentClient = "app-consent" // confidential, require_consent; one redirect URI
	BackendClient = "app-backend" // client_credentials only

	Alice = "alice@example.com" // active, in both tenants
	Bob   = "bob@example.com"   // active, in both tenants
	Carol = "carol@example.com" // suspended, in both tenants

	// API is the identifier of the resource server of both tenants.
	API = "https://api.example.com"
	// APIRead is granted to all users; APIAdmin only to Bob.
	APIRead  = "api:read"
	APIAdmin = "api:admin"
)

// Start is the fake clock's initial time.
var Start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// Harness is an in-process Authalla: a SQLite store in a temporary
// directory, real signing keys, sessions, the tenant resolver and the
// oauth Provider behind an httptest.Server, all on one fake clock.
type Harness struct {
	Store    *sqlstore.Store
	Keys     *keys.Manager
	Clock    *idp.FakeClock
	Sessions *session.Manager
	Resolver *tenant.Resolver
	Provider *oauth.Provider
	Server   *httptest.Server
	// Mux is the tenant mux the Provider's routes are registered on; tests
	// may add routes (for example stand-ins for the hosted pages).
	Mux *http.ServeMux

	secrets map[string]string // tenant/client -> plaintext secret
}

// New builds the harness and its fixtures; everything is released when
// the test ends. tenant-a signs with RS256 and tenant-b with ES256.
func New(t testing.TB) *Harness { return NewWith(t, nil) }

// NewWith is New with configure applied to the Provider's options before
// the Provider is built (for hooks such as DerivedResources).
func NewWith(t testing.TB, configure func(*oauth.Options)) *Harness {
	t.Helper()
	return build(t, configure, false)
}

// NewWithPages is NewWith with the hosted pages' renderer (internal/page)
// mounted in front of the Provider as internal/server mounts it, so that
// error pages and the third-party error interstitial are rendered as HTML
// with the hosted pages' security headers.
func NewWithPages(t testing.TB, configure func(*oauth.Options)) *Harness {
	t.Helper()
	return build(t, configure, true)
}

func build(t testing.TB, configure func(*oauth.Options), pages bool) *Harness {
	t.Helper()
	ctx := context.Background()
	h := &Harness{Clock: idp.NewFakeClock(Start), secrets: map[string]string{}}

	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	if err != nil {
		t.Fatalf("oauthtest: open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("oauthtest: migrate: %v", err)
	}
	h.Store = st

	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatalf("oauthtest: sealer: %v", err)
	}
	h.Keys = keys.New(keys.Options{Store: st, Sealer: sealer, Clock: h.Clock, Random: secret.Default})
	h.Sessions = &session.Manager{Store: st, Clock: h.Clock, Random: secret.Default}
	// Successors are derived as in production (configure may set nil to
	// test random successors).
	successorKey, err := secret.Default.Bytes(32)
	if err != nil {
		t.Fatalf("oauthtest: successor key: %v", err)
	}
	opts := oauth.Options{
		Store: st, Keys: h.Keys, Sessions: h.Sessions, Clock: h.Clock, Random: secret.Default,
		JWKSMaxAge:          int(keys.DefaultJWKSMaxAge / time.Second),
		RefreshSuccessorKey: successorKey,
	}
	if configure != nil {
		configure(&opts)
	}
	h.Provider = oauth.New(opts)
	h.Mux = http.NewServeMux()
	h.Provider.Routes(h.Mux)

	// The server starts first so that its address can become the public
	// URL; the handler is set once the resolver exists.
	var handler http.Handler = http.NotFoundHandler()
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(h.Server.Close)
	h.Resolver, err = tenant.NewResolver(st, tenant.Options{
		PublicURL: h.Server.URL, BaseDomain: "localhost", PathIssuers: true, Clock: h.Clock,
	})
	if err != nil {
		t.Fatalf("oauthtest: resolver: %v", err)
	}
	// TODO(server): replace with internal/server's root handler once it
	// exists, so that these tests run through the production wiring.
	var tenantHandler http.Handler = h.Mux
	if pages {
		renderer, err := page.New(st, page.Options{Log: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatalf("oauthtest: pages: %v", err)
		}
		tenantHandler = renderer.Middleware(h.Mux)
	}
	handler = httpx.WithRequestID(h.Resolver.Middleware(tenantHandler))

	h.seed(t, TenantA, idp.AlgRS256, false)
	h.seed(t, TenantB, idp.AlgES256, false)
	return h
}

// AddAdminTenant creates the admin tenant (AdminTenant, served at the
// public URL root) with the same fixtures as the others.
func (h *Harness) AddAdminTenant(t testing.TB) {
	t.Helper()
	h.seed(t, AdminTenant, idp.AlgES256, true)
	h.Resolver.Invalidate(idp.Change{Kind: idp.ChangeTenant, TenantID: AdminTenant})
}

// seed creates one tenant with its key, clients, users and resource server.
func (h *Harness) seed(t testing.TB, id, alg string, admin bool) {
	t.Helper()
	ctx := context.Background()
	now := h.Clock.Now()
	tn := &idp.Tenant{ID: id, Name: "Tenant " + id, SigningAlg: alg, AllowedOrigins: []string{"https://spa." + id + ".example"}, Admin: admin, CreatedAt: now, UpdatedAt: now}
	tn.ApplyDefaults()
	must(t, "create tenant", h.Store.CreateTenant(ctx, tn))
	must(t, "create key", h.Keys.EnsureKey(ctx, id, alg))
	must(t, "create resource server", h.Store.CreateResourceServer(ctx, id, &idp.ResourceServer{
		TenantID: id, ID: "rs-api", Identifier: API, Name: "Example API", ScopePrefix: "api:",
		Scopes: []idp.ResourceScope{
			{Value: APIRead, Description: "Read", GrantedToAll: true},
			{Value: APIAdmin, Description: "Administer"},
		},
		CreatedAt: now, UpdatedAt: now,
	}))
	base := "https://" + id + ".example"
	clients := []*idp.Client{
		{ID: WebClient, Type: idp.ClientWeb, RedirectURIs: []string{base + "/web/callback", base + "/web/cb?from=registered"}},
		{ID: SPAClient, Type: idp.ClientSPA, RedirectURIs: []string{base + "/spa/callback"}, DefaultResourceServer: API},
		{ID: NativeClient, Type: idp.ClientNative, RedirectURIs: []string{"http://127.0.0.1/callback", "http://[::1]/callback", "com.example.app:/oauth"}},
		{ID: ConsentClient, Type: idp.ClientWeb, RedirectURIs: []string{base + "/consent/callback"}, RequireConsent: true},
		{ID: BackendClient, Type: idp.ClientBackend, DefaultResourceServer: API},
	}
	for _, c := range clients {
		c.TenantID, c.Name, c.CreatedAt, c.UpdatedAt = id, c.ID+" of "+id, now, now
		c.PostLogoutRedirectURIs = []string{base + "/" + c.ID + "/logged-out"}
		must(t, "create client "+c.ID, h.Store.CreateClient(ctx, id, c))
		if c.Public() {
			continue
		}
		plain, err := secret.Default.Token(32)
		must(t, "client secret", err)
		must(t, "add secret", h.Store.AddClientSecret(ctx, id, &idp.ClientSecret{
			TenantID: id, ClientID: c.ID, ID: "sec-" + c.ID, Hash: secret.HashBytes(plain),
			Hint: plain[len(plain)-4:], CreatedAt: now,
		}))
		h.secrets[id+"/"+c.ID] = plain
	}
	users := []struct {
		email, name string
		status      idp.UserStatus
		scopes      []string
	}{
		{Alice, "Alice", idp.UserActive, nil},
		{Bob, "Bob", idp.UserActive, []string{APIAdmin}},
		{Carol, "Carol", idp.UserSuspended, nil},
	}
	for _, u := range users {
		uid, err := secret.Default.ID("usr_")
		must(t, "user id", err)
		must(t, "create user "+u.email, h.Store.CreateUser(ctx, id, &idp.User{
			TenantID: id, ID: uid, Email: u.email, Name: u.name, EmailVerified: true,
			Status: u.status, Scopes: u.scopes, CreatedAt: now, UpdatedAt: now,
		}))
	}
}

func must(t testing.TB, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("oauthtest: %s: %v", what, err)
	}
}

// Issuer is the path issuer of tenantID, e.g. http://127.0.0.1:PORT/t/tenant-a,
// or the public URL for AdminTenant.
func (h *Harness) Issuer(tenantID string) string {
	if tenantID == AdminTenant {
		return h.Resolver.AdminIssuer()
	}
	return h.Resolver.PathIssuer(tenantID)
}

// Secret returns the plaintext secret of a confidential client.
func (h *Harness) Secret(tenantID, clientID string) string { return h.secrets[tenantID+"/"+clientID] }

// RedirectURI returns the first registered redirect URI of a client.
func (h *Harness) RedirectURI(t testing.TB, tenantID, clientID string) string {
	t.Helper()
	return h.Client(t, tenantID, clientID).RedirectURIs[0]
}

// Client loads a client of tenantID.
func (h *Harness) Client(t testing.TB, tenantID, clientID string) *idp.Client {
	t.Helper()
	c, err := h.Store.GetClient(context.Background(), tenantID, clientID)
	must(t, "get client", err)
	return c
}

// User loads the user with email in tenantID.
func (h *Harness) User(t testing.TB, tenantID, email string) *idp.User {
	t.Helper()
	u, err := h.Store.GetUserByEmail(context.Background(), tenantID, email)
	must(t, "get user", err)
	return u
}

// Browser returns an HTTP client with a cookie jar that does not follow
// redirects, so that tests see every Location.
func (h *Harness) Browser(t testing.TB) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	must(t, "cookie jar", err)
	return &http.Client{
		Jar:           jar,
		Timeout:       10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// Login signs the browser in to tenantID as the user with email, without
// the hosted pages: it creates a session (auth_time = now on the fake
// clock, amr ["email"]) and puts its cookie in the browser's jar, exactly
// as session.Manager.Start would set it.
func (h *Harness) Login(t testing.TB, browser *http.Client, tenantID, email string) *idp.Session {
	t.Helper()
	u := h.User(t, tenantID, email)
	value, err := secret.Default.Token(32)
	must(t, "session value", err)
	now := h.Clock.Now()
	s := &idp.Session{
		TenantID: tenantID, ID: secret.Hash(value), UserID: u.ID, AuthTime: now, AMR: []string{"email"},
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(idp.DefaultSessionTTL * time.Second),
	}
	must(t, "create session", h.Store.CreateSession(context.Background(), tenantID, s))
	info := &tenant.Info{Tenant: &idp.Tenant{ID: tenantID}, Issuer: h.Issuer(tenantID), BasePath: "/t/" + tenantID}
	if tenantID == AdminTenant {
		info.BasePath = ""
	}
	iss, err := url.Parse(h.Issuer(tenantID))
	must(t, "issuer URL", err)
	browser.Jar.SetCookies(iss, []*http.Cookie{{
		Name: info.CookieName(session.CookieBase), Value: value, Path: info.CookiePath(),
		HttpOnly: true, SameSite: http.SameSiteLaxMode,
	}})
	return s
}

// AuthorizeURL builds an authorization request URL on tenantID's issuer.
func (h *Harness) AuthorizeURL(tenantID string, params url.Values) string {
	return h.Issuer(tenantID) + "/oauth2/authorize?" + params.Encode()
}

// ResumeURL is where the hosted pages send the browser back to.
func (h *Harness) ResumeURL(tenantID, requestID string) string {
	return h.Issuer(tenantID) + "/oauth2/authorize?request_id=" + url.QueryEscape(requestID)
}

// Get sends a GET with the browser and returns the response with its body
// read and closed (as a string).
func (h *Harness) Get(t testing.TB, browser *http.Client, rawURL string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	must(t, "new request", err)
	return do(t, browser, req)
}

// PostForm sends a form POST with the browser.
func (h *Harness) PostForm(t testing.TB, browser *http.Client, rawURL string, form url.Values) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rawURL, strings.NewReader(form.Encode()))
	must(t, "new request", err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, browser, req)
}

func do(t testing.TB, c *http.Client, req *http.Request) (*http.Response, string) {
	t.Helper()
	res, err := c.Do(req)
	must(t, req.Method+" "+req.URL.Path, err)
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	must(t, "read body", err)
	return res, string(body)
}

// Location parses the Location header of a redirect, failing the test
// when there is none.
func Location(t testing.TB, res *http.Response) *url.URL {
	t.Helper()
	loc := res.Header.Get("Location")
	if loc == "" {
		t.Fatalf("oauthtest: %d response without Location", res.StatusCode)
	}
	u, err := res.Request.URL.Parse(loc)
	must(t, "parse Location", err)
	return u
}
