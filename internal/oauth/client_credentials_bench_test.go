package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// floorClient is a backend client without a default resource server, as
// scripts/bench-floor creates: its tokens carry the claims of the floor's
// (aud is the client id, no scope), so the two compare like for like.
const floorClient = "floor-backend"

// addFloorClient creates floorClient in tenantID and returns its secret.
func addFloorClient(b *testing.B, h *oauthtest.Harness, tenantID string) string {
	b.Helper()
	ctx := context.Background()
	now := h.Clock.Now()
	c := &idp.Client{TenantID: tenantID, ID: floorClient, Name: "Floor backend", Type: idp.ClientBackend, CreatedAt: now, UpdatedAt: now}
	if err := h.Store.CreateClient(ctx, tenantID, c); err != nil {
		b.Fatal(err)
	}
	plain, err := secret.Default.Token(32)
	if err != nil {
		b.Fatal(err)
	}
	if err := h.Store.AddClientSecret(ctx, tenantID, &idp.ClientSecret{
		TenantID: tenantID, ClientID: floorClient, ID: "sec-floor", Hash: secret.HashBytes(plain), Hint: plain[len(plain)-4:], CreatedAt: now,
	}); err != nil {
		b.Fatal(err)
	}
	return plain
}

// BenchmarkClientCredentialsVsFloor measures a client_credentials request
// for floorClient in process with the caches on, the way
// bench/floor's BenchmarkFloorClientCredentials measures the floor: the
// same request, recorder and parallelism, and the CPU time per request
// ("cpu-ns/op", "req/cpu-s"), which the machine's other load hardly
// moves. Two levels:
//
//   - server: through the shared request path (request id, tenant
//     resolution) and the provider's routes, as the harness serves;
//   - route: the provider's routes only (mux, CORS, token handler), with
//     the tenant resolved once beforehand — what the floor's mux and
//     handler do.
//
// EdDSA runs on tenant B after an immediate rotation to an Ed25519 key.
func BenchmarkClientCredentialsVsFloor(b *testing.B) {
	h := cachedHarness(b)
	h2 := cachedHarness(b)
	if _, err := h2.Keys.Rotate(context.Background(), oauthtest.TenantB, idp.AlgEdDSA, true); err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		alg, tid string
		h        *oauthtest.Harness
	}{
		{idp.AlgRS256, oauthtest.TenantA, h},
		{idp.AlgES256, oauthtest.TenantB, h},
		{idp.AlgEdDSA, oauthtest.TenantB, h2},
	}
	for _, bc := range cases {
		sec := addFloorClient(b, bc.h, bc.tid)
		target := bc.h.Issuer(bc.tid) + "/oauth2/token"
		probe := httptest.NewRequest(http.MethodPost, target, nil)
		info, path, err := bc.h.Resolver.Resolve(probe)
		if err != nil {
			b.Fatal(err)
		}
		ctx := tenant.NewContext(context.Background(), info)
		levels := []struct {
			name, target string
			handler      http.Handler
			ctx          context.Context
		}{
			{"server", target, bc.h.Server.Config.Handler, context.Background()},
			{"route", bc.h.Server.URL + path, bc.h.Mux, ctx},
		}
		for _, lv := range levels {
			b.Run(bc.alg+"/"+lv.name, func(b *testing.B) {
				b.ReportAllocs()
				b.ResetTimer()
				start := cpuTime(b)
				b.RunParallel(func(pb *testing.PB) {
					for pb.Next() {
						req := httptest.NewRequestWithContext(lv.ctx, http.MethodPost, lv.target, strings.NewReader("grant_type=client_credentials"))
						req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
						req.SetBasicAuth(floorClient, sec)
						w := httptest.NewRecorder()
						lv.handler.ServeHTTP(w, req)
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
}
