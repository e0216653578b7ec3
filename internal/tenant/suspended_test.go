package tenant

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestRefuseSuspended: a suspended tenant's requests never reach the
// handler and get the answer of their kind; an active tenant's, and a
// request without a tenant, pass.
func TestRefuseSuspended(t *testing.T) {
	reached := false
	h := RefuseSuspended(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		w.WriteHeader(http.StatusTeapot)
	}))
	suspended := &Info{Tenant: &idp.Tenant{ID: "t", Status: idp.TenantSuspended}, Issuer: "https://t.example.com"}
	active := &Info{Tenant: &idp.Tenant{ID: "t", Status: idp.TenantActive}, Issuer: "https://t.example.com"}
	const denied = `{"error":"access_denied","error_description":"tenant is suspended"}`
	cases := []struct {
		name, method, path, accept string
		info                       *Info
		wantStatus                 int
		wantBody                   string // exact JSON; "" for the plain-text page of a context without renderer
		wantPage                   bool
	}{
		{"discovery", "GET", "/.well-known/openid-configuration", "", suspended, 403, denied, false},
		{"JWKS", "GET", "/.well-known/jwks.json", "", suspended, 403, denied, false},
		{"token", "POST", "/oauth2/token", "", suspended, 403, denied, false},
		{"token preflight", "OPTIONS", "/oauth2/token", "", suspended, 403, denied, false},
		{"revoke", "POST", "/oauth2/revoke", "", suspended, 403, denied, false},
		{"registration", "POST", "/oauth2/register", "", suspended, 403, denied, false},
		{"management API", "GET", "/api/v1/users", "", suspended, 403, denied, false},
		{"introspect", "POST", "/oauth2/introspect", "", suspended, 200, `{"active":false}`, false},
		{"introspect with GET", "GET", "/oauth2/introspect", "", suspended, 403, denied, false},
		{"userinfo", "GET", "/oauth2/userinfo", "", suspended, 401, `{"error":"invalid_token","error_description":"tenant is suspended"}`, false},
		{"me", "PUT", "/oauth2/me", "", suspended, 401, `{"error":"invalid_token","error_description":"tenant is suspended"}`, false},
		{"authorize", "GET", "/oauth2/authorize", "text/html", suspended, 403, "", true},
		{"login page", "GET", "/oauth2/login", "", suspended, 403, "", true},
		{"start page", "GET", "/", "text/html,application/json", suspended, 403, "", true},
		{"a page asked for as JSON", "GET", "/oauth2/logout", "application/json", suspended, 403, denied, false},
		{"active tenant", "GET", "/.well-known/jwks.json", "", active, http.StatusTeapot, "", false},
		{"no tenant", "GET", "/healthz", "", nil, http.StatusTeapot, "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reached = false
			req := httptest.NewRequest(c.method, c.path, nil)
			if c.accept != "" {
				req.Header.Set("Accept", c.accept)
			}
			if c.info != nil {
				req = req.WithContext(NewContext(req.Context(), c.info))
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != c.wantStatus {
				t.Fatalf("status %d, want %d: %s", w.Code, c.wantStatus, w.Body)
			}
			if c.wantStatus == http.StatusTeapot {
				if !reached {
					t.Fatal("the handler was not reached")
				}
				return
			}
			if reached {
				t.Fatal("a suspended tenant's request reached the handler")
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control %q", cc)
			}
			body := strings.TrimSpace(w.Body.String())
			if c.wantPage {
				if strings.HasPrefix(body, "{") || !strings.Contains(body, "suspended") {
					t.Fatalf("want a page that says so, got %q", body)
				}
				return
			}
			if body != c.wantBody {
				t.Fatalf("body %s, want %s", body, c.wantBody)
			}
			if c.wantStatus == 401 && w.Header().Get("WWW-Authenticate") != `Bearer error="invalid_token", error_description="tenant is suspended"` {
				t.Fatalf("WWW-Authenticate %q", w.Header().Get("WWW-Authenticate"))
			}
		})
	}
}

// BenchmarkRefuseSuspendedPass is the cost the check adds to every request
// of an active tenant.
func BenchmarkRefuseSuspendedPass(b *testing.B) {
	h := RefuseSuspended(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := httptest.NewRequest("GET", "/.well-known/jwks.json", nil)
	req = req.WithContext(NewContext(req.Context(), &Info{Tenant: &idp.Tenant{ID: "t", Status: idp.TenantActive}}))
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}
