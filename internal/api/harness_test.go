package api_test

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
	"slices"
	"strings"
	"testing"
	"time"

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

// stack is the whole server in-process (real SQLite store, real keys,
// the real oauth endpoints and the API behind the tenant resolver) on a
// fake clock, with two accounts:
//
//   - account A (the bootstrap account): owner "root", viewer "vic";
//     tenants tenant-a and the default tenant;
//   - account B: owner "bob"; tenant tenant-b.
//
// Both customer tenants hold a backend client "robot" (same id) with
// the management API as its default audience.
type stack struct {
	url    string
	db     *sqlstore.Store
	clock  *idp.FakeClock
	manage *manage.Service
	cli    context.Context
	accA   string
	accB   string
	root   *idp.User
	bob    *idp.User
	vic    *idp.User
	robot  map[string]string // tenant → robot's secret
	logs   *bytes.Buffer
}

var start = time.Date(2026, 5, 4, 10, 0, 0, 0, time.UTC)

func newStack(t *testing.T) *stack {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := idp.NewFakeClock(start)
	km := keys.New(keys.Options{Store: db, Sealer: sealer, Clock: clock, Random: secret.Default})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	publicURL := "http://" + ln.Addr().String()
	cfg, err := config.Load("serve", []string{"--public-url", publicURL, "--data-dir", t.TempDir()}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(&lockedWriter{w: logs}, &slog.HandlerOptions{Level: slog.LevelDebug}))
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
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	s := &stack{url: publicURL, db: db, clock: clock, manage: m, robot: map[string]string{}, logs: logs}
	s.cli = manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	boot, err := m.Bootstrap(s.cli, manage.BootstrapInput{AdminEmail: "root@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s.root, s.accA = boot.AdminUser, boot.Account.ID
	s.accB = "acc_b"
	must(t, db.CreateAccount(ctx, &idp.Account{ID: s.accB, Name: "B", CreatedAt: start}))
	for _, tc := range []struct{ id, acc string }{{"tenant-a", s.accA}, {"tenant-b", s.accB}} {
		if _, err := m.CreateTenant(s.cli, manage.TenantInput{ID: tc.id, Name: "Tenant " + tc.id, AccountID: tc.acc}); err != nil {
			t.Fatal(err)
		}
		c, err := m.CreateClient(s.cli, tc.id, manage.ClientInput{ID: "robot", Name: "Robot", Type: idp.ClientBackend, DefaultResourceServer: manage.ManagementAPI})
		if err != nil {
			t.Fatal(err)
		}
		s.robot[tc.id] = c.Secret.Value
	}
	s.bob = s.admin(t, "bob@example.com", s.accB, idp.RoleOwner)
	s.vic = s.admin(t, "vic@example.com", s.accA, idp.RoleViewer)
	return s
}

// admin creates an administrator with one membership.
func (s *stack) admin(t *testing.T, email, account string, role idp.AccountRole) *idp.User {
	t.Helper()
	u, err := s.manage.CreateUser(s.cli, manage.AdminTenantID, manage.UserInput{Email: email, EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.db.PutAccountMember(context.Background(), &idp.AccountMember{AccountID: account, UserID: u.ID, Role: role, CreatedAt: start}))
	return u
}

// adminToken signs u in to the admin tenant (a session made directly in
// the store, as the hosted pages would) and runs the real authorization
// code flow with PKCE for the Admin UI client, asking for scopes of the
// management API. It returns the access token.
func (s *stack) adminToken(t *testing.T, u *idp.User, scopes []string) string {
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
	redirect := s.url + manage.AdminUICallbackPath
	q := url.Values{
		"response_type": {"code"}, "client_id": {manage.AdminUIClientID}, "redirect_uri": {redirect},
		"scope": {strings.Join(append([]string{"openid"}, scopes...), " ")}, "state": {"st"}, "nonce": {"n"}, "resource": {manage.ManagementAPI},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
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
	return s.token(t, "", url.Values{
		"grant_type": {"authorization_code"}, "code": {loc.Query().Get("code")}, "redirect_uri": {redirect},
		"client_id": {manage.AdminUIClientID}, "code_verifier": {verifier},
	}, "", "")
}

// machineToken runs client_credentials for robot of tenantID; scope ""
// asks for every scope of the management API.
func (s *stack) machineToken(t *testing.T, tenantID, scope string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {manage.ManagementAPI}}
	if scope != "" {
		form.Set("scope", scope)
	}
	return s.token(t, "/t/"+tenantID, form, "robot", s.robot[tenantID])
}

func (s *stack) token(t *testing.T, base string, form url.Values, user, pass string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+base+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err)
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
		Scope       string `json:"scope"`
		Error       string `json:"error"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&body)
	if resp.StatusCode != 200 || body.AccessToken == "" {
		t.Fatalf("token: %d %s", resp.StatusCode, body.Error)
	}
	return body.AccessToken
}

// caller is who sends an API request.
type caller struct {
	base   string // "" for the admin host, "/t/{id}" for a tenant's path issuer
	token  string
	tenant string // X-Tenant-ID, if any
}

// result is an API answer.
type result struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

func (s *stack) do(t *testing.T, c caller, method, path string, body any) result {
	t.Helper()
	var rd io.Reader
	contentType := "application/json"
	switch b := body.(type) {
	case nil:
	case rawBody:
		rd, contentType = bytes.NewReader(b.data), b.contentType
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		must(t, err)
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.url+c.base+path, rd)
	must(t, err)
	if rd != nil {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if c.tenant != "" {
		req.Header.Set("X-Tenant-ID", c.tenant)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := result{status: resp.StatusCode, header: resp.Header, raw: raw}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &r.body)
	}
	return r
}

// str reads a string field of an answer.
func (r result) str(key string) string { s, _ := r.body[key].(string); return s }

// items returns the list under key.
func (r result) items(key string) []map[string]any {
	var out []map[string]any
	l, _ := r.body[key].([]any)
	for _, x := range l {
		if m, ok := x.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func without(all []string, s string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(x string) bool { return x == s })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
