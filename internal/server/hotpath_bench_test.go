package server_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authalla/authalla/internal/manage"
)

// The shared request path: what every request pays before and after its
// handler (request id, metrics, logging, recovery, body limit, tenant
// resolution, page middleware, the muxes, CORS). Discovery and JWKS are
// served from memory, so their cost is almost all of it. The floor
// sub-benchmark is bench/floor's handler shape (one ServeMux, three
// headers, pre-marshalled bytes) over the same writer, the in-process
// counterpart of ./scripts/bench-floor (docs/benchmarks.md, "Shared
// request path"):
//
//	go test -run '^$' -bench SharedPath -benchmem -cpu 1 ./internal/server/

// wireWriter is a ResponseWriter that costs what net/http's does for a
// small answer, minus the socket: a fresh header map per request (set by
// the caller) and the header block serialised once, as the server
// writes it.
type wireWriter struct {
	h      http.Header
	status int
	bytes  int
	hdr    int
}

func (w *wireWriter) Header() http.Header { return w.h }

func (w *wireWriter) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	var cw countWriter
	_ = w.h.Write(&cw)
	w.hdr = int(cw)
}

func (w *wireWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.bytes += len(p)
	return len(p), nil
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// WriteString spares Header.Write a conversion, as the server's bufio.Writer does.
func (c *countWriter) WriteString(s string) (int, error) {
	*c += countWriter(len(s))
	return len(s), nil
}

// serveLoop sends b.N copies of base through h and checks each answer.
func serveLoop(b *testing.B, h http.Handler, base *http.Request) {
	b.Helper()
	b.ReportAllocs()
	var w wireWriter
	b.ResetTimer()
	for range b.N {
		req := *base
		u := *base.URL
		req.URL = &u
		req.Body = http.NoBody
		w = wireWriter{h: make(http.Header)}
		h.ServeHTTP(&w, &req)
		if w.status != http.StatusOK || w.bytes == 0 {
			b.Fatalf("%s: status %d, %d bytes", base.URL.Path, w.status, w.bytes)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(w.hdr), "hdr-B/op")
}

// benchRequest is a GET as the bench command sends it.
func benchRequest(url string) *http.Request {
	req := httptest.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("User-Agent", "Go-http-client/1.1")
	req.Header.Set("Accept-Encoding", "gzip")
	req.RemoteAddr = "127.0.0.1:40000"
	return req
}

func BenchmarkSharedPath(b *testing.B) {
	// The load benchmarks run the server with --log-level warn.
	log := slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s := newStackLog(b, log)
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		id := "bench-" + map[string]string{"RS256": "rs", "ES256": "es", "EdDSA": "ed"}[alg]
		if _, err := s.manage.CreateTenant(s.ctx, manage.TenantInput{ID: id, Name: "Bench", SigningAlg: alg}); err != nil {
			b.Fatal(err)
		}
		issuer := s.url + "/t/" + id
		b.Run("discovery/"+alg, func(b *testing.B) {
			serveLoop(b, s.srv.Handler(), benchRequest(issuer+"/.well-known/openid-configuration"))
		})
		b.Run("jwks/"+alg, func(b *testing.B) {
			serveLoop(b, s.srv.Handler(), benchRequest(issuer+"/.well-known/jwks.json"))
		})
	}
	b.Run("floor/discovery", func(b *testing.B) {
		// bench/floor's static handler over the same document.
		rec := httptest.NewRecorder()
		s.srv.Handler().ServeHTTP(rec, benchRequest(s.url+"/t/bench-es/.well-known/openid-configuration"))
		doc := rec.Body.Bytes()
		mux := http.NewServeMux()
		mux.HandleFunc("GET /t/bench-es/.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
			h := w.Header()
			h.Set("Content-Type", "application/json")
			h.Set("Cache-Control", "public, max-age=300")
			h.Set("X-Content-Type-Options", "nosniff")
			_, _ = w.Write(doc)
		})
		serveLoop(b, mux, benchRequest(s.url+"/t/bench-es/.well-known/openid-configuration"))
	})
}
