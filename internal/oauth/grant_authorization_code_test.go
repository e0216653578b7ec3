package oauth_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestSec11CodeReplayRevokesTokens: a second redemption, immediately or
// 30 s later, is invalid_grant and revokes every token of the first
// (RFC 6749 §4.1.2; SECURITY-TESTS 11).
func TestSec11CodeReplayRevokesTokens(t *testing.T) {
	for _, delay := range []time.Duration{0, 30 * time.Second} {
		t.Run(delay.String(), func(t *testing.T) {
			h := oauthtest.New(t)
			tid, cid := oauthtest.TenantA, oauthtest.WebClient
			code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
			first := wantOK(t, redeem(t, h, tid, cid, code, ""))
			at, rt := first.str("access_token"), first.str("refresh_token")
			if !active(t, h, tid, at) || !active(t, h, tid, rt) {
				t.Fatal("tokens of the first redemption are not active")
			}
			h.Clock.Advance(delay)
			wantError(t, redeem(t, h, tid, cid, code, ""), http.StatusBadRequest, "invalid_grant")
			if active(t, h, tid, at) || active(t, h, tid, rt) {
				t.Fatal("tokens of the first redemption survived the replay")
			}
			if r := userInfo(t, h, tid, at); r.status != http.StatusUnauthorized {
				t.Fatalf("userinfo after replay: %d", r.status)
			}
			wantError(t, refresh(t, h, tid, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
		})
	}
}

// TestSec12ConcurrentCodeRedemption: 20 parallel redemptions of one code
// give exactly one 200, invalid_grant for the rest and no 5xx; the
// winner's grant is then revoked (SECURITY-TESTS 12).
func TestSec12ConcurrentCodeRedemption(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.RedirectURI(t, tid, cid)}}
	a := clientAuth(h, tid, cid)
	const n = 20
	results := make([]*response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = tokenReq(t, h, tid, form, a) // reports with t.Errorf only
		}()
	}
	close(start)
	wg.Wait()
	var winner *response
	for _, r := range results {
		switch {
		case r.status == http.StatusOK:
			if winner != nil {
				t.Fatal("two redemptions succeeded")
			}
			winner = r
		case r.status >= 500:
			t.Fatalf("server error: %d %s", r.status, r.raw)
		case r.str("error") != "invalid_grant":
			t.Fatalf("loser got %d %s", r.status, r.raw)
		}
	}
	if winner == nil {
		t.Fatal("no redemption succeeded")
	}
	if active(t, h, tid, winner.str("access_token")) || active(t, h, tid, winner.str("refresh_token")) {
		t.Fatal("the winner's tokens survived the concurrent reuse")
	}
}

// TestSec13CodeExpiryAndBinding covers expiry at the exact boundary,
// binding to the client, and the redirect_uri rule (RFC 6749 §4.1.3).
func TestSec13CodeExpiryAndBinding(t *testing.T) {
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	t.Run("expiry boundary", func(t *testing.T) {
		h := oauthtest.New(t)
		c1 := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		c2 := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		h.Clock.Advance(idp.AuthCodeLifetime - time.Microsecond)
		wantOK(t, redeem(t, h, tid, cid, c1, ""))
		h.Clock.Advance(time.Microsecond)
		wantError(t, redeem(t, h, tid, cid, c2, ""), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("another client's credentials", func(t *testing.T) {
		h := oauthtest.New(t)
		code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.RedirectURI(t, tid, cid)}}
		wantError(t, tokenReq(t, h, tid, f, clientAuth(h, tid, oauthtest.ConsentClient)), http.StatusBadRequest, "invalid_grant")
		// The owner can still redeem it: a stranger cannot burn a code.
		wantOK(t, redeem(t, h, tid, cid, code, ""))
	})
	t.Run("redirect_uri", func(t *testing.T) {
		h := oauthtest.New(t)
		reg := h.Client(t, tid, cid).RedirectURIs
		for name, uri := range map[string]string{
			"missing": "", "other registered": reg[1], "trailing slash": reg[0] + "/", "case": strings.ToUpper(reg[0]),
		} {
			code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{})
			f := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
			if uri != "" {
				f.Set("redirect_uri", uri)
			}
			if r := tokenReq(t, h, tid, f, clientAuth(h, tid, cid)); r.str("error") != "invalid_grant" {
				t.Errorf("%s: %d %s", name, r.status, r.raw)
			}
		}
		// No redirect_uri at authorization: none needed at the token endpoint.
		code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{noRedir: true})
		f := url.Values{"grant_type": {"authorization_code"}, "code": {code}}
		wantOK(t, tokenReq(t, h, tid, f, clientAuth(h, tid, cid)))
	})
	t.Run("unknown and missing code", func(t *testing.T) {
		h := oauthtest.New(t)
		f := url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {h.RedirectURI(t, tid, cid)}}
		wantError(t, tokenReq(t, h, tid, f, clientAuth(h, tid, cid)), http.StatusBadRequest, "invalid_grant")
		f.Del("code")
		wantError(t, tokenReq(t, h, tid, f, clientAuth(h, tid, cid)), http.StatusBadRequest, "invalid_request")
	})
}

// TestSec14PKCEAtToken: a missing, wrong or malformed verifier is
// invalid_grant and burns the code, so the right verifier fails afterwards
// (RFC 7636 §4.6; SECURITY-TESTS 14).
func TestSec14PKCEAtToken(t *testing.T) {
	tid := oauthtest.TenantA
	for _, cid := range []string{oauthtest.SPAClient, oauthtest.WebClient} {
		h := oauthtest.New(t)
		verifier, challenge := pkcePair(t)
		other, _ := pkcePair(t)
		cases := map[string]string{
			"missing verifier": "",
			"wrong verifier":   other,
			"too short":        verifier[:42],
			"too long":         strings.Repeat("a", 129),
			"bad characters":   verifier[:42] + "+",
			"the challenge":    challenge,
		}
		for name, v := range cases {
			t.Run(cid+"/"+name, func(t *testing.T) {
				code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{challenge: challenge})
				wantError(t, redeem(t, h, tid, cid, code, v), http.StatusBadRequest, "invalid_grant")
				wantError(t, redeem(t, h, tid, cid, code, verifier), http.StatusBadRequest, "invalid_grant")
			})
		}
		t.Run(cid+"/right verifier", func(t *testing.T) {
			code := mintCode(t, h, tid, cid, oauthtest.Alice, codeOpts{challenge: challenge})
			wantOK(t, redeem(t, h, tid, cid, code, verifier))
		})
	}
}

// TestSec15PKCEDowngrade: a verifier for a code issued without a
// challenge is refused (RFC 9700 §4.8.2), and a public client's code
// without a challenge is never redeemed.
func TestSec15PKCEDowngrade(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	verifier, _ := pkcePair(t)
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{})
	wantError(t, redeem(t, h, tid, oauthtest.WebClient, code, verifier), http.StatusBadRequest, "invalid_grant")

	code = mintCode(t, h, tid, oauthtest.SPAClient, oauthtest.Alice, codeOpts{})
	wantError(t, redeem(t, h, tid, oauthtest.SPAClient, code, ""), http.StatusBadRequest, "invalid_grant")

	// Without PKCE at either end a confidential client succeeds.
	code = mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{})
	wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, ""))
}

// TestCodeOfInactiveUser: a code whose user was suspended after sign-in
// issues nothing (ASVS 7.4.2).
func TestCodeOfInactiveUser(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Carol, codeOpts{})
	wantError(t, redeem(t, h, tid, oauthtest.WebClient, code, ""), http.StatusBadRequest, "invalid_grant")
}

// TestCodeWithoutOfflineAccess issues no refresh token (OIDC Core §11).
func TestCodeWithoutOfflineAccess(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{scope: []string{"openid"}})
	r := wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, ""))
	if r.str("refresh_token") != "" || r.str("id_token") == "" || r.str("scope") != "openid" {
		t.Fatalf("response %s", r.raw)
	}
	code = mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{scope: []string{"profile"}})
	if r := wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, "")); r.str("id_token") != "" {
		t.Fatalf("an ID token without openid: %s", r.raw)
	}
}
