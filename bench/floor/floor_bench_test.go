package main

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BenchmarkFloorClientCredentials measures the floor's token route (its
// mux and handler) in process, with the same request, recorder and
// parallelism as Authalla's BenchmarkClientCredentialsVsFloor
// (internal/oauth), so that the two handlers compare without the network.
// Besides the wall time it reports the CPU time per request ("cpu-ns/op")
// and its inverse ("req/cpu-s"), which the machine's other load hardly
// moves: run both with -cpu 1 and divide.
func BenchmarkFloorClientCredentials(b *testing.B) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		b.Run(alg, func(b *testing.B) {
			issuer := "http://127.0.0.1:1/t/bench"
			f, err := newFloor(issuer, options{alg: alg, tenant: "bench", clientID: "floor-client", clientSecret: "s3cret", accessTTL: 15 * time.Minute})
			if err != nil {
				b.Fatal(err)
			}
			handler := f.routes()
			target := issuer + "/oauth2/token"
			b.ReportAllocs()
			b.ResetTimer()
			start := cpuTime(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, target, strings.NewReader("grant_type=client_credentials"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth("floor-client", "s3cret")
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
			b.StopTimer()
			perOp := (cpuTime(b) - start) / time.Duration(b.N)
			b.ReportMetric(float64(perOp.Nanoseconds()), "cpu-ns/op")
			if perOp > 0 {
				b.ReportMetric(float64(time.Second)/float64(perOp), "req/cpu-s")
			}
		})
	}
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
