package httpx

import (
	"context"
	"io"
	"log/slog"
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

// fakeObserver records what Front reports.
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

func TestFrontWithoutRoute(t *testing.T) {
	f := &fakeObserver{}
	Front(FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: f}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
	if want := (observed{"", "GET", 200}); len(f.got) != 1 || f.got[0] != want {
		t.Fatalf("observed %+v, want [%+v]", f.got, want)
	}
}

// TestRouteWithoutMetrics: Route is inert when no Front is above it.
func TestRouteWithoutMetrics(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /x", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(204) })
	rec := httptest.NewRecorder()
	Route(mux).ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 204 {
		t.Fatalf("status %d", rec.Code)
	}
}
