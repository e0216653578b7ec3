package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// cachedHarness is the harness with the Provider's caches on, as the
// server runs it.
func cachedHarness(t testing.TB) *oauthtest.Harness {
	return oauthtest.NewWith(t, func(o *oauth.Options) { o.CacheTTL = oauth.DefaultCacheTTL })
}

// BenchmarkClientCredentialsCached measures client_credentials in
// process with the caches on: after the first request no store access,
// so the cost is the signature plus the HTTP handling. Profile with
// -cpuprofile to see what else costs.
func BenchmarkClientCredentialsCached(b *testing.B) {
	h := cachedHarness(b)
	for _, bc := range benchAlgs {
		b.Run(bc.alg, func(b *testing.B) {
			handler := h.Server.Config.Handler
			target := h.Issuer(bc.tid) + "/oauth2/token"
			sec := h.Secret(bc.tid, oauthtest.BackendClient)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, target, strings.NewReader("grant_type=client_credentials"))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(oauthtest.BackendClient, sec)
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// BenchmarkIntrospectCached measures introspection of a user's access
// token with the caches on: the signature check, with the revocation and
// user status read from memory.
func BenchmarkIntrospectCached(b *testing.B) {
	h := cachedHarness(b)
	for _, bc := range benchAlgs {
		b.Run(bc.alg, func(b *testing.B) {
			at := userAccessToken(b, h, bc.tid)
			handler := h.Server.Config.Handler
			target := h.Issuer(bc.tid) + "/oauth2/introspect"
			sec := h.Secret(bc.tid, oauthtest.BackendClient)
			body := url.Values{"token": {at}}.Encode()
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.SetBasicAuth(oauthtest.BackendClient, sec)
					w := httptest.NewRecorder()
					handler.ServeHTTP(w, req)
					if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"active":true`) {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		})
	}
}

// userAccessToken redeems a fresh code of Alice's for the SPA client and
// returns the access token.
func userAccessToken(t testing.TB, h *oauthtest.Harness, tid string) string {
	t.Helper()
	verifier, challenge := pkcePair(t)
	code := mintCode(t, h, tid, oauthtest.SPAClient, oauthtest.Alice, codeOpts{challenge: challenge})
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {verifier},
		"redirect_uri": {h.RedirectURI(t, tid, oauthtest.SPAClient)}, "client_id": {oauthtest.SPAClient},
	}
	req := httptest.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.Server.Config.Handler.ServeHTTP(w, req)
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); w.Code != http.StatusOK || err != nil || out.AccessToken == "" {
		t.Fatalf("code exchange: %d %s", w.Code, w.Body)
	}
	return out.AccessToken
}
