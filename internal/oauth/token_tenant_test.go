package oauth_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestSec43CrossTenantTokens presents tenant-a's codes, refresh tokens,
// access tokens and client credentials at tenant-b, whose client ids,
// user emails and resource server collide with tenant-a's; each is
// refused (SECURITY-TESTS 43).
func TestSec43CrossTenantTokens(t *testing.T) {
	h := oauthtest.New(t)
	a, b := oauthtest.TenantA, oauthtest.TenantB
	for _, cid := range []string{oauthtest.WebClient, oauthtest.SPAClient} {
		t.Run(cid, func(t *testing.T) {
			verifier, challenge := pkcePair(t)
			opts := codeOpts{challenge: challenge, audience: []string{oauthtest.API}}
			code := mintCode(t, h, a, cid, oauthtest.Alice, opts)
			// The code at tenant-b with tenant-b's client of the same id
			// (and tenant-b's redirect URI, or tenant-a's).
			for _, redirect := range []string{h.RedirectURI(t, b, cid), h.RedirectURI(t, a, cid)} {
				f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
				wantError(t, tokenReq(t, h, b, f, clientAuth(h, b, cid)), http.StatusBadRequest, "invalid_grant")
			}
			// tenant-a's own redemption still works: the attempt at
			// tenant-b did not touch it.
			tok := wantOK(t, redeem(t, h, a, cid, code, verifier))
			at, rt := tok.str("access_token"), tok.str("refresh_token")

			wantError(t, refresh(t, h, b, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
			if r := userInfo(t, h, b, at); r.status != http.StatusUnauthorized {
				t.Errorf("access token at tenant-b userinfo: %d", r.status)
			}
			for _, tk := range []string{at, rt} {
				if active(t, h, b, tk) {
					t.Errorf("tenant-b introspection says active")
				}
			}
			// tenant-a still accepts them.
			if !active(t, h, a, at) || !active(t, h, a, rt) {
				t.Fatal("tenant-a's tokens were disturbed")
			}
		})
	}
	t.Run("client credentials", func(t *testing.T) {
		f := url.Values{"grant_type": {"client_credentials"}}
		wantError(t, tokenReq(t, h, b, f, basicAuth(oauthtest.BackendClient, h.Secret(a, oauthtest.BackendClient))), http.StatusUnauthorized, "invalid_client")
		at := wantOK(t, tokenReq(t, h, a, f, clientAuth(h, a, oauthtest.BackendClient))).str("access_token")
		if active(t, h, b, at) {
			t.Error("tenant-a's client_credentials token is active at tenant-b")
		}
	})
	t.Run("JWKS hold no key of the other tenant", func(t *testing.T) {
		kids := func(tid string) map[string]bool {
			res, err := http.Get(h.Issuer(tid) + "/.well-known/jwks.json")
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var set struct {
				Keys []struct {
					Kid string `json:"kid"`
				} `json:"keys"`
			}
			if err := json.NewDecoder(res.Body).Decode(&set); err != nil {
				t.Fatal(err)
			}
			out := map[string]bool{}
			for _, k := range set.Keys {
				out[k.Kid] = true
			}
			return out
		}
		ka, kb := kids(a), kids(b)
		if len(ka) == 0 || len(kb) == 0 {
			t.Fatalf("empty JWKS: %v %v", ka, kb)
		}
		for k := range ka {
			if kb[k] {
				t.Errorf("kid %s is in both tenants' JWKS", k)
			}
		}
	})
}
