package oauth_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// revoke posts to the revocation endpoint and expects 200.
func revoke(t testing.TB, h *oauthtest.Harness, tid, token string, a auth) {
	t.Helper()
	r := post(t, h, tid, "/oauth2/revoke", url.Values{"token": {token}}, a)
	if r.status != http.StatusOK {
		t.Fatalf("revoke: %d %s", r.status, r.raw)
	}
}

// TestSec24Revocation covers RFC 7009 as SECURITY-TESTS 24 lists it.
func TestSec24Revocation(t *testing.T) {
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	t.Run("refresh token kills the family", func(t *testing.T) {
		h := oauthtest.New(t)
		first := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		second := wantOK(t, refresh(t, h, tid, cid, first.str("refresh_token"), nil))
		revoke(t, h, tid, second.str("refresh_token"), clientAuth(h, tid, cid))
		for name, tok := range map[string]string{"refresh": second.str("refresh_token"), "access 1": first.str("access_token"), "access 2": second.str("access_token")} {
			if active(t, h, tid, tok) {
				t.Errorf("%s still active", name)
			}
		}
		wantError(t, refresh(t, h, tid, cid, second.str("refresh_token"), nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("access token", func(t *testing.T) {
		h := oauthtest.New(t)
		first := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		at := first.str("access_token")
		revoke(t, h, tid, at, clientAuth(h, tid, cid))
		if active(t, h, tid, at) {
			t.Fatal("revoked access token is active")
		}
		if r := userInfo(t, h, tid, at); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo with a revoked token: %d", r.status)
		}
		// The grant stays: the refresh token still works.
		wantOK(t, refresh(t, h, tid, cid, first.str("refresh_token"), nil))
	})
	t.Run("client credentials token", func(t *testing.T) {
		h := oauthtest.New(t)
		a := clientAuth(h, tid, oauthtest.BackendClient)
		at := wantOK(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, a)).str("access_token")
		if !active(t, h, tid, at) {
			t.Fatal("fresh client_credentials token inactive")
		}
		revoke(t, h, tid, at, a)
		if active(t, h, tid, at) {
			t.Fatal("revoked client_credentials token is active")
		}
	})
	t.Run("public client", func(t *testing.T) {
		h := oauthtest.New(t)
		v, c := pkcePair(t)
		code := mintCode(t, h, tid, oauthtest.SPAClient, oauthtest.Alice, codeOpts{challenge: c})
		r := wantOK(t, redeem(t, h, tid, oauthtest.SPAClient, code, v))
		revoke(t, h, tid, r.str("refresh_token"), publicAuth(oauthtest.SPAClient))
		if active(t, h, tid, r.str("access_token")) {
			t.Fatal("public client's revocation had no effect")
		}
	})
	t.Run("other client's credentials have no effect", func(t *testing.T) {
		h := oauthtest.New(t)
		r := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		for _, tok := range []string{r.str("refresh_token"), r.str("access_token")} {
			revoke(t, h, tid, tok, clientAuth(h, tid, oauthtest.ConsentClient))
			revoke(t, h, tid, tok, publicAuth(oauthtest.SPAClient))
			if !active(t, h, tid, tok) {
				t.Fatal("another client revoked the token")
			}
		}
		// Nor does the same client id of another tenant.
		for _, tok := range []string{r.str("refresh_token"), r.str("access_token")} {
			revoke(t, h, oauthtest.TenantB, tok, clientAuth(h, oauthtest.TenantB, cid))
			if !active(t, h, tid, tok) {
				t.Fatal("tenant-b's app-web revoked tenant-a's token")
			}
		}
	})
	t.Run("unknown and garbage tokens", func(t *testing.T) {
		h := oauthtest.New(t)
		for _, tok := range []string{"unknown", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "%%%"} {
			revoke(t, h, tid, tok, clientAuth(h, tid, cid))
		}
		r := post(t, h, tid, "/oauth2/revoke", url.Values{}, clientAuth(h, tid, cid))
		wantError(t, r, http.StatusBadRequest, "invalid_request")
		r = post(t, h, tid, "/oauth2/revoke", url.Values{"token": {"x"}}, basicAuth(cid, "wrong"))
		wantError(t, r, http.StatusUnauthorized, "invalid_client")
	})
}
