package page

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestMiddlewareAndJSONHeaders: the page middleware sets every security
// header (HSTS only on https issuers) and the JSON middleware only
// nosniff, no-store and HSTS; both leave the handler free to change a
// header, and a handler's Add never reaches the values shared between
// requests.
func TestMiddlewareAndJSONHeaders(t *testing.T) {
	r := newRenderer(t, themes{})
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		w.Header().Add("Cache-Control", "private")
		w.Header().Add("X-Content-Type-Options", "again")
	})
	all := []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy", "X-Content-Type-Options",
		"Cache-Control", "Pragma", "Cross-Origin-Opener-Policy", "Strict-Transport-Security"}
	cases := []struct {
		name   string
		h      http.Handler
		issuer string
		secure bool
		want   []string
	}{
		{"page, https", r.Middleware(handler), "https://acme.example.com", true, all},
		{"page, http", r.Middleware(handler), "http://localhost:8080/t/acme", false, all[:7]},
		{"json, https", JSONMiddleware(handler), "https://acme.example.com", true, []string{"X-Content-Type-Options", "Cache-Control", "Strict-Transport-Security"}},
		{"json, http", JSONMiddleware(handler), "http://localhost:8080/t/acme", false, []string{"X-Content-Type-Options", "Cache-Control"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := ""
			if !c.secure {
				base = "/t/acme"
			}
			w := httptest.NewRecorder()
			c.h.ServeHTTP(w, tenantRequest(c.issuer, base, c.secure))
			h := w.Result().Header
			want := map[string]bool{}
			for _, k := range c.want {
				want[k] = true
			}
			for _, k := range all {
				if (h.Get(k) != "") != want[k] {
					t.Errorf("%s = %q", k, h.Get(k))
				}
			}
			if got := h.Values("Cache-Control"); len(got) != 2 || got[0] != "no-store" || got[1] != "private" {
				t.Errorf("Cache-Control = %q", got)
			}
		})
	}
	// The shared values are untouched by the handlers' Adds.
	if len(hdrNoStore) != 1 || hdrNoStore[0] != "no-store" || len(hdrNosniff) != 1 || hdrNosniff[0] != "nosniff" || cap(hdrNoStore) != 1 {
		t.Fatalf("shared header values changed: %q %q", hdrNoStore, hdrNosniff)
	}
}
