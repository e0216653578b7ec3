package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/pgtest"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// pgFixture is the token endpoint on PostgreSQL: one tenant with a web
// client and a user, the Provider's routes called in process with the
// tenant already in the context. The oauthtest harness runs on SQLite;
// SECURITY-TESTS 12 and 22 must also hold on PostgreSQL, whose row
// locking is different.
type pgFixture struct {
	store  *sqlstore.Store
	clock  *idp.FakeClock
	mux    *http.ServeMux
	info   *tenant.Info
	secret string
	userID string
	redir  string
}

const pgTenant, pgClient = "pg-tenant", "app-web"

func newPGFixture(t *testing.T) *pgFixture {
	t.Helper()
	dsn := pgtest.FreshDatabase(t, "authalla_oauth_")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}

	f := &pgFixture{store: st, clock: idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)), redir: "https://pg.example/callback"}
	now := f.clock.Now()
	tn := &idp.Tenant{ID: pgTenant, Name: "pg", CreatedAt: now, UpdatedAt: now}
	tn.ApplyDefaults()
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("tenant", st.CreateTenant(ctx, tn))
	sealer, err := secret.NewSealer(make([]byte, 32))
	must("sealer", err)
	km := keys.New(keys.Options{Store: st, Sealer: sealer, Clock: f.clock, Random: secret.Default})
	must("key", km.EnsureKey(ctx, pgTenant, idp.AlgES256))
	must("client", st.CreateClient(ctx, pgTenant, &idp.Client{TenantID: pgTenant, ID: pgClient, Name: "web", Type: idp.ClientWeb,
		RedirectURIs: []string{f.redir}, CreatedAt: now, UpdatedAt: now}))
	f.secret, err = secret.Default.Token(32)
	must("secret", err)
	must("add secret", st.AddClientSecret(ctx, pgTenant, &idp.ClientSecret{TenantID: pgTenant, ClientID: pgClient, ID: "s1",
		Hash: secret.HashBytes(f.secret), CreatedAt: now}))
	f.userID = "usr_pg"
	must("user", st.CreateUser(ctx, pgTenant, &idp.User{TenantID: pgTenant, ID: f.userID, Email: "pg@example.com", Name: "PG",
		Status: idp.UserActive, CreatedAt: now, UpdatedAt: now}))

	p := oauth.New(oauth.Options{Store: st, Keys: km, Clock: f.clock, Random: secret.Default})
	f.mux = http.NewServeMux()
	p.Routes(f.mux)
	f.info = &tenant.Info{Tenant: tn, Issuer: "https://pg-tenant.example.com"}
	return f
}

// token posts a form to the token endpoint with the web client's
// credentials and returns the status and body.
func (f *pgFixture) token(form url.Values) (int, string) {
	return f.call("/oauth2/token", form)
}

func (f *pgFixture) call(path string, form url.Values) (int, string) {
	req := httptest.NewRequest(http.MethodPost, "https://pg-tenant.example.com"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(pgClient, f.secret)
	req = req.WithContext(tenant.NewContext(req.Context(), f.info))
	w := httptest.NewRecorder()
	f.mux.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// active introspects token.
func (f *pgFixture) active(t *testing.T, token string) bool {
	t.Helper()
	code, body := f.call("/oauth2/introspect", url.Values{"token": {token}})
	if code != http.StatusOK {
		t.Fatalf("introspect: %d %s", code, body)
	}
	return strings.Contains(body, `"active":true`)
}

// field extracts a JSON string member (tokens have no escapes).
func field(body, name string) string {
	_, rest, ok := strings.Cut(body, `"`+name+`":"`)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, `"`)
	return v
}

// mint stores a code.
func (f *pgFixture) mint(t *testing.T) string {
	t.Helper()
	plain, _ := secret.Default.Token(32)
	now := f.clock.Now()
	err := f.store.CreateAuthCode(context.Background(), pgTenant, &idp.AuthCode{
		TenantID: pgTenant, Hash: secret.Hash(plain), ClientID: pgClient, UserID: f.userID, RedirectURI: f.redir,
		Scope: []string{"openid", "offline_access"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(idp.AuthCodeLifetime),
	})
	if err != nil {
		t.Fatal(err)
	}
	return plain
}

// parallel runs n calls of fn at once and returns their results.
func parallel(n int, fn func() (int, string)) ([]int, []string) {
	codes, bodies := make([]int, n), make([]string, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			codes[i], bodies[i] = fn()
		}()
	}
	close(start)
	wg.Wait()
	return codes, bodies
}

// TestSec12ConcurrentCodeRedemptionPostgres is SECURITY-TESTS 12 on
// PostgreSQL.
func TestSec12ConcurrentCodeRedemptionPostgres(t *testing.T) {
	f := newPGFixture(t)
	code := f.mint(t)
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {f.redir}}
	codes, bodies := parallel(20, func() (int, string) { return f.token(form) })
	winner := ""
	for i, c := range codes {
		switch {
		case c == http.StatusOK && winner == "":
			winner = bodies[i]
		case c == http.StatusOK:
			t.Fatal("two redemptions succeeded")
		case c >= 500:
			t.Fatalf("server error: %d %s", c, bodies[i])
		case !strings.Contains(bodies[i], `"invalid_grant"`):
			t.Fatalf("loser: %d %s", c, bodies[i])
		}
	}
	if winner == "" {
		t.Fatal("no redemption succeeded")
	}
	if f.active(t, field(winner, "access_token")) || f.active(t, field(winner, "refresh_token")) {
		t.Fatal("the winner's tokens survived the concurrent reuse")
	}
}

// TestSec22ConcurrentRefreshReusePostgres: 20 parallel refreshes of one
// token on PostgreSQL give exactly one new token, no 5xx, and the reuse
// revokes the family, including the winner's token.
func TestSec22ConcurrentRefreshReusePostgres(t *testing.T) {
	f := newPGFixture(t)
	c, body := f.token(url.Values{"grant_type": {"authorization_code"}, "code": {f.mint(t)}, "redirect_uri": {f.redir}})
	if c != http.StatusOK {
		t.Fatalf("redeem: %d %s", c, body)
	}
	rt := field(body, "refresh_token")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	codes, bodies := parallel(20, func() (int, string) { return f.token(form) })
	var ok []string
	for i, c := range codes {
		switch {
		case c == http.StatusOK:
			ok = append(ok, field(bodies[i], "refresh_token"))
		case c >= 500:
			t.Fatalf("server error: %d %s", c, bodies[i])
		case !strings.Contains(bodies[i], `"invalid_grant"`):
			t.Fatalf("loser: %d %s", c, bodies[i])
		}
	}
	if len(ok) != 1 {
		t.Fatalf("%d refreshes succeeded, want 1", len(ok))
	}
	if f.active(t, ok[0]) {
		t.Fatal("the family survived the concurrent reuse")
	}
}
