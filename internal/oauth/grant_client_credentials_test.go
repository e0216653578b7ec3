package oauth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestClientCredentials covers RFC 6749 §4.4 with resource indicators
// (RFC 8707) and scopes of the audience's resource server.
func TestClientCredentials(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	a := clientAuth(h, tid, oauthtest.BackendClient)
	cc := func(extra url.Values) *response {
		f := url.Values{"grant_type": {"client_credentials"}}
		for k, v := range extra {
			f[k] = v
		}
		return tokenReq(t, h, tid, f, a)
	}
	claims := func(r *response) map[string]any {
		t.Helper()
		wantOK(t, r)
		hdr, c := jwtParts(t, r.str("access_token"))
		if hdr["typ"] != "at+jwt" || r.str("refresh_token") != "" || r.str("id_token") != "" {
			t.Fatalf("response %s, header %v", r.raw, hdr)
		}
		return c
	}

	c := claims(cc(nil))
	if c["sub"] != oauthtest.BackendClient || c["client_id"] != oauthtest.BackendClient || c["aud"] != oauthtest.API ||
		c["tid"] != tid || c["iss"] != h.Issuer(tid) || c["auth_time"] != nil {
		t.Fatalf("default claims %v", c)
	}
	if c["scope"] != oauthtest.APIRead+" "+oauthtest.APIAdmin {
		t.Fatalf("default scope %v", c["scope"])
	}

	tests := []struct {
		name      string
		extra     url.Values
		wantAud   string
		wantScope any
		wantErr   string
	}{
		{"one scope", url.Values{"scope": {oauthtest.APIRead}}, oauthtest.API, oauthtest.APIRead, ""},
		{"OIDC and unknown scopes dropped", url.Values{"scope": {"openid email api:read nope"}}, oauthtest.API, oauthtest.APIRead, ""},
		{"resource", url.Values{"resource": {oauthtest.API}, "scope": {oauthtest.APIAdmin}}, oauthtest.API, oauthtest.APIAdmin, ""},
		{"audience", url.Values{"audience": {oauthtest.API}}, oauthtest.API, oauthtest.APIRead + " " + oauthtest.APIAdmin, ""},
		{"unknown resource", url.Values{"resource": {"https://other.example.com"}}, "", nil, "invalid_target"},
		{"relative resource", url.Values{"resource": {"/api"}}, "", nil, "invalid_target"},
		{"resource with fragment", url.Values{"resource": {oauthtest.API + "#x"}}, "", nil, "invalid_target"},
		{"resource and audience", url.Values{"resource": {oauthtest.API}, "audience": {oauthtest.API}}, "", nil, "invalid_request"},
		{"malformed scope", url.Values{"scope": {"api:read \"x\""}}, "", nil, "invalid_scope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := cc(tt.extra)
			if tt.wantErr != "" {
				wantError(t, r, http.StatusBadRequest, tt.wantErr)
				return
			}
			c := claims(r)
			if c["aud"] != tt.wantAud || c["scope"] != tt.wantScope {
				t.Fatalf("aud %v scope %v; want %v %v", c["aud"], c["scope"], tt.wantAud, tt.wantScope)
			}
		})
	}

	t.Run("client scopes limit", func(t *testing.T) {
		cl := h.Client(t, tid, oauthtest.BackendClient)
		cl.Scopes = []string{oauthtest.APIRead}
		if err := h.Store.UpdateClient(context.Background(), tid, cl); err != nil {
			t.Fatal(err)
		}
		if c := claims(cc(url.Values{"scope": {"api:read api:admin"}})); c["scope"] != oauthtest.APIRead {
			t.Fatalf("scope %v", c["scope"])
		}
	})
	t.Run("no default resource server", func(t *testing.T) {
		cl := h.Client(t, tid, oauthtest.BackendClient)
		cl.DefaultResourceServer = ""
		if err := h.Store.UpdateClient(context.Background(), tid, cl); err != nil {
			t.Fatal(err)
		}
		r := cc(url.Values{"scope": {oauthtest.APIRead}})
		if c := claims(r); c["aud"] != oauthtest.BackendClient || c["scope"] != nil || r.str("scope") != "" {
			t.Fatalf("aud %v scope %v", c["aud"], c["scope"])
		}
	})
	t.Run("no database write", func(t *testing.T) {
		// The jti of a client_credentials token has no record: revocation
		// creates one (store.RevokeAccessToken).
		_, c := jwtParts(t, wantOK(t, cc(nil)).str("access_token"))
		if ok, err := h.Store.AccessTokenActive(context.Background(), tid, c["jti"].(string)); err != nil || !ok {
			t.Fatalf("AccessTokenActive = %v, %v", ok, err)
		}
	})
}

// TestSec16RemovedGrants: password, implicit and unknown grants are
// unsupported_grant_type; a grant the client type does not allow is
// unauthorized_client (RFC 9700 §2.4; SECURITY-TESTS 16).
func TestSec16RemovedGrants(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	web := clientAuth(h, tid, oauthtest.WebClient)
	for _, gt := range []string{"password", "implicit", "token", "urn:ietf:params:oauth:grant-type:device_code", "client_credentials "} {
		f := url.Values{"grant_type": {gt}, "username": {oauthtest.Alice}, "password": {"x"}}
		wantError(t, tokenReq(t, h, tid, f, web), http.StatusBadRequest, "unsupported_grant_type")
	}
	wantError(t, tokenReq(t, h, tid, url.Values{}, web), http.StatusBadRequest, "invalid_request")
	wantError(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, web), http.StatusBadRequest, "unauthorized_client")
	wantError(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, publicAuth(oauthtest.SPAClient)), http.StatusBadRequest, "unauthorized_client")
	backend := clientAuth(h, tid, oauthtest.BackendClient)
	wantError(t, tokenReq(t, h, tid, url.Values{"grant_type": {"authorization_code"}, "code": {"x"}}, backend), http.StatusBadRequest, "unauthorized_client")
	wantError(t, tokenReq(t, h, tid, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}}, backend), http.StatusBadRequest, "unauthorized_client")

	// Only POST with a form body.
	req, _ := http.NewRequest(http.MethodGet, h.Issuer(tid)+"/oauth2/token", nil)
	if r := send(t, req); r.status != http.StatusMethodNotAllowed {
		t.Fatalf("GET /oauth2/token: %d", r.status)
	}
	req, _ = http.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/token", strings.NewReader(`{"grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := send(t, req); r.str("error") != "invalid_request" {
		t.Fatalf("JSON body: %d %s", r.status, r.raw)
	}
}

// TestTokenCORS checks CORS on the token endpoint through the whole stack.
func TestTokenCORS(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	origin := "https://spa." + tid + ".example"
	for _, path := range []string{"/oauth2/token", "/oauth2/userinfo", "/oauth2/revoke", "/oauth2/introspect", "/oauth2/me"} {
		req, _ := http.NewRequest(http.MethodOptions, h.Issuer(tid)+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		r := send(t, req)
		if r.status != http.StatusNoContent || r.header.Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("preflight %s: %d %v", path, r.status, r.header)
		}
		// tenant-b does not allow tenant-a's origin.
		req, _ = http.NewRequest(http.MethodOptions, h.Issuer(oauthtest.TenantB)+path, nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		if r := send(t, req); r.header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("tenant-b allowed tenant-a's origin on %s", path)
		}
	}
	req, _ := http.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/token", strings.NewReader("grant_type=password"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	if r := send(t, req); r.header.Get("Access-Control-Allow-Origin") != origin || r.str("error") == "" {
		t.Fatalf("error response without CORS: %v %s", r.header, r.raw)
	}
}

// BenchmarkClientCredentials measures the token endpoint's hottest path
// in process (no network): client authentication, the audience's
// resource server, signing. tenant-a signs RS256, tenant-b ES256.
func BenchmarkClientCredentials(b *testing.B) {
	h := oauthtest.New(b)
	for _, bc := range []struct{ alg, tid string }{{idp.AlgRS256, oauthtest.TenantA}, {idp.AlgES256, oauthtest.TenantB}} {
		b.Run(bc.alg, func(b *testing.B) {
			handler := h.Server.Config.Handler
			target := h.Issuer(bc.tid) + "/oauth2/token"
			body := "grant_type=client_credentials"
			sec := h.Secret(bc.tid, oauthtest.BackendClient)
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
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
