package httpx

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// FrontOptions configure Front.
type FrontOptions struct {
	// Log receives one line per request at Info (nothing is built for it
	// when Info is disabled) and panics at Error.
	Log *slog.Logger
	// Metrics is told about every request; nil: not measured.
	Metrics RequestObserver
	// MaxBody caps request bodies (413 past it); 0: no cap.
	MaxBody int64
}

// Front is the server's outermost handler. For every request it sets a
// request id (X-Request-Id and RequestID), reports the route, method,
// status and duration to Metrics, turns a panic into a logged 500 without
// internals, writes one log line (also for a request whose handler
// panicked) and caps the body, at the cost of one allocation for its
// state and one copy of the request: the state is the
// request's context (it answers RequestID and the route slot itself) and
// carries the status-recording writer, the clock is read twice, and the
// log line is built only when Info is enabled. Every request pays this,
// whatever its handler (docs/benchmarks.md, "Shared request path").
func Front(o FrontOptions, next http.Handler) http.Handler {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	return &front{log: o.Log, obs: o.Metrics, maxBody: o.MaxBody, next: next}
}

type front struct {
	log     *slog.Logger
	obs     RequestObserver
	maxBody int64
	next    http.Handler
}

// exchange is one request's state in Front: its context, its response
// writer and its route slot, in one allocation.
type exchange struct {
	context.Context
	sw    statusWriter
	slot  routeSlot
	id    string
	idHdr [1]string // X-Request-Id's value, without a slice allocation
	// req is the copy of the request Front made; handlers below may
	// change it in place (Owned).
	req *http.Request
	// stashKey and stashVal are one value stored by Stash.
	stashKey, stashVal any
}

// Value answers the keys Front owns (the request id, the route slot) and
// a stashed one, and passes every other key to the parent context.
func (e *exchange) Value(key any) any {
	switch key.(type) {
	case requestIDKey:
		return e.id
	case routeSlotKey:
		return &e.slot
	}
	if e.stashKey != nil && key == e.stashKey {
		return e.stashVal
	}
	return e.Context.Value(key)
}

// Stash stores val under key in ctx when ctx is the context Front gave its
// request, so that ctx.Value(key) answers val from then on: what
// context.WithValue and Request.WithContext do, without the new context
// and the copy of the request (about a fifth of the shared request path's
// cost, docs/benchmarks.md). There is one such slot per request: Stash
// reports false when ctx is not Front's or the slot is taken, and the
// caller then falls back to context.WithValue. key must be comparable, as
// for context.WithValue.
//
// Everything holding the request's context sees the value, including
// Front and handlers that already returned; use it for a value that is
// settled once per request (the resolved tenant) and never changes.
func Stash(ctx context.Context, key, val any) bool {
	e, ok := ctx.(*exchange)
	if !ok || e.stashKey != nil || key == nil {
		return false
	}
	e.stashKey, e.stashVal = key, val
	return true
}

// Owned reports whether r is the copy of the request that Front made for
// its handler: nothing but the handlers below Front holds it, so one of
// them may change r (its URL, say) in place instead of copying it, as
// long as it does so before passing r on. The request net/http passed to
// Front is never r.
func Owned(r *http.Request) bool {
	e, ok := r.Context().(*exchange)
	return ok && e.req == r
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	if f.obs != nil {
		f.obs.RequestStarted()
		defer f.obs.RequestFinished()
	}
	e := &exchange{Context: r.Context(), sw: statusWriter{ResponseWriter: w}, id: newRequestID()}
	e.idHdr[0] = e.id
	w.Header()["X-Request-Id"] = e.idHdr[:]
	r = r.WithContext(e)
	e.req = r
	method, path := r.Method, r.URL.Path // a handler below may rewrite r (Owned)
	f.serve(e, r)
	d := time.Since(start)
	if f.obs != nil {
		status := e.sw.status
		if status == 0 {
			status = http.StatusOK
		}
		f.obs.ObserveRequest(e.slot.pattern, method, status, d)
	}
	if f.log.Enabled(e, slog.LevelInfo) {
		f.logRequest(e, r, method, path, d)
	}
}

// serve runs the handler with the body cap, turning a panic into a logged
// 500 without internals (http.ErrAbortHandler is passed on, as net/http
// expects).
func (f *front) serve(e *exchange, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			f.log.ErrorContext(e, "panic", "request_id", e.id, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			WriteError(&e.sw, r, fmt.Errorf("panic: %v", v))
		}
	}()
	if f.maxBody > 0 {
		if r.ContentLength > f.maxBody {
			WriteError(&e.sw, r, errTooLarge)
			return
		}
		// A request without a body (every GET that net/http read) has
		// nothing to cap.
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(&e.sw, r.Body, f.maxBody)
		}
	}
	f.next.ServeHTTP(&e.sw, r)
}

// logRequest writes the request's line: method, path (never the query,
// which can hold codes and tokens), status, duration, request id and,
// when the caller sent a W3C traceparent, its trace id (TraceID).
func (f *front) logRequest(e *exchange, r *http.Request, method, path string, d time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("request_id", e.id))
	if id := TraceID(r); id != "" {
		attrs = append(attrs, slog.String("trace_id", id))
	}
	f.log.LogAttrs(e, slog.LevelInfo, "request", append(attrs,
		slog.String("method", method),
		slog.String("host", r.Host),
		slog.String("path", path),
		slog.Int("status", e.sw.status),
		slog.Int("bytes", e.sw.bytes),
		slog.Duration("duration", d))...)
}

// errTooLarge answers a body whose declared length exceeds the cap.
var errTooLarge = &APIError{Status: http.StatusRequestEntityTooLarge, Code: "request_too_large", Description: "The request body is too large."}
