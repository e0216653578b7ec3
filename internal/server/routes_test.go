package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
)

type okPinger struct{}

func (okPinger) Ping(context.Context) error { return nil }

// routeRecorder is an httpx.RequestObserver keeping the last route.
type routeRecorder struct{ route string }

func (o *routeRecorder) ObserveRequest(route, _ string, _ int, _ time.Duration) { o.route = route }
func (o *routeRecorder) RequestStarted()                                        {}
func (o *routeRecorder) RequestFinished()                                       {}

// TestSkipRootMatchesRootMux: with the shortcut, every request gets the
// answer, the tenant path and the metrics route it gets through the root
// mux alone (clean and unclean paths, the process endpoints, the RFC 8414
// path form, odd methods, a tenant mux that reports a route and one that
// does not).
func TestSkipRootMatchesRootMux(t *testing.T) {
	var seen string
	tenantMux := http.NewServeMux()
	tenantMux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path
		_, _ = io.WriteString(w, "doc")
	})
	inner := httpx.Route(tenantMux)
	// tenants stands for the resolver: "/t/{id}" is stripped, "/nomux/" is
	// answered before any mux.
	tenants := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = r.URL.Path
		if len(r.URL.Path) > 6 && r.URL.Path[:6] == "/nomux" {
			http.NotFound(w, r)
			return
		}
		r2 := r.WithContext(r.Context())
		u := *r.URL
		if len(u.Path) > 7 && u.Path[:7] == "/t/acme" {
			u.Path = u.Path[7:]
		}
		r2.URL = &u
		inner.ServeHTTP(w, r2)
	})
	root := http.NewServeMux()
	routes(root, okPinger{}, tenants)
	log := slog.New(slog.DiscardHandler)
	var refObs, gotObs routeRecorder
	ref := httpx.Front(httpx.FrontOptions{Log: log, Metrics: &refObs}, httpx.Route(root))
	got := httpx.Front(httpx.FrontOptions{Log: log, Metrics: &gotObs}, skipRoot(httpx.Route(root), tenants))

	for _, tc := range []struct{ method, target string }{
		{"GET", "/t/acme/.well-known/openid-configuration"},
		{"GET", "/.well-known/openid-configuration"},
		{"GET", "/.well-known/openid-configuration/t/acme"},
		{"GET", "/.well-known/oauth-authorization-server/t/acme"},
		{"GET", "/.well-known/openid-configuration/"},
		{"GET", "/healthz"},
		{"HEAD", "/healthz"},
		{"POST", "/healthz"},
		{"GET", "/readyz"},
		{"GET", "/"},
		{"GET", "/t/acme/"},
		{"GET", "/t/acme"},
		{"GET", "/t/acme/../admin"},
		{"GET", "/t/acme/./x"},
		{"GET", "//t/acme/x"},
		{"GET", "/t/acme//x"},
		{"GET", "/t/acme/x/."},
		{"GET", "/nomux/x"},
		{"POST", "/t/acme/.well-known/openid-configuration"},
		{"DELETE", "/anything?x=1"},
	} {
		t.Run(tc.method+" "+tc.target, func(t *testing.T) {
			req := func() *http.Request {
				r := httptest.NewRequest(tc.method, "http://login.example.com"+tc.target, nil)
				return r
			}
			seen = ""
			w1 := httptest.NewRecorder()
			ref.ServeHTTP(w1, req())
			seen1 := seen
			seen = ""
			w2 := httptest.NewRecorder()
			got.ServeHTTP(w2, req())
			if w1.Code != w2.Code || w1.Body.String() != w2.Body.String() || w1.Header().Get("Location") != w2.Header().Get("Location") ||
				seen1 != seen || refObs.route != gotObs.route {
				t.Errorf("through the mux: %d %q %q tenant path %q route %q\nwith the shortcut: %d %q %q tenant path %q route %q",
					w1.Code, w1.Body.String(), w1.Header().Get("Location"), seen1, refObs.route,
					w2.Code, w2.Body.String(), w2.Header().Get("Location"), seen, gotObs.route)
			}
		})
	}
}
