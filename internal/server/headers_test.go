package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// pageHeaders are the headers every answer outside the protocol's JSON
// endpoints carries (SECURITY-TESTS 28 asks them of every HTML answer).
var pageHeaders = map[string]string{
	"X-Frame-Options":            "DENY",
	"Referrer-Policy":            "no-referrer",
	"X-Content-Type-Options":     "nosniff",
	"Cross-Origin-Opener-Policy": "same-origin",
}

// TestHeadersByAnswer: the protocol's JSON endpoints carry nosniff, their
// own Cache-Control, Vary: Origin and the request id, and none of the
// headers that govern a rendered document; pages, redirects and other
// answers keep all of them.
func TestHeadersByAnswer(t *testing.T) {
	s := newStack(t)
	issuer, _ := s.tenantWithClient(t, "hdrshop")
	u, _ := url.Parse(issuer)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, target, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, target, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := noRedirect.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	json := []struct {
		name, method, target, body string
		status                     int
		cache                      string
	}{
		{"discovery", "GET", issuer + "/.well-known/openid-configuration", "", 200, "public, max-age=300"},
		{"RFC 8414 metadata", "GET", issuer + "/.well-known/oauth-authorization-server", "", 200, "public, max-age=300"},
		{"RFC 8414 §3.1 path form", "GET", s.url + "/.well-known/openid-configuration" + u.Path, "", 200, "public, max-age=300"},
		{"JWKS", "GET", issuer + "/.well-known/jwks.json", "", 200, "public, max-age="},
		{"token error", "POST", issuer + "/oauth2/token", "grant_type=client_credentials&client_id=nobody&client_secret=x", 401, "no-store"},
		{"introspection error", "POST", issuer + "/oauth2/introspect", "token=x", 401, "no-store"},
		{"userinfo without a token", "GET", issuer + "/oauth2/userinfo", "", 401, "no-store"},
		{"token preflight", "OPTIONS", issuer + "/oauth2/token", "", 204, "no-store"},
	}
	for _, c := range json {
		t.Run(c.name, func(t *testing.T) {
			resp := do(c.method, c.target, c.body)
			h := resp.Header
			if resp.StatusCode != c.status || !strings.HasPrefix(h.Get("Cache-Control"), c.cache) {
				t.Fatalf("%d, Cache-Control %q", resp.StatusCode, h.Get("Cache-Control"))
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Vary") != "Origin" || len(h.Get("X-Request-Id")) != 24 {
				t.Errorf("headers %v", h)
			}
			for _, k := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "Cross-Origin-Opener-Policy", "Strict-Transport-Security"} {
				if h.Get(k) != "" {
					t.Errorf("%s: %q on a JSON answer", k, h.Get(k))
				}
			}
		})
	}
	if resp := do("POST", issuer+"/oauth2/token", "grant_type=client_credentials&client_id=nobody&client_secret=x"); resp.Header.Get("Pragma") != "no-cache" {
		t.Errorf("token error without Pragma: no-cache (RFC 6749 §5.1)")
	}
	// The mux's plain-text 405 on a JSON path is no document either.
	if resp := do("GET", issuer+"/oauth2/token", ""); resp.StatusCode != 405 || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		resp.Header.Get("Cache-Control") != "no-store" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Errorf("405: %d %v", resp.StatusCode, resp.Header)
	}

	pages := []struct {
		name, method, target string
		status               int
	}{
		{"account page", "GET", issuer + "/", 200},
		{"authorize error page", "GET", issuer + "/oauth2/authorize?client_id=nobody", 400},
		{"unknown path", "GET", issuer + "/oauth2/nowhere", 404},
	}
	for _, c := range pages {
		t.Run(c.name, func(t *testing.T) {
			resp := do(c.method, c.target, "")
			h := resp.Header
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			for k, v := range pageHeaders {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
			if !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") || h.Get("Cache-Control") != "no-store" {
				t.Errorf("CSP %q, Cache-Control %q", h.Get("Content-Security-Policy"), h.Get("Cache-Control"))
			}
		})
	}
}
