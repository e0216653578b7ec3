package httpx

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// TestFrontMetrics: Front reports the pattern of the innermost mux that
// matched (never the raw path), the method and the status the client got,
// also for a panic, with one request in flight at a time.
func TestFrontMetrics(t *testing.T) {
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
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			rec := httptest.NewRecorder()
			Front(FrontOptions{Log: log, Metrics: f}, Route(root)).ServeHTTP(rec, httptest.NewRequest(c.method, c.path, nil))
			if len(f.got) != 1 || f.got[0] != c.want {
				t.Fatalf("observed %+v, want [%+v]", f.got, c.want)
			}
			if f.inFlight != 0 || f.maxIn != 1 {
				t.Errorf("in flight after = %d, max = %d; want 0 and 1", f.inFlight, f.maxIn)
			}
			if rec.Code != c.want.status {
				t.Errorf("client got %d, metrics %d", rec.Code, c.want.status)
			}
		})
	}
}

var requestIDShape = regexp.MustCompile(`^[0-9a-f]{24}$`)

// TestFrontRequestID: the id is in the response header and in the
// handler's context (also through a context the handler derives), has
// the shape it always had, and differs between requests.
func TestFrontRequestID(t *testing.T) {
	type key struct{}
	var inCtx []string
	h := Front(FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil))}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r = r.WithContext(ctxWith(r, key{}, "v"))
		if r.Context().Value(key{}) != "v" {
			t.Error("a value below Front is lost")
		}
		inCtx = append(inCtx, RequestID(r.Context()))
	}))
	seen := map[string]bool{}
	for i := range 100 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
		id := rec.Header().Get("X-Request-Id")
		if !requestIDShape.MatchString(id) || id != inCtx[i] {
			t.Fatalf("X-Request-Id %q, context %q", id, inCtx[i])
		}
		if seen[id] {
			t.Fatalf("request id %s repeated", id)
		}
		seen[id] = true
	}
}

// TestFrontLogLine: at Info, one line per request with the request and
// trace ids and never the query; below Info, none. A panic is logged with
// its request id and answered with a generic 500.
func TestFrontLogLine(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	h := Front(FrontOptions{Log: log}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/boom" {
			panic("internal detail")
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	r := httptest.NewRequest(http.MethodGet, "/x?code=secret", nil)
	r.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	line := buf.String()
	rid := rec.Header().Get("X-Request-Id")
	for _, want := range []string{"request_id=" + rid, "trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "status=418", "path=/x", "method=GET"} {
		if !strings.Contains(line, want) {
			t.Errorf("log line lacks %s: %s", want, line)
		}
	}
	if strings.Contains(line, "secret") || strings.Count(line, "\n") != 1 {
		t.Errorf("log line carries the query or is not one line: %s", line)
	}

	buf.Reset()
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/boom", nil))
	if rec.Code != http.StatusInternalServerError || strings.Contains(rec.Body.String(), "internal detail") {
		t.Errorf("panic answered %d %q", rec.Code, rec.Body.String())
	}
	rid = rec.Header().Get("X-Request-Id")
	if !strings.Contains(buf.String(), "msg=panic") || !strings.Contains(buf.String(), "request_id="+rid) {
		t.Errorf("panic not logged with its request id: %s", buf.String())
	}

	buf.Reset()
	quiet := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	Front(FrontOptions{Log: quiet}, http.NotFoundHandler()).ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
	if buf.Len() != 0 {
		t.Errorf("logged below its level: %s", buf.String())
	}
}

// TestFrontBodyLimit: a declared length over the cap is refused before the
// handler; a body that grows past it fails to read; a GET has no cap to
// apply.
func TestFrontBodyLimit(t *testing.T) {
	var readErr error
	var reached bool
	h := Front(FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxBody: 10}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached = true
		_, readErr = io.ReadAll(r.Body)
	}))
	cases := []struct {
		name       string
		req        func() *http.Request
		wantStatus int
		reached    bool
		readFails  bool
	}{
		{"declared too large", func() *http.Request {
			return httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 11)))
		}, http.StatusRequestEntityTooLarge, false, false},
		{"undeclared too large", func() *http.Request {
			r := httptest.NewRequest("POST", "/", strings.NewReader(strings.Repeat("a", 11)))
			r.ContentLength = -1
			return r
		}, http.StatusOK, true, true},
		{"within the cap", func() *http.Request {
			return httptest.NewRequest("POST", "/", strings.NewReader("0123456789"))
		}, http.StatusOK, true, false},
		{"no body", func() *http.Request {
			r := httptest.NewRequest("GET", "/", nil)
			r.Body = http.NoBody
			return r
		}, http.StatusOK, true, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			reached, readErr = false, nil
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, c.req())
			if rec.Code != c.wantStatus || reached != c.reached || (readErr != nil) != c.readFails {
				t.Errorf("status %d, reached %v, read error %v", rec.Code, reached, readErr)
			}
		})
	}
}

// TestFrontAbortHandler: http.ErrAbortHandler is net/http's to
// handle, and the in-flight gauge still comes back down.
func TestFrontAbortHandler(t *testing.T) {
	f := &fakeObserver{}
	h := Front(FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: f}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic(http.ErrAbortHandler)
	}))
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Errorf("recovered %v, want http.ErrAbortHandler", v)
		}
		if f.inFlight != 0 {
			t.Errorf("in flight %d after an aborted request", f.inFlight)
		}
	}()
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}

// TestFrontStashAndOwned: a value stashed in Front's context is what
// ctx.Value answers, also through contexts derived from it; the slot holds
// one value; only Front's own copy of the request is Owned; and a handler
// that rewrites its owned request's URL changes neither the request
// net/http passed in nor the path Front logs.
func TestFrontStashAndOwned(t *testing.T) {
	type key struct{}
	type other struct{}
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	in := httptest.NewRequest(http.MethodGet, "/t/acme/x", nil)
	h := Front(FrontOptions{Log: log}, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		if ctx.Value(key{}) != nil {
			t.Error("a value before anything was stashed")
		}
		if !Stash(ctx, key{}, "first") {
			t.Fatal("Stash refused Front's context")
		}
		if Stash(ctx, key{}, "second") || Stash(ctx, other{}, "x") {
			t.Error("a second value went into the one slot")
		}
		derived := context.WithValue(ctx, other{}, "y")
		if got := derived.Value(key{}); got != "first" {
			t.Errorf("derived context answered %v", got)
		}
		if got := ctx.Value(other{}); got != nil {
			t.Errorf("an unset key answered %v", got)
		}
		if Stash(derived, key{}, "z") {
			t.Error("Stash took a context that is not Front's")
		}
		if !Owned(r) || Owned(r.WithContext(ctx)) || Owned(in) {
			t.Errorf("Owned: Front's copy %v, a further copy %v, the original %v", Owned(r), Owned(r.WithContext(ctx)), Owned(in))
		}
		u := *r.URL
		u.Path = "/x"
		r.URL = &u
		w.WriteHeader(http.StatusNoContent)
	}))
	h.ServeHTTP(httptest.NewRecorder(), in)
	if in.URL.Path != "/t/acme/x" {
		t.Errorf("the caller's request was rewritten to %q", in.URL.Path)
	}
	if !strings.Contains(buf.String(), "path=/t/acme/x") {
		t.Errorf("the log line lost the path the client sent: %s", buf.String())
	}
	if Stash(context.Background(), key{}, "v") || Owned(in) {
		t.Error("Stash or Owned outside Front")
	}
}
