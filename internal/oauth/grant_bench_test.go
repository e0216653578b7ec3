package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// benchParallelism is the number of concurrent token requests per
// GOMAXPROCS in the grant benchmarks: enough that SQLite's group commit
// has transactions to batch, as under real load.
const benchParallelism = 16

// benchAlgs are the harness tenants by signing algorithm.
var benchAlgs = []struct{ alg, tid string }{{idp.AlgRS256, oauthtest.TenantA}, {idp.AlgES256, oauthtest.TenantB}}

// serveToken posts form to the token endpoint of tid in process and
// returns the decoded 200 answer; anything else fails the benchmark.
func serveToken(b *testing.B, h *oauthtest.Harness, tid string, form url.Values) (refreshToken string) {
	req := httptest.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.Server.Config.Handler.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var out struct {
		RefreshToken string `json:"refresh_token"`
		IDToken      string `json:"id_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || out.IDToken == "" {
		b.Fatalf("token response %s: %v", w.Body, err)
	}
	return out.RefreshToken
}

// cpuTime is the CPU time (user and system) this process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runMeasured runs body in parallel and reports, besides the wall time,
// the CPU time per operation and its inverse: the requests one fully
// used core would serve ("req/cpu-s"), a figure that the machine's other
// load and the disk's fsync latency do not distort.
func runMeasured(b *testing.B, body func(*testing.PB)) {
	b.SetParallelism(benchParallelism)
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime(b)
	b.RunParallel(body)
	b.StopTimer()
	perOp := (cpuTime(b) - start) / time.Duration(b.N)
	b.ReportMetric(float64(perOp.Nanoseconds()), "cpu-ns/op")
	if perOp > 0 {
		b.ReportMetric(float64(time.Second)/float64(perOp), "req/cpu-s")
	}
}

// codeForm mints a code with a PKCE challenge for the public SPA client
// and returns the form that redeems it.
func codeForm(b *testing.B, h *oauthtest.Harness, tid string) url.Values {
	verifier, challenge := pkcePair(b)
	code := mintCode(b, h, tid, oauthtest.SPAClient, oauthtest.Alice, codeOpts{challenge: challenge})
	return url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {h.RedirectURI(b, tid, oauthtest.SPAClient)}, "client_id": {oauthtest.SPAClient},
	}
}

// BenchmarkCodeExchange measures the authorization-code grant in process
// (no network): a public client with PKCE, scope openid profile email
// offline_access, so each exchange commits the grant, a refresh token and
// the access record and signs an access token and an ID token. The codes
// are minted before the timer starts. Run with a fixed count, for example
// -benchtime=2000x: minting is slow (one commit each).
func BenchmarkCodeExchange(b *testing.B) {
	h := oauthtest.New(b)
	for _, bc := range benchAlgs {
		b.Run(bc.alg, func(b *testing.B) {
			forms := make(chan url.Values, b.N)
			for range b.N {
				forms <- codeForm(b, h, bc.tid)
			}
			close(forms)
			runMeasured(b, func(pb *testing.PB) {
				for pb.Next() {
					serveToken(b, h, bc.tid, <-forms)
				}
			})
		})
	}
}

// BenchmarkRefreshRotation measures the refresh-token grant in process:
// each goroutine rotates its own family (one rotation at a time per
// family, as a client does), each rotation retiring the presented token,
// storing its successor and the access record and signing an access token
// and an ID token.
func BenchmarkRefreshRotation(b *testing.B) {
	h := oauthtest.New(b)
	for _, bc := range benchAlgs {
		b.Run(bc.alg, func(b *testing.B) {
			n := benchParallelism * runtime.GOMAXPROCS(0)
			families := make(chan string, n)
			for range n {
				families <- serveToken(b, h, bc.tid, codeForm(b, h, bc.tid))
			}
			runMeasured(b, func(pb *testing.PB) {
				rt := <-families
				for pb.Next() {
					rt = serveToken(b, h, bc.tid, url.Values{
						"grant_type": {"refresh_token"}, "refresh_token": {rt}, "client_id": {oauthtest.SPAClient},
					})
				}
			})
		})
	}
}
