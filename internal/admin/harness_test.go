package admin_test

import (
	"context"
	"crypto/rand"
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
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/admin"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/login"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// stack is the identity server in-process (real SQLite store, real keys,
// the real oauth and login handlers) with the Admin UI mounted the way the
// server mounts it: tenant resolver → page middleware → routes.
type stack struct {
	url    string
	db     *sqlstore.Store
	outbox *mail.Outbox
	hosted *login.Handler
	manage *manage.Service
	boot   *manage.BootstrapResult
	cli    context.Context
	// clock is the Admin UI's clock: real time plus an offset a test can
	// move, so that the UI's session can expire while the identity
	// server keeps real time.
	clock *offsetClock
}

// offsetClock is real time shifted by a settable offset.
type offsetClock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now implements idp.Clock.
func (c *offsetClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset)
}

// Shift sets the offset from real time.
func (c *offsetClock) Shift(d time.Duration) {
	c.mu.Lock()
	c.offset = d
	c.mu.Unlock()
}

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
	base := "http://" + ln.Addr().String()
	resolver, err := tenant.NewResolver(db, tenant.Options{PublicURL: base, PathIssuers: true})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := page.New(db, page.Options{Log: log})
	if err != nil {
		t.Fatal(err)
	}
	sessions := &session.Manager{Store: db, Clock: idp.SystemClock{}, Random: secret.Default}
	provider := oauth.New(oauth.Options{Store: db, Keys: km, Sessions: sessions, Clock: idp.SystemClock{}, Random: secret.Default, JWKSMaxAge: 300})
	outbox := mail.NewOutbox(log)
	hosted := login.New(login.Options{
		Store: db, Sessions: sessions, Mail: outbox, Keys: km, Finisher: provider,
		Pages: pages, Clock: idp.SystemClock{}, Random: secret.Default, Log: log,
	})
	m := manage.New(manage.Options{Store: db, Keys: km, Random: secret.Default, Issuer: resolver.PreferredIssuer, OnChange: resolver.Invalidate, Log: log})

	var root http.Handler
	clock := &offsetClock{}
	ui, err := admin.New(admin.Options{
		Manage: m, Keys: km, Tokens: provider, Sealer: sealer, Log: log, Clock: clock,
		Internal: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { root.ServeHTTP(w, r) }),
	})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	provider.Routes(mux)
	hosted.Routes(mux)
	ui.Routes(mux)
	root = resolver.Middleware(pages.Middleware(tenant.RefuseSuspended(mux))) // as internal/server mounts it

	hs := httptest.NewUnstartedServer(root)
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)

	cli := manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	boot, err := m.Bootstrap(cli, manage.BootstrapInput{AdminEmail: "admin@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	return &stack{url: base, db: db, outbox: outbox, hosted: hosted, manage: m, boot: boot, cli: cli, clock: clock}
}

// browser is a cookie-keeping client that does not follow redirects, so
// that every 303 can be checked.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}

type page1 struct {
	status int
	url    string
	body   string
	header http.Header
}

// do sends a request and follows redirects (GETs) up to a page.
func (s *stack) do(t *testing.T, c *http.Client, method, u string, form url.Values) page1 {
	t.Helper()
	for i := 0; i < 10; i++ {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "null") // what Chromium sends under Referrer-Policy: no-referrer
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 3 {
			return page1{resp.StatusCode, u, string(b), resp.Header}
		}
		if method == http.MethodPost && resp.StatusCode != http.StatusSeeOther && resp.StatusCode != http.StatusFound {
			t.Fatalf("POST %s answered %d", u, resp.StatusCode)
		}
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if err != nil {
			t.Fatal(err)
		}
		u, method, form = next.String(), http.MethodGet, nil
	}
	t.Fatalf("too many redirects from %s", u)
	return page1{}
}

var hiddenField = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// formValues reads the hidden inputs of the form whose action is action.
func formValues(t *testing.T, body, action string) url.Values {
	t.Helper()
	start := 0
	if action != "" {
		start = strings.Index(body, `action="`+action+`"`)
		if start < 0 {
			t.Fatalf("no form posting to %s in:\n%s", action, body)
		}
	}
	end := strings.Index(body[start:], "</form>")
	if end < 0 {
		t.Fatalf("no form in page")
	}
	v := url.Values{}
	for _, m := range hiddenField.FindAllStringSubmatch(body[start:start+end], -1) {
		v.Set(m[1], htmlUnescape(m[2]))
	}
	return v
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

var pinPattern = regexp.MustCompile(`\b\d{6}\b`)

// signIn opens the Admin UI and signs in as email through the admin
// tenant's own hosted pages, with the PIN from the captured mail. It
// returns the first admin page.
func (s *stack) signIn(t *testing.T, c *http.Client, email string) page1 {
	t.Helper()
	p := s.do(t, c, http.MethodGet, s.url+"/admin/", nil)
	if p.status != 200 || !strings.Contains(p.url, "/oauth2/login") {
		t.Fatalf("the Admin UI did not lead to the admin tenant's sign-in: %d %s", p.status, p.url)
	}
	v := formValues(t, p.body, "")
	v.Set("email", email)
	p = s.do(t, c, http.MethodPost, p.url, v)
	if p.status != 200 || !strings.Contains(p.url, "/oauth2/pin-code") {
		t.Fatalf("email step: %d %s", p.status, p.url)
	}
	s.hosted.Wait()
	msg, ok := s.outbox.Last(email)
	if !ok {
		t.Fatal("no sign-in mail")
	}
	v = formValues(t, p.body, "")
	v.Set("pin", pinPattern.FindString(msg.Text))
	p = s.do(t, c, http.MethodPost, p.url, v)
	if p.status != 200 || !strings.HasSuffix(p.url, "/admin/tenants") {
		t.Fatalf("PIN step ended with %d at %s:\n%.2000s", p.status, p.url, p.body)
	}
	return p
}

// callbackURL signs in as email up to the redirect to the Admin UI's
// callback, and returns that URL without following it.
func (s *stack) callbackURL(t *testing.T, c *http.Client, email string) *url.URL {
	t.Helper()
	p := s.do(t, c, http.MethodGet, s.url+"/admin/", nil)
	v := formValues(t, p.body, "")
	v.Set("email", email)
	p = s.do(t, c, http.MethodPost, p.url, v)
	s.hosted.Wait()
	msg, ok := s.outbox.Last(email)
	if !ok {
		t.Fatal("no sign-in mail")
	}
	v = formValues(t, p.body, "")
	v.Set("pin", pinPattern.FindString(msg.Text))
	u, method, form := p.url, http.MethodPost, v
	for i := 0; i < 10; i++ {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, u, body)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "null")
		}
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		next, err := resp.Request.URL.Parse(resp.Header.Get("Location"))
		if resp.StatusCode/100 != 3 || err != nil {
			t.Fatalf("no redirect to the callback: %d at %s", resp.StatusCode, u)
		}
		if next.Path == "/admin/callback" {
			return next
		}
		u, method, form = next.String(), http.MethodGet, nil
	}
	t.Fatal("too many redirects")
	return nil
}
