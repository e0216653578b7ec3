package server_test

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/server"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// stack is the whole server in-process: real SQLite store, real keys, the
// real hosted pages, mail captured by the development outbox.
type stack struct {
	url    string
	srv    *server.Server
	outbox *mail.Outbox
	manage *manage.Service
	ctx    context.Context
}

const rpCallback = "https://rp.example.com/callback"

// newStack starts the server; extra are further serve flags.
func newStack(t *testing.T, extra ...string) *stack {
	t.Helper()
	return newStackLog(t, slog.New(slog.NewTextHandler(io.Discard, nil)), extra...)
}

// newStackLog is newStack logging to log (benchmarks log at the level
// the load benchmarks run the server with).
func newStackLog(t testing.TB, log *slog.Logger, extra ...string) *stack {
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
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := secret.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	km := keys.New(keys.Options{Store: db, Sealer: sealer, Clock: idp.SystemClock{}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--public-url", "http://" + ln.Addr().String(), "--data-dir", t.TempDir()}, extra...)
	cfg, err := config.Load("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	outbox := mail.NewOutbox(log)
	var srv *server.Server
	m := manage.New(manage.Options{Store: db, Keys: km, OnChange: func(ch idp.Change) {
		km.Invalidate(ch)
		if srv != nil {
			srv.Invalidate(ch)
		}
	}})
	srv, err = server.New(server.Options{Config: cfg, Store: db, Keys: km, Mail: outbox, Log: log, Manage: m, Sealer: sealer})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	actx := manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	if _, err := m.Bootstrap(actx, manage.BootstrapInput{AdminEmail: "admin@example.com"}); err != nil {
		t.Fatal(err)
	}
	return &stack{url: hs.URL, srv: srv, outbox: outbox, manage: m, ctx: actx}
}

// tenantWithClient creates a tenant with a confidential client whose id is
// the same in every tenant, and returns its secret.
func (s *stack) tenantWithClient(t testing.TB, id string) (issuer, secretValue string) {
	t.Helper()
	if _, err := s.manage.CreateTenant(s.ctx, manage.TenantInput{ID: id, Name: "Shop " + id, AllowRegistration: true}); err != nil {
		t.Fatal(err)
	}
	c, err := s.manage.CreateClient(s.ctx, id, manage.ClientInput{ID: "shop-app", Name: "Shop", Type: idp.ClientWeb, RedirectURIs: []string{rpCallback}})
	if err != nil {
		t.Fatal(err)
	}
	return s.url + "/t/" + id, c.Secret.Value
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formValues reads the hidden inputs of the first form of an HTML page.
func formValues(t *testing.T, body string) url.Values {
	t.Helper()
	v := url.Values{}
	end := strings.Index(body, "</form>")
	if end < 0 {
		t.Fatalf("no form in page:\n%s", body)
	}
	for _, m := range hiddenField.FindAllStringSubmatch(body[:end], -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

// browser is a cookie-keeping client that stops at the relying party's callback.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), rpCallback) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

func get(t *testing.T, c *http.Client, u string) (*http.Response, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func post(t *testing.T, c *http.Client, u string, v url.Values, origin string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, u, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var pinPattern = regexp.MustCompile(`\b\d{6}\b`)

// signIn walks the hosted pages from an authorization URL to the relying
// party's callback with email + PIN, and returns the callback URL.
func (s *stack) signIn(t *testing.T, c *http.Client, authURL, email string) *url.URL {
	t.Helper()
	resp, body := get(t, c, authURL)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/oauth2/login") {
		t.Fatalf("authorize did not lead to the login page: %d %s", resp.StatusCode, resp.Request.URL)
	}
	v := formValues(t, body)
	v.Set("email", email)
	resp, body = post(t, c, resp.Request.URL.String(), v, s.url)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/oauth2/pin-code") {
		t.Fatalf("email step: %d %s", resp.StatusCode, resp.Request.URL)
	}
	s.srv.Drain() // mail is handed to the sender asynchronously
	msg, ok := s.outbox.Last(email)
	if !ok {
		t.Fatal("no sign-in mail")
	}
	pin := pinPattern.FindString(msg.Text)
	v = formValues(t, body)
	v.Set("pin", pin)
	resp, _ = post(t, c, resp.Request.URL.String(), v, s.url)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("PIN step ended with %d at %s, want a 303 to the relying party", resp.StatusCode, resp.Request.URL)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), rpCallback) {
		t.Fatalf("final redirect %q", resp.Header.Get("Location"))
	}
	return loc
}

// TestRealRelyingPartyThroughHostedLogin runs go-oidc + x/oauth2 against two
// tenants whose client ids collide, signing in through the real hosted pages
// with the PIN from the captured mail.
func TestRealRelyingPartyThroughHostedLogin(t *testing.T) {
	s := newStack(t)
	subs := map[string]string{}
	issuers := map[string]string{}
	codes := map[string]string{}
	for _, id := range []string{"shop-a", "shop-b"} {
		issuer, clientSecret := s.tenantWithClient(t, id)
		issuers[id] = issuer
		ctx := oidc.ClientContext(context.Background(), &http.Client{Timeout: 5 * time.Second})
		provider, err := oidc.NewProvider(ctx, issuer)
		if err != nil {
			t.Fatalf("%s: discovery: %v", id, err)
		}
		conf := oauth2.Config{ClientID: "shop-app", ClientSecret: clientSecret, Endpoint: provider.Endpoint(), RedirectURL: rpCallback, Scopes: []string{oidc.ScopeOpenID, "email", "profile", "offline_access"}}
		verifier := oauth2.GenerateVerifier()
		authURL := conf.AuthCodeURL("st4te-"+id, oidc.Nonce("n0nce-"+id), oauth2.S256ChallengeOption(verifier))

		cb := s.signIn(t, browser(t), authURL, "same.person@example.com")
		q := cb.Query()
		if q.Get("state") != "st4te-"+id || q.Get("iss") != issuer || q.Get("code") == "" {
			t.Fatalf("%s: callback %v (RFC 9207 iss must be %s)", id, q, issuer)
		}
		codes[id] = q.Get("code")
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("%s: exchange: %v", id, err)
		}
		rawID, _ := tok.Extra("id_token").(string)
		idt, err := provider.Verifier(&oidc.Config{ClientID: "shop-app"}).Verify(ctx, rawID)
		if err != nil {
			t.Fatalf("%s: go-oidc rejected the ID token: %v", id, err)
		}
		var claims struct {
			Email string `json:"email"`
			Nonce string `json:"nonce"`
		}
		_ = idt.Claims(&claims)
		if claims.Email != "same.person@example.com" || idt.Nonce != "n0nce-"+id || tok.RefreshToken == "" {
			t.Fatalf("%s: claims %+v nonce %q refresh %v", id, claims, idt.Nonce, tok.RefreshToken != "")
		}
		ui, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || ui.Subject != idt.Subject {
			t.Fatalf("%s: userinfo %v %v", id, ui, err)
		}
		// Refresh rotation through the real client.
		tok.Expiry = time.Now().Add(-time.Minute)
		next, err := conf.TokenSource(ctx, tok).Token()
		if err != nil || next.RefreshToken == tok.RefreshToken {
			t.Fatalf("%s: refresh: %v", id, err)
		}
		subs[id] = idt.Subject
	}
	if subs["shop-a"] == subs["shop-b"] {
		t.Fatal("the same email in two tenants must be two users")
	}
	// A code of tenant A redeemed at tenant B (same client id) is rejected.
	resp, err := http.PostForm(issuers["shop-b"]+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {codes["shop-a"]}, "client_id": {"shop-app"}, "redirect_uri": {rpCallback}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == 200 {
		t.Fatal("tenant A's code was accepted at tenant B")
	}
}

// TestAdminUIAndAPIMounted: the Admin UI and the REST API answer on the
// admin host; the Admin UI is not served on a tenant's host.
func TestAdminUIAndAPIMounted(t *testing.T) {
	s := newStack(t)
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, _ := get(t, c, s.url+"/admin/")
	if resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
		t.Fatalf("/admin/ without a session: %d, want a redirect to sign in", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); !strings.Contains(loc, "/oauth2/authorize") && !strings.Contains(loc, "/admin/") {
		t.Fatalf("/admin/ redirected to %q", loc)
	}
	issuer, _ := s.tenantWithClient(t, "not-admin")
	if resp, _ := get(t, c, issuer+"/admin/"); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("/admin/ on a tenant: %d, want 404", resp.StatusCode)
	}
	if resp, body := get(t, c, s.url+"/api/v1/openapi.json"); resp.StatusCode != 200 || !strings.Contains(body, `"openapi"`) {
		t.Fatalf("openapi.json: %d", resp.StatusCode)
	}
	if resp, _ := get(t, c, s.url+"/api/v1/tenants"); resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("/api/v1/tenants without a token: %d, want 401", resp.StatusCode)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newStack(t)
	for _, p := range []string{"/healthz", "/readyz"} {
		resp, body := get(t, http.DefaultClient, s.url+p)
		if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
			t.Fatalf("%s: %d %s", p, resp.StatusCode, body)
		}
	}
	// RFC 8414 §3.1 form for a path issuer.
	resp, body := get(t, http.DefaultClient, s.url+"/.well-known/oauth-authorization-server/t/shop-rfc")
	if resp.StatusCode != 404 {
		t.Fatalf("unknown path tenant: %d", resp.StatusCode)
	}
	issuer, _ := s.tenantWithClient(t, "shop-rfc")
	resp, body = get(t, http.DefaultClient, s.url+"/.well-known/oauth-authorization-server/t/shop-rfc")
	if resp.StatusCode != 200 || !strings.Contains(body, `"issuer":"`+issuer+`"`) {
		t.Fatalf("RFC 8414 path-issuer metadata: %d %s", resp.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", s.url+"/.well-known/openid-configuration", nil)
	req.Host = "unknown.example.org"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("unknown host: %d, want 404", resp.StatusCode)
	}
}

func base64URLDecode(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
