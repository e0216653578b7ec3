package tenant

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// fakeLookup is a hand-written store fake: a fixed set of tenants.
type fakeLookup struct {
	tenants map[string]*idp.Tenant
	calls   int
	fail    error
}

func (f *fakeLookup) GetTenant(_ context.Context, id string) (*idp.Tenant, error) {
	f.calls++
	if f.fail != nil {
		return nil, f.fail
	}
	if t, ok := f.tenants[id]; ok && !t.Admin {
		return t, nil
	}
	if t, ok := f.tenants[id]; ok {
		return t, nil
	}
	return nil, idp.ErrNotFound
}

func (f *fakeLookup) AdminTenant(context.Context) (*idp.Tenant, error) {
	f.calls++
	if f.fail != nil {
		return nil, f.fail
	}
	for _, t := range f.tenants {
		if t.Admin {
			return t, nil
		}
	}
	return nil, idp.ErrNotFound
}

func newLookup() *fakeLookup {
	return &fakeLookup{tenants: map[string]*idp.Tenant{
		"admin":       {ID: "admin", Admin: true},
		"acme":        {ID: "acme"},
		"brave-otter": {ID: "brave-otter"},
	}}
}

func newTestResolver(t *testing.T, publicURL string, proxies httpx.Proxies) (*Resolver, *fakeLookup, *idp.FakeClock) {
	t.Helper()
	l := newLookup()
	clk := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := NewResolver(l, Options{PublicURL: publicURL, BaseDomain: "example.com", PathIssuers: true, Proxies: proxies, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return r, l, clk
}

func TestSec42HostRouting(t *testing.T) {
	r, _, _ := newTestResolver(t, "https://login.example.com", nil)
	tests := []struct {
		name, host, path       string
		wantTenant, wantIssuer string
		wantPath               string
		wantErr                bool
	}{
		{"tenant host", "acme.example.com", "/oauth2/authorize", "acme", "https://acme.example.com", "/oauth2/authorize", false},
		{"host is case-insensitive", "ACME.Example.COM", "/x", "acme", "https://acme.example.com", "/x", false},
		{"admin host", "login.example.com", "/", "admin", "https://login.example.com", "/", false},
		{"path issuer", "login.example.com", "/t/acme/.well-known/openid-configuration", "acme", "https://login.example.com/t/acme", "/.well-known/openid-configuration", false},
		{"path issuer root", "login.example.com", "/t/acme", "acme", "https://login.example.com/t/acme", "/", false},
		{"unknown tenant host", "nope.example.com", "/", "", "", "", true},
		{"unknown path tenant", "login.example.com", "/t/nope/x", "", "", "", true},
		{"admin tenant by its id on a subdomain", "admin.example.com", "/", "", "", "", true},
		{"admin tenant by path", "login.example.com", "/t/admin/", "", "", "", true},
		{"foreign host", "evil.test", "/", "", "", "", true},
		{"suffix trick", "acme.example.com.evil.test", "/", "", "", "", true},
		{"nested subdomain", "x.acme.example.com", "/", "", "", "", true},
		{"bare base domain", "example.com", "/", "", "", "", true},
		{"port not configured", "acme.example.com:8443", "/", "", "", "", true},
		{"bad id syntax", "login.example.com", "/t/ACME/x", "", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "http://placeholder"+tc.path, nil)
			req.Host = tc.host
			info, path, err := r.Resolve(req)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("Resolve(%s%s) = %s, want error", tc.host, tc.path, info.Tenant.ID)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve: %v", err)
			}
			if info.Tenant.ID != tc.wantTenant || info.Issuer != tc.wantIssuer || path != tc.wantPath {
				t.Fatalf("got (%s, %s, %s), want (%s, %s, %s)", info.Tenant.ID, info.Issuer, path, tc.wantTenant, tc.wantIssuer, tc.wantPath)
			}
			if !info.Secure {
				t.Fatal("https public URL must give Secure info")
			}
		})
	}
}

func TestSec42ForwardedHeadersOnlyFromTrustedProxies(t *testing.T) {
	proxies := httpx.Proxies{netip.MustParsePrefix("10.0.0.0/8")}
	r, _, _ := newTestResolver(t, "https://login.example.com", proxies)

	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "acme.example.com"
	req.RemoteAddr = "203.0.113.9:5555" // untrusted peer
	req.Header.Set("X-Forwarded-Host", "brave-otter.example.com")
	info, _, err := r.Resolve(req)
	if err != nil || info.Tenant.ID != "acme" {
		t.Fatalf("untrusted X-Forwarded-Host must be ignored; got %v %v", info, err)
	}

	req.RemoteAddr = "10.1.2.3:5555" // trusted proxy
	info, _, err = r.Resolve(req)
	if err != nil || info.Tenant.ID != "brave-otter" || info.Issuer != "https://brave-otter.example.com" {
		t.Fatalf("trusted X-Forwarded-Host must select the tenant; got %+v %v", info, err)
	}

	req.Header.Set("X-Forwarded-Host", "evil.test")
	if _, _, err := r.Resolve(req); err == nil {
		t.Fatal("a trusted proxy still cannot select an unconfigured host")
	}
}

func TestDevPublicURLWithPort(t *testing.T) {
	l := newLookup()
	r, err := NewResolver(l, Options{PublicURL: "http://localhost:8080", BaseDomain: "localhost", PathIssuers: true})
	if err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		"acme.localhost:8080":  "http://acme.localhost:8080",
		"login.localhost:8080": "http://login.localhost:8080",
		"localhost:8080":       "http://localhost:8080",
	}
	for host, issuer := range cases {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		info, _, err := r.Resolve(req)
		if err != nil || info.Issuer != issuer || info.Secure {
			t.Errorf("%s: got %+v, %v; want issuer %s", host, info, err, issuer)
		}
	}
	if got := r.PreferredIssuer(&idp.Tenant{ID: "acme"}); got != "http://localhost:8080/t/acme" {
		t.Errorf("PreferredIssuer = %s", got)
	}
}

func TestMiddlewareStripsPathAndAnswers404(t *testing.T) {
	r, _, _ := newTestResolver(t, "https://login.example.com", nil)
	var gotPath, gotIssuer string
	h := r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		gotPath = req.URL.Path
		gotIssuer = MustFromContext(req.Context()).Issuer
	}))
	req := httptest.NewRequest(http.MethodGet, "https://login.example.com/t/acme/oauth2/token", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 || gotPath != "/oauth2/token" || gotIssuer != "https://login.example.com/t/acme" {
		t.Fatalf("got %d %q %q", rec.Code, gotPath, gotIssuer)
	}

	req = httptest.NewRequest(http.MethodGet, "https://unknown.example.com/", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound || rec.Header().Get("Location") != "" {
		t.Fatalf("unknown host: got %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestCacheTTLAndFailures(t *testing.T) {
	r, l, clk := newTestResolver(t, "https://login.example.com", nil)
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.Host = "acme.example.com"
	for i := 0; i < 3; i++ {
		if _, _, err := r.Resolve(req); err != nil {
			t.Fatal(err)
		}
	}
	if l.calls != 1 {
		t.Fatalf("lookups = %d, want 1 (cached)", l.calls)
	}
	clk.Advance(DefaultCacheTTL - time.Nanosecond)
	_, _, _ = r.Resolve(req)
	if l.calls != 1 {
		t.Fatalf("lookups = %d, want 1 just before the TTL", l.calls)
	}
	clk.Advance(time.Nanosecond)
	_, _, _ = r.Resolve(req)
	if l.calls != 2 {
		t.Fatalf("lookups = %d, want 2 after TTL", l.calls)
	}
	r.Invalidate(idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"})
	l.fail = idp.ErrUnavailable
	if _, _, err := r.Resolve(req); !errors.Is(err, idp.ErrUnavailable) {
		t.Fatalf("database failure must surface, got %v", err)
	}
	l.fail = nil
	if _, _, err := r.Resolve(req); err != nil {
		t.Fatalf("failures must not be cached: %v", err)
	}
}

func TestCookieNaming(t *testing.T) {
	tn := &idp.Tenant{ID: "acme"}
	cases := []struct {
		info       Info
		name, path string
	}{
		{Info{Tenant: tn, Issuer: "https://acme.example.com", Secure: true}, "__Host-sid", "/"},
		{Info{Tenant: tn, Issuer: "http://acme.localhost:8080"}, "sid", "/"},
		{Info{Tenant: tn, Issuer: "https://login.example.com/t/acme", BasePath: "/t/acme", Secure: true}, "__Secure-sid-acme", "/t/acme/"},
		{Info{Tenant: tn, Issuer: "http://localhost:8080/t/acme", BasePath: "/t/acme"}, "sid-acme", "/t/acme/"},
	}
	for _, c := range cases {
		if got := c.info.CookieName("sid"); got != c.name {
			t.Errorf("%s: CookieName = %s, want %s", c.info.Issuer, got, c.name)
		}
		if got := c.info.CookiePath(); got != c.path {
			t.Errorf("%s: CookiePath = %s, want %s", c.info.Issuer, got, c.path)
		}
	}
	pi := Info{Tenant: tn, Issuer: "http://localhost:8080/t/acme", BasePath: "/t/acme"}
	if pi.Origin() != "http://localhost:8080" || pi.URL("/x") != "http://localhost:8080/t/acme/x" || pi.Path("/x") != "/t/acme/x" {
		t.Errorf("path info helpers wrong: %s %s %s", pi.Origin(), pi.URL("/x"), pi.Path("/x"))
	}
}

func TestValidIDAndNewID(t *testing.T) {
	for _, ok := range []string{"acme", "brave-otter-lantern", "a1b", "x2-y3"} {
		if err := ValidID(ok); err != nil {
			t.Errorf("ValidID(%q) = %v", ok, err)
		}
	}
	for _, bad := range []string{"", "ab", "-acme", "acme-", "ACME", "ac.me", "ac_me", "login", "admin", "t", strings.Repeat("a", 41)} {
		if ValidID(bad) == nil {
			t.Errorf("ValidID(%q) accepted", bad)
		}
	}
	for i := 0; i < 100; i++ {
		id, err := NewID(nil)
		if err != nil || ValidID(id) != nil {
			t.Fatalf("NewID gave %q (%v)", id, err)
		}
	}
}

// FuzzResolveHost checks that no Host header or path can resolve to a
// tenant other than the one its configured URL names, or panic.
func FuzzResolveHost(f *testing.F) {
	for _, s := range []string{"acme.example.com", "login.example.com", "ACME.example.com", "acme.example.com.", "acme.example.com:443", "acme..example.com", "x.acme.example.com", "acme.example.com@evil", "admin.example.com", "%41cme.example.com"} {
		f.Add(s, "/")
		f.Add("login.example.com", "/t/"+s+"/x")
	}
	l := newLookup()
	r, err := NewResolver(l, Options{PublicURL: "https://login.example.com", BaseDomain: "example.com", PathIssuers: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, host, path string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		req.URL.Path = path
		info, _, err := r.Resolve(req)
		if err != nil {
			return
		}
		want := []string{"https://" + info.Tenant.ID + ".example.com", "https://login.example.com/t/" + info.Tenant.ID}
		if info.Tenant.Admin {
			want = []string{"https://login.example.com"}
		}
		ok := false
		for _, w := range want {
			ok = ok || info.Issuer == w
		}
		if !ok {
			t.Fatalf("host %q path %q resolved to %s with issuer %s", host, path, info.Tenant.ID, info.Issuer)
		}
		if !info.Tenant.Admin && strings.ToLower(host) != info.Tenant.ID+".example.com" && !strings.HasPrefix(path, "/t/"+info.Tenant.ID) {
			t.Fatalf("host %q path %q reached tenant %s", host, path, info.Tenant.ID)
		}
	})
}

// TestMiddlewareBehindFront: behind httpx.Front the resolver puts the
// tenant into Front's context and rewrites Front's own copy of the request
// (no copies of its own); on its own it copies. Either way the handler
// sees the same path and tenant, a host issuer's path is left alone, and
// the request the caller passed in is never changed.
func TestMiddlewareBehindFront(t *testing.T) {
	r, _, _ := newTestResolver(t, "https://login.example.com", nil)
	for _, front := range []bool{false, true} {
		for _, c := range []struct{ url, wantPath, wantIssuer string }{
			{"https://login.example.com/t/acme/oauth2/token", "/oauth2/token", "https://login.example.com/t/acme"},
			{"https://acme.example.com/oauth2/token", "/oauth2/token", "https://acme.example.com"},
		} {
			var gotPath, gotIssuer string
			var h http.Handler = r.Middleware(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				gotPath = req.URL.Path
				gotIssuer = MustFromContext(req.Context()).Issuer
				// A context derived below still answers the tenant.
				if _, ok := FromContext(context.WithoutCancel(req.Context())); !ok {
					t.Error("derived context lost the tenant")
				}
			}))
			if front {
				h = httpx.Front(httpx.FrontOptions{}, h)
			}
			req := httptest.NewRequest(http.MethodGet, c.url, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != 200 || gotPath != c.wantPath || gotIssuer != c.wantIssuer {
				t.Errorf("front %v, %s: got %d %q %q", front, c.url, rec.Code, gotPath, gotIssuer)
			}
			if req.URL.String() != c.url {
				t.Errorf("front %v: the caller's request became %s", front, req.URL)
			}
			if _, ok := FromContext(req.Context()); ok {
				t.Errorf("front %v: the caller's context got the tenant", front)
			}
		}
	}
}

// TestInfoSharedUntilReload: requests to the same issuer share one Info
// (built when the tenant is loaded), the path and host issuers each have
// theirs, and a change that drops the tenant gives the next request a new
// Info over the reloaded tenant.
func TestInfoSharedUntilReload(t *testing.T) {
	r, l, _ := newTestResolver(t, "https://login.example.com", nil)
	resolve := func(host, path string) *Info {
		t.Helper()
		req := httptest.NewRequest(http.MethodGet, path, nil)
		req.Host = host
		info, _, err := r.Resolve(req)
		if err != nil {
			t.Fatal(err)
		}
		return info
	}
	p1, p2 := resolve("login.example.com", "/t/acme/x"), resolve("login.example.com", "/t/acme/y")
	h1, h2 := resolve("acme.example.com", "/x"), resolve("acme.example.com", "/y")
	if p1 != p2 || h1 != h2 {
		t.Error("requests to one issuer got different Infos")
	}
	if p1 == h1 || p1.Issuer != "https://login.example.com/t/acme" || p1.BasePath != "/t/acme" ||
		h1.Issuer != "https://acme.example.com" || h1.BasePath != "" || !p1.Secure || !h1.Secure {
		t.Errorf("path info %+v, host info %+v", *p1, *h1)
	}
	if p1.Tenant != h1.Tenant || p1.Tenant != l.tenants["acme"] {
		t.Error("the Infos do not point to the loaded tenant")
	}
	l.tenants["acme"] = &idp.Tenant{ID: "acme", Name: "Renamed"}
	r.Invalidate(idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"})
	p3 := resolve("login.example.com", "/t/acme/x")
	if p3 == p1 || p3.Tenant.Name != "Renamed" || p3.Issuer != p1.Issuer {
		t.Errorf("after the change: %+v (tenant %+v)", *p3, *p3.Tenant)
	}
}
