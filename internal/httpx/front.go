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
}

// Value answers the keys Front owns (the request id, the route slot) and
// passes every other key to the parent context.
func (e *exchange) Value(key any) any {
	switch key.(type) {
	case requestIDKey:
		return e.id
	case routeSlotKey:
		return &e.slot
	}
	return e.Context.Value(key)
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
	f.serve(e, r)
	d := time.Since(start)
	if f.obs != nil {
		status := e.sw.status
		if status == 0 {
			status = http.StatusOK
		}
		f.obs.ObserveRequest(e.slot.pattern, r.Method, status, d)
	}
	if f.log.Enabled(e, slog.LevelInfo) {
		f.logRequest(e, r, d)
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
func (f *front) logRequest(e *exchange, r *http.Request, d time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("request_id", e.id))
	if id := TraceID(r); id != "" {
		attrs = append(attrs, slog.String("trace_id", id))
	}
	f.log.LogAttrs(e, slog.LevelInfo, "request", append(attrs,
		slog.String("method", r.Method),
		slog.String("host", r.Host),
		slog.String("path", r.URL.Path),
		slog.Int("status", e.sw.status),
		slog.Int("bytes", e.sw.bytes),
		slog.Duration("duration", d))...)
}

// errTooLarge answers a body whose declared length exceeds the cap.
var errTooLarge = &APIError{Status: http.StatusRequestEntityTooLarge, Code: "request_too_large", Description: "The request body is too large."}
