package login

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// Fixture names. Both tenants have a client "app": client ids collide
// across tenants on purpose.
const (
	acme        = "acme"   // registration closed
	globex      = "globex" // registration open
	alice       = "alice@acme.test"
	suspended   = "sam@acme.test"
	clientID    = "app"
	redirectURI = "https://app.example/cb"
	logoutURI   = "https://app.example/signed-out"
)

// fakeMail captures messages.
type fakeMail struct {
	mu   sync.Mutex
	msgs []mail.Message
}

func (f *fakeMail) Send(_ context.Context, m mail.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.msgs = append(f.msgs, m)
	return nil
}

func (f *fakeMail) all() []mail.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]mail.Message(nil), f.msgs...)
}

// fakeFinisher records Deny calls and answers like the protocol layer.
type fakeFinisher struct {
	mu     sync.Mutex
	denied []string
}

func (f *fakeFinisher) Deny(w http.ResponseWriter, r *http.Request, id string) error {
	f.mu.Lock()
	f.denied = append(f.denied, id)
	f.mu.Unlock()
	http.Redirect(w, r, redirectURI+"?error=access_denied", http.StatusSeeOther)
	return nil
}

// fakeKeys signs and verifies ES256 JWTs with one key per tenant, refusing
// any other algorithm (alg none included), like keys.Verifier.
type fakeKeys struct {
	priv map[string]*ecdsa.PrivateKey
}

func newFakeKeys(t *testing.T, tenants ...string) *fakeKeys {
	k := &fakeKeys{priv: map[string]*ecdsa.PrivateKey{}}
	for _, id := range tenants {
		p, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k.priv[id] = p
	}
	return k
}

func (k *fakeKeys) Verify(_ context.Context, tenantID, token string) (*keys.Verified, error) {
	p, ok := k.priv[tenantID]
	if !ok {
		return nil, keys.ErrInvalidToken
	}
	jws, err := jose.ParseSigned(token, []jose.SignatureAlgorithm{jose.ES256})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", keys.ErrInvalidToken, err)
	}
	payload, err := jws.Verify(&p.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", keys.ErrInvalidToken, err)
	}
	typ, _ := jws.Signatures[0].Protected.ExtraHeaders[jose.HeaderType].(string)
	return &keys.Verified{Alg: "ES256", Type: typ, Payload: payload}, nil
}

// sign makes a JWT with key p.
func sign(t *testing.T, p *ecdsa.PrivateKey, typ string, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.ES256, Key: p}, (&jose.SignerOptions{}).WithType(jose.ContentType(typ)))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(claims)
	obj, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	out, err := obj.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// env is one server: a real SQLite store, two tenants, the login routes
// behind the real tenant resolver, a fake clock and captured mail.
type env struct {
	t        *testing.T
	ctx      context.Context
	store    *sqlstore.Store
	clock    *idp.FakeClock
	mail     *fakeMail
	finisher *fakeFinisher
	keys     *fakeKeys
	h        *Handler
	server   http.Handler
	scheme   string // of every issuer
	users    map[string]*idp.User
}

type envOptions struct {
	https   bool
	limits  Limits
	metrics Metrics
}

func newEnv(t *testing.T, o envOptions) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	clock := idp.NewFakeClock(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
	e := &env{t: t, ctx: ctx, store: st, clock: clock, mail: &fakeMail{}, finisher: &fakeFinisher{},
		keys: newFakeKeys(t, acme, globex), scheme: "http", users: map[string]*idp.User{}}
	if o.https {
		e.scheme = "https"
	}
	for _, tn := range []*idp.Tenant{
		{ID: acme, Name: "Acme", AccountID: ""},
		{ID: globex, Name: "Globex", AllowRegistration: true},
	} {
		tn.ApplyDefaults()
		tn.CreatedAt, tn.UpdatedAt = clock.Now(), clock.Now()
		if err := st.CreateTenant(ctx, tn); err != nil {
			t.Fatal(err)
		}
		c := &idp.Client{TenantID: tn.ID, ID: clientID, Name: tn.Name + " App", Type: idp.ClientWeb,
			RedirectURIs: []string{redirectURI}, PostLogoutRedirectURIs: []string{logoutURI},
			RequireConsent: true, CreatedAt: clock.Now(), UpdatedAt: clock.Now()}
		if err := st.CreateClient(ctx, tn.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	e.addUser(acme, alice, idp.UserActive)
	e.addUser(acme, suspended, idp.UserSuspended)
	e.addUser(globex, alice, idp.UserActive) // same email, another person

	resolver, err := tenant.NewResolver(st, tenant.Options{
		PublicURL: e.scheme + "://example.test", BaseDomain: "example.test", PathIssuers: true, Clock: clock,
	})
	if err != nil {
		t.Fatal(err)
	}
	pages, err := page.New(st, page.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e.h = New(Options{
		Store: st, Sessions: &session.Manager{Store: st, Clock: clock, Random: secret.Default},
		Mail: e.mail, Keys: e.keys, Finisher: e.finisher, Pages: pages, Clock: clock,
		Random: secret.Default, Limits: o.limits, Metrics: o.metrics,
	})
	mux := http.NewServeMux()
	e.h.Routes(mux)
	e.server = httpx.WithRequestID(resolver.Middleware(mux))
	return e
}

func (e *env) addUser(tenantID, email string, status idp.UserStatus) *idp.User {
	e.t.Helper()
	id, _ := secret.Default.ID("usr_")
	u := &idp.User{TenantID: tenantID, ID: id, Email: email, Name: "Test " + email, EmailVerified: true,
		Status: status, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
	if err := e.store.CreateUser(e.ctx, tenantID, u); err != nil {
		e.t.Fatal(err)
	}
	e.users[tenantID+"|"+email] = u
	return u
}

// issuer is a tenant's host issuer.
func (e *env) issuer(tenantID string) string { return e.scheme + "://" + tenantID + ".example.test" }

// authRequest parks an authorization request as the protocol layer would.
func (e *env) authRequest(tenantID string, scopes ...string) *idp.AuthRequest {
	e.t.Helper()
	id, _ := secret.Default.ID("ar_")
	if len(scopes) == 0 {
		scopes = []string{"openid", "email", "profile"}
	}
	ar := &idp.AuthRequest{TenantID: tenantID, ID: id, ClientID: clientID, RedirectURI: redirectURI,
		ResponseMode: "query", Scope: scopes, State: "st", CodeChallenge: strings.Repeat("a", 43),
		CodeChallengeMethod: "S256", LoginHint: alice, Issuer: e.issuer(tenantID),
		CreatedAt: e.clock.Now(), ExpiresAt: e.clock.Now().Add(10 * time.Minute)}
	if err := e.store.CreateAuthRequest(e.ctx, tenantID, ar); err != nil {
		e.t.Fatal(err)
	}
	return ar
}

// mails waits for background deliveries and returns every message so far.
func (e *env) mails() []mail.Message {
	e.h.Wait()
	return e.mail.all()
}

var (
	pinRe  = regexp.MustCompile(`\b(\d{6})\b`)
	linkRe = regexp.MustCompile(`https?://[^\s"<>]+/oauth2/magic-link\?token=[A-Za-z0-9_%-]+`)
	csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
)

// lastCode returns the PIN and link of the newest message to addr.
func (e *env) lastCode(addr string) (pin, link string) {
	e.t.Helper()
	msgs := e.mails()
	for i := len(msgs) - 1; i >= 0; i-- {
		if msgs[i].To == addr {
			return pinRe.FindString(msgs[i].Text), linkRe.FindString(msgs[i].Text)
		}
	}
	e.t.Fatalf("no mail to %s", addr)
	return "", ""
}

// browser is one user agent talking to one env: it keeps cookies per
// host and never follows redirects.
type browser struct {
	e       *env
	cookies map[string]map[string]*http.Cookie // host -> name -> cookie
	headers map[string]string                  // sent with every request
}

func (e *env) browser() *browser {
	return &browser{e: e, cookies: map[string]map[string]*http.Cookie{}, headers: map[string]string{}}
}

// response is a finished exchange.
type response struct {
	*http.Response
	body string
}

func (b *browser) do(method, target string, form url.Values) *response {
	b.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	req.RemoteAddr = "192.0.2.10:5555"
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range b.headers {
		req.Header.Set(k, v)
	}
	for _, c := range b.cookies[req.Host] {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	w := httptest.NewRecorder()
	b.e.server.ServeHTTP(w, req)
	res := w.Result()
	raw, _ := io.ReadAll(res.Body)
	if method == http.MethodPost && (res.StatusCode == http.StatusTemporaryRedirect || res.StatusCode == http.StatusPermanentRedirect) {
		b.e.t.Fatalf("POST %s answered %d: SECURITY-TESTS 21 forbids 307/308", target, res.StatusCode)
	}
	jar := b.cookies[req.Host]
	if jar == nil {
		jar = map[string]*http.Cookie{}
		b.cookies[req.Host] = jar
	}
	for _, c := range res.Cookies() {
		if c.MaxAge < 0 || c.Value == "" {
			delete(jar, c.Name)
			continue
		}
		jar[c.Name] = c
	}
	return &response{Response: res, body: string(raw)}
}

func (b *browser) get(target string) *response { return b.do(http.MethodGet, target, nil) }

// post submits form with the CSRF token of the page at from (fetched now).
func (b *browser) post(from, target string, form url.Values) *response {
	b.e.t.Helper()
	tok := b.csrfFrom(from)
	f := url.Values{}
	for k, v := range form {
		f[k] = v
	}
	f.Set(httpx.CSRFField, tok)
	return b.do(http.MethodPost, target, f)
}

// csrfFrom loads a page and returns its CSRF form value.
func (b *browser) csrfFrom(pageURL string) string {
	b.e.t.Helper()
	r := b.get(pageURL)
	m := csrfRe.FindStringSubmatch(r.body)
	if m == nil {
		b.e.t.Fatalf("no CSRF field on %s (status %d)", pageURL, r.StatusCode)
	}
	return m[1]
}

// cookie returns the value of a cookie the browser holds for host.
func (b *browser) cookie(host, name string) string {
	if c := b.cookies[host][name]; c != nil {
		return c.Value
	}
	return ""
}

// startLogin submits email on tenantID's login page and returns the
// redirect to the PIN page.
func (b *browser) startLogin(tenantID, email, requestID string) *response {
	b.e.t.Helper()
	iss := b.e.issuer(tenantID)
	page := iss + "/oauth2/login"
	form := url.Values{"email": {email}}
	if requestID != "" {
		page += "?request=" + requestID
		form.Set("request", requestID)
	}
	r := b.post(page, iss+"/oauth2/login", form)
	if r.StatusCode != http.StatusSeeOther {
		b.e.t.Fatalf("login POST = %d, want 303; body %s", r.StatusCode, r.body)
	}
	return r
}

// submitPIN posts pin for the challenge of the PIN page the browser was
// sent to.
func (b *browser) submitPIN(tenantID, pinPage, pin string) *response {
	b.e.t.Helper()
	iss := b.e.issuer(tenantID)
	u, err := url.Parse(pinPage)
	if err != nil {
		b.e.t.Fatal(err)
	}
	// The CSRF token comes from the login page: the PIN page itself may
	// (correctly) refuse to show a form.
	return b.post(iss+"/oauth2/login", iss+"/oauth2/pin-code", url.Values{"challenge": {u.Query().Get("challenge")}, "pin": {pin}})
}

// signIn runs the PIN flow and returns the final response.
func (b *browser) signIn(tenantID, email, requestID string) *response {
	b.e.t.Helper()
	r := b.startLogin(tenantID, email, requestID)
	pin, _ := b.e.lastCode(email)
	res := b.submitPIN(tenantID, r.Header.Get("Location"), pin)
	if res.StatusCode != http.StatusSeeOther {
		b.e.t.Fatalf("PIN POST = %d, want 303; body %s", res.StatusCode, res.body)
	}
	return res
}

// host returns the Host of a tenant's issuer.
func (e *env) host(tenantID string) string { return tenantID + ".example.test" }

// sessionCookieName is the session cookie's name on a host issuer.
func (e *env) sessionCookieName() string {
	if e.scheme == "https" {
		return "__Host-" + session.CookieBase
	}
	return session.CookieBase
}

// session returns the live session for a cookie value, or nil.
func (e *env) session(tenantID, value string) *idp.Session {
	e.t.Helper()
	if value == "" {
		return nil
	}
	s, err := e.store.GetSession(e.ctx, tenantID, secret.Hash(value))
	if err != nil || s.RevokedAt != nil {
		return nil
	}
	return s
}
