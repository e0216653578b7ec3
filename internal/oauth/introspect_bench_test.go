package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

// introspectTenants are the harness tenants by signing algorithm, plus an
// EdDSA tenant the benchmark adds.
const edTenant = "tenant-ed"

// addEdDSATenant creates an EdDSA tenant with a backend client and returns
// the client's secret.
func addEdDSATenant(tb testing.TB, h *oauthtest.Harness) string {
	tb.Helper()
	ctx := context.Background()
	now := h.Clock.Now()
	tn := &idp.Tenant{ID: edTenant, Name: "EdDSA", SigningAlg: idp.AlgEdDSA, CreatedAt: now, UpdatedAt: now}
	tn.ApplyDefaults()
	plain, err := secret.Default.Token(32)
	for _, err := range []error{err,
		h.Store.CreateTenant(ctx, tn),
		h.Keys.EnsureKey(ctx, edTenant, idp.AlgEdDSA),
		h.Store.CreateClient(ctx, edTenant, &idp.Client{TenantID: edTenant, ID: oauthtest.BackendClient, Name: "backend", Type: idp.ClientBackend, CreatedAt: now, UpdatedAt: now}),
		h.Store.AddClientSecret(ctx, edTenant, &idp.ClientSecret{TenantID: edTenant, ClientID: oauthtest.BackendClient, ID: "sec", Hash: secret.HashBytes(plain), CreatedAt: now}),
	} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	return plain
}

// benchJTI numbers the benchmark's tokens across runs (-count), so that no
// two are alike.
var benchJTI atomic.Int64

// mintClientTokens signs n access tokens shaped like client_credentials
// tokens of the backend client of tid, each with its own jti.
func mintClientTokens(tb testing.TB, h *oauthtest.Harness, tid string, n int) []string {
	tb.Helper()
	now := h.Clock.Now()
	out := make([]string, n)
	for i := range out {
		claims := map[string]any{
			"iss": h.Issuer(tid), "sub": oauthtest.BackendClient, "aud": []string{oauthtest.API},
			"exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix(),
			"jti": "bench-" + strconv.FormatInt(benchJTI.Add(1), 10), "tid": tid, "client_id": oauthtest.BackendClient, "scope": oauthtest.APIRead,
		}
		tok, err := h.Keys.Sign(context.Background(), tid, keys.TypAccessToken, claims)
		if err != nil {
			tb.Fatal(err)
		}
		out[i] = tok
	}
	return out
}

// BenchmarkIntrospect measures POST /oauth2/introspect of a client's
// access token in process, one request at a time, per algorithm, and
// reports the CPU time per request ("cpu-ns/op", "req/cpu-s"):
//
//   - same: one token introspected again and again, as a resource server
//     does per request (the verified-token cache answers after the first);
//   - distinct: a token never introspected before on every call (minted
//     before the timer starts), so every call verifies a signature; its
//     status comes from the revocation index (loaded before the timer
//     starts), not the store.
//
// go test -run '^$' -bench Introspect/ -cpu 1 -benchtime 2000x ./internal/oauth
func BenchmarkIntrospect(b *testing.B) {
	h := cachedHarness(b)
	secrets := map[string]string{
		oauthtest.TenantA: h.Secret(oauthtest.TenantA, oauthtest.BackendClient),
		oauthtest.TenantB: h.Secret(oauthtest.TenantB, oauthtest.BackendClient),
		edTenant:          addEdDSATenant(b, h),
	}
	algs := []struct{ alg, tid string }{
		{idp.AlgRS256, oauthtest.TenantA}, {idp.AlgES256, oauthtest.TenantB}, {idp.AlgEdDSA, edTenant},
	}
	handler := h.Server.Config.Handler
	for _, mode := range []string{"same", "distinct"} {
		for _, a := range algs {
			b.Run(mode+"/"+a.alg, func(b *testing.B) {
				var tokens []string
				if mode == "same" {
					tokens = mintClientTokens(b, h, a.tid, 1)
				} else {
					tokens = mintClientTokens(b, h, a.tid, b.N)
				}
				target := h.Issuer(a.tid) + "/oauth2/introspect"
				bodies := make([]string, len(tokens))
				for i, t := range tokens {
					bodies[i] = url.Values{"token": {t}}.Encode()
				}
				if err := h.Provider.SyncRevocations(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				b.ResetTimer()
				start := cpuTime(b)
				for i := range b.N {
					req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(bodies[i%len(bodies)]))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(oauthtest.BackendClient, secrets[a.tid])
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"active":true`) {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
				b.StopTimer()
				perOp := (cpuTime(b) - start) / time.Duration(b.N)
				b.ReportMetric(float64(perOp.Nanoseconds()), "cpu-ns/op")
				if perOp > 0 {
					b.ReportMetric(float64(time.Second)/float64(perOp), "req/cpu-s")
				}
			})
		}
	}
}
