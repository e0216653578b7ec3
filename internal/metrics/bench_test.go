package metrics_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/metrics"
)

// BenchmarkRequestOverhead is the cost the metrics add to one request:
// the duration middleware with route capture on a mux, against the bare
// mux.
func BenchmarkRequestOverhead(b *testing.B) {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	m := metrics.New(metrics.Options{})
	for _, c := range []struct {
		name string
		h    http.Handler
	}{
		{"bare", mux},
		{"instrumented", httpx.Front(httpx.FrontOptions{Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Metrics: m}, httpx.Route(mux))},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodPost, "/oauth2/token", nil)
			w := httptest.NewRecorder()
			b.ReportAllocs()
			for b.Loop() {
				c.h.ServeHTTP(w, req)
				m.TokenIssued("client_credentials", "access_token")
			}
		})
	}
}
