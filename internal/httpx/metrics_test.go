package httpx

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// observed is one ObserveRequest call.
type observed struct {
	route, method string
	status        int
}

// fakeObserver records what WithMetrics reports.
type fakeObserver struct {
	mu       sync.Mutex
	got      []observed
	inFlight int
	maxIn    int
}

func (f *fakeObserver) ObserveRequest(route, method string, status int, d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if d < 0 {
		panic("negative duration")
	}
	f.got = append(f.got, observed{route, method, status})
}

func (f *fakeObserver) RequestStarted() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight++
	f.maxIn = max(f.maxIn, f.inFlight)
}

func (f *fakeObserver) RequestFinished() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.inFlight--
}

// cloning stands for the tenant resolver and page middleware: each hands
// the next handler a copy of the request with a new context.
type ctxKey struct{}

func cloning(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r2 := r.WithContext(context.WithValue(r.Context(), ctxKey{}, "x"))
		u := *r.URL
		u.Path = "/inner" + r.URL.Path[len("/t/a"):]
		r2.URL = &u
		next.ServeHTTP(w, r2)
	})
}

func TestWithMetricsRoutes(t *testing.T) {
	inner := http.NewServeMux()
	inner.HandleFunc("POST /inner/token", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusBadRequest) })
	inner.HandleFunc("GET /inner/items/{id}", func(w http.ResponseWriter, r *http.Request) {})
	inner.HandleFunc("GET /inner/boom", func(w http.ResponseWriter, r *http.Request) { panic("boom") })
	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("ok")) })
	root.Handle("/t/a/", cloning(Route(inner)))

	cases := []struct {
		name, method, path string
		want               observed
	}{
		{"root pattern", "GET", "/healthz", observed{"GET /healthz", "GET", 200}},
		{"inner pattern through a cloned request", "POST", "/t/a/token", observed{"POST /inner/token", "POST", 400}},
		{"wildcard, not the value", "GET", "/t/a/items/usr_secret123", observed{"GET /inner/items/{id}", "GET", 200}},
		{"inner mux matched nothing", "GET", "/t/a/nope", observed{"", "GET", 404}},
		{"inner mux wrong method", "DELETE", "/t/a/token", observed{"", "DELETE", 405}},
		{"root mux matched nothing", "GET", "/elsewhere", observed{"", "GET", 404}},
		{"panic still has its route and a 500", "GET", "/t/a/boom", observed{"GET /inner/boom", "GET", 500}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeObserver{}
			h := WithMetrics(f, WithRecover(Route(root)))
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(c.method, c.path, nil))
			if len(f.got) != 1 || f.got[0] != c.want {
				t.Fatalf("observed %+v, want [%+v]", f.got, c.want)
			}
			if f.inFlight != 0 || f.maxIn != 1 {
				t.Errorf("in flight after = %d, max = %d; want 0 and 1", f.inFlight, f.maxIn)
			}
		})
	}
}

func TestWithMetricsWithoutRoute(t *testing.T) {
	f := &fakeObserver{}
	WithMetrics(f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	if want := (observed{"", "GET", 200}); len(f.got) != 1 || f.got[0] != want {
		t.Fatalf("observed %+v, want [%+v]", f.got, want)
	}
}

// TestRouteWithoutMetrics: Route is inert when no WithMetrics is above it.
func TestRouteWithoutMetrics(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	rec := httptest.NewRecorder()
	Route(mux).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
}
