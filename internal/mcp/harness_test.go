package mcp_test

// Test harness shared by every test of package mcp_test: the whole server
// in-process (real SQLite store, real keys, the real oauth endpoints, the
// API and the MCP endpoint behind the tenant resolver) on a fake clock,
// administrators with real tokens from the authorization code flow, and
// the SDK's own client.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/server"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// stack is the server with two accounts:
//
//   - account A (the bootstrap account): owner root, viewer vic; tenants
//     tenant-a and the bootstrap's default tenant;
//   - account B: owner bob; tenant tenant-b.
//
// The admin tenant has a first-party native client "mcp-test" (loopback
// redirect) through which tests get MCP tokens.
type stack struct {
	url    string // the public URL: the admin tenant's issuer
	mcpURL string
	db     *sqlstore.Store
	clock  *idp.FakeClock
	manage *manage.Service
	cli    context.Context
	accA   string
	accB   string
	root   *idp.User
	bob    *idp.User
	vic    *idp.User
	logs   *lockedBuffer
}

const testClient = "mcp-test"

const testRedirect = "http://127.0.0.1/callback"

var start = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

// allMCP are the three MCP scopes.
var allMCP = []string{"mcp:read", "mcp:write", "mcp:admin"}

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	must(t, err)
	t.Cleanup(func() { db.Close() })
	must(t, db.Migrate(ctx))
	sealer, err := secret.NewSealer(make([]byte, 32))
	must(t, err)
	clock := idp.NewFakeClock(start)
	km := keys.New(keys.Options{Store: db, Sealer: sealer, Clock: clock, Random: secret.Default})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	publicURL := "http://" + ln.Addr().String()
	cfg, err := config.Load("serve", []string{"--public-url", publicURL, "--data-dir", t.TempDir()}, func(string) string { return "" }, io.Discard)
	must(t, err)
	logs := &lockedBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var srv *server.Server
	m := manage.New(manage.Options{
		Store: db, Keys: km, Clock: clock, Random: secret.Default, Log: log,
		Issuer: func(t *idp.Tenant) string {
			if t.Admin {
				return publicURL
			}
			return publicURL + "/t/" + t.ID
		},
		OnChange: func(ch idp.Change) {
			km.Invalidate(ch)
			if srv != nil {
				srv.Invalidate(ch)
			}
		},
	})
	srv, err = server.New(server.Options{Config: cfg, Store: db, Keys: km, Mail: mail.NewOutbox(log), Clock: clock, Random: secret.Default, Log: log, Manage: m})
	must(t, err)
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	s := &stack{url: publicURL, mcpURL: publicURL + "/mcp", db: db, clock: clock, manage: m, logs: logs}
	s.cli = manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	boot, err := m.Bootstrap(s.cli, manage.BootstrapInput{AdminEmail: "root@example.com"})
	must(t, err)
	s.root, s.accA = boot.AdminUser, boot.Account.ID
	s.accB = "acc_b"
	must(t, db.CreateAccount(ctx, &idp.Account{ID: s.accB, Name: "B", CreatedAt: start}))
	for _, tc := range []struct{ id, acc string }{{"tenant-a", s.accA}, {"tenant-b", s.accB}} {
		_, err := m.CreateTenant(s.cli, manage.TenantInput{ID: tc.id, Name: "Tenant " + tc.id, AccountID: tc.acc})
		must(t, err)
	}
	_, err = m.CreateClient(s.cli, manage.AdminTenantID, manage.ClientInput{
		ID: testClient, Name: "MCP test client", Type: idp.ClientNative, RedirectURIs: []string{testRedirect},
	})
	must(t, err)
	s.bob = s.admin(t, "bob@example.com", s.accB, idp.RoleOwner)
	s.vic = s.admin(t, "vic@example.com", s.accA, idp.RoleViewer)
	return s
}

// admin creates an administrator with one membership.
func (s *stack) admin(t *testing.T, email, account string, role idp.AccountRole) *idp.User {
	t.Helper()
	u, err := s.manage.CreateUser(s.cli, manage.AdminTenantID, manage.UserInput{Email: email, EmailVerified: true})
	must(t, err)
	must(t, s.db.PutAccountMember(context.Background(), &idp.AccountMember{AccountID: account, UserID: u.ID, Role: role, CreatedAt: start}))
	return u
}

// token signs u in to the admin tenant (a session made directly in the
// store, as the hosted pages would) and runs the real authorization code
// flow with PKCE for client, asking for scopes and resource (none when
// empty). It returns the token response's access token.
func (s *stack) token(t *testing.T, u *idp.User, client, redirect, resource string, scopes ...string) string {
	t.Helper()
	ctx := context.Background()
	value, err := secret.Default.Token(32)
	must(t, err)
	now := s.clock.Now()
	must(t, s.db.CreateSession(ctx, manage.AdminTenantID, &idp.Session{
		TenantID: manage.AdminTenantID, ID: secret.Hash(value), UserID: u.ID, AuthTime: now, AMR: []string{"email"},
		CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour),
	}))
	verifier, err := secret.Default.Token(32)
	must(t, err)
	sum := sha256.Sum256([]byte(verifier))
	q := url.Values{
		"response_type": {"code"}, "client_id": {client}, "redirect_uri": {redirect},
		"scope": {strings.Join(scopes, " ")}, "state": {"st"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	if resource != "" {
		q.Set("resource", resource)
	}
	req, _ := http.NewRequest(http.MethodGet, s.url+"/oauth2/authorize?"+q.Encode(), nil)
	req.AddCookie(&http.Cookie{Name: session.CookieBase, Value: value})
	noRedirect := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	must(t, err)
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), redirect) || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect},
		"client_id": {client}, "code_verifier": {verifier},
	}
	treq, _ := http.NewRequest(http.MethodPost, s.url+"/oauth2/token", strings.NewReader(form.Encode()))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	tresp, err := (&http.Client{Timeout: 10 * time.Second}).Do(treq)
	must(t, err)
	defer tresp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	_ = json.NewDecoder(tresp.Body).Decode(&body)
	if tresp.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("token: %d %s %s", tresp.StatusCode, body.Error, body.Description)
	}
	return body.AccessToken
}

// mcpToken is a token for the MCP endpoint with scopes (all three MCP
// scopes when none are given).
func (s *stack) mcpToken(t *testing.T, u *idp.User, scopes ...string) string {
	t.Helper()
	if len(scopes) == 0 {
		scopes = allMCP
	}
	return s.token(t, u, testClient, testRedirect, s.mcpURL, scopes...)
}

// bearerTransport adds the Authorization header to each request.
type bearerTransport struct{ token string }

func (b bearerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return http.DefaultTransport.RoundTrip(r)
}

// connect opens an SDK client session with token.
func (s *stack) connect(t *testing.T, token string) *mcpsdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "authalla-test", Version: "1"}, nil)
	cs, err := c.Connect(ctx, &mcpsdk.StreamableClientTransport{
		Endpoint:             s.mcpURL,
		HTTPClient:           &http.Client{Timeout: 10 * time.Second, Transport: bearerTransport{token}},
		DisableStandaloneSSE: true,
		MaxRetries:           -1,
	}, nil)
	must(t, err)
	t.Cleanup(func() { cs.Close() })
	return cs
}

// call runs a tool and returns its result (tool errors included).
func call(t *testing.T, cs *mcpsdk.ClientSession, name string, args any) *mcpsdk.CallToolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// ok runs a tool that must succeed and decodes its structured output into
// out (when not nil).
func ok(t *testing.T, cs *mcpsdk.ClientSession, name string, args, out any) {
	t.Helper()
	res := call(t, cs, name, args)
	if res.IsError {
		t.Fatalf("%s: tool error %q", name, text(res))
	}
	if out != nil {
		b, err := json.Marshal(res.StructuredContent)
		must(t, err)
		must(t, json.Unmarshal(b, out))
	}
}

// toolErr runs a tool that must fail and returns its message.
func toolErr(t *testing.T, cs *mcpsdk.ClientSession, name string, args any) string {
	t.Helper()
	res := call(t, cs, name, args)
	if !res.IsError {
		t.Fatalf("%s: succeeded, want a tool error: %s", name, text(res))
	}
	return text(res)
}

// text joins a result's text contents.
func text(res *mcpsdk.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcpsdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// rawResponse is an HTTP answer of the endpoint.
type rawResponse struct {
	status int
	header http.Header
	body   []byte
}

// post sends one raw JSON-RPC body to path with token (none when empty)
// and extra headers.
func (s *stack) post(t *testing.T, path, token, body string, headers map[string]string) rawResponse {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return rawResponse{status: resp.StatusCode, header: resp.Header, body: b}
}

// lockedBuffer is an io.Writer safe for the server's concurrent logging.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// idpAuditAction is an audit query for one action, newest first.
func idpAuditAction(action string) idp.AuditQuery {
	return idp.AuditQuery{Action: action, Page: idp.Page{Limit: 50}}
}
