package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// issueTokens redeems a fresh code and returns the token response.
func issueTokens(t testing.TB, h *oauthtest.Harness, tid, cid, email string, o codeOpts) *response {
	t.Helper()
	return wantOK(t, redeem(t, h, tid, cid, mintCode(t, h, tid, cid, email, o), ""))
}

// TestSec22RefreshRotationReuse: each refresh returns a new token and the
// old one stops working; presenting a rotated token revokes the whole
// family, including the newest refresh token and every access token
// (RFC 9700 §4.14.2; SECURITY-TESTS 22).
func TestSec22RefreshRotationReuse(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	first := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
	rt0 := first.str("refresh_token")

	h.Clock.Advance(time.Minute)
	second := wantOK(t, refresh(t, h, tid, cid, rt0, nil))
	rt1 := second.str("refresh_token")
	if rt1 == "" || rt1 == rt0 {
		t.Fatalf("refresh did not rotate: %s", second.raw)
	}
	if second.str("id_token") == "" {
		t.Fatal("refresh with openid returned no ID token")
	}
	if _, c := jwtParts(t, second.str("id_token")); c["nonce"] != nil {
		t.Errorf("an ID token from a refresh carries a nonce (OIDC Core §12.2): %v", c)
	}
	if active(t, h, tid, rt0) {
		t.Fatal("the rotated token is still active")
	}
	third := wantOK(t, refresh(t, h, tid, cid, rt1, nil))
	rt2 := third.str("refresh_token")

	// Replay of rt1 (already rotated): invalid_grant and the family dies.
	wantError(t, refresh(t, h, tid, cid, rt1, nil), http.StatusBadRequest, "invalid_grant")
	for name, tok := range map[string]string{
		"newest refresh": rt2, "first access": first.str("access_token"),
		"second access": second.str("access_token"), "third access": third.str("access_token"),
	} {
		if active(t, h, tid, tok) {
			t.Errorf("%s is still active after reuse", name)
		}
	}
	if r := userInfo(t, h, tid, third.str("access_token")); r.status != http.StatusUnauthorized {
		t.Errorf("userinfo after family revocation: %d", r.status)
	}
	wantError(t, refresh(t, h, tid, cid, rt2, nil), http.StatusBadRequest, "invalid_grant")
}

// TestRefreshGraceWindow: a client with a grace window may present its
// rotated token again within the window (up to 5 times) and gets the same
// successor back when successors are derived (a new one each time without
// a successor key); after the window, reuse revokes the family.
func TestRefreshGraceWindow(t *testing.T) {
	for _, tc := range []struct {
		name          string
		randomSuccess bool // no successor key: today's random successors
	}{
		{name: "derived successors"},
		{name: "random successors", randomSuccess: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := oauthtest.NewWith(t, func(o *oauth.Options) {
				if tc.randomSuccess {
					o.RefreshSuccessorKey = nil
				}
			})
			tid, cid := oauthtest.TenantA, oauthtest.WebClient
			c := h.Client(t, tid, cid)
			c.RefreshGraceSeconds = 3600 // capped at 60 s
			if err := h.Store.UpdateClient(context.Background(), tid, c); err != nil {
				t.Fatal(err)
			}
			rt0 := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
			first := wantOK(t, refresh(t, h, tid, cid, rt0, nil))
			rt1 := first.str("refresh_token")
			h.Clock.Advance(30 * time.Second)
			second := wantOK(t, refresh(t, h, tid, cid, rt0, nil))
			again := second.str("refresh_token")
			if same := again == rt1; same == tc.randomSuccess {
				t.Fatalf("a reuse in the grace window returned the same token: %t, want %t", same, !tc.randomSuccess)
			}
			if second.str("access_token") == first.str("access_token") || !active(t, h, tid, first.str("access_token")) || !active(t, h, tid, second.str("access_token")) {
				t.Fatal("the two refreshes did not each get their own working access token")
			}
			h.Clock.Advance(31 * time.Second) // past 60 s, not past 3600 s
			wantError(t, refresh(t, h, tid, cid, rt0, nil), http.StatusBadRequest, "invalid_grant")
			if active(t, h, tid, rt1) || active(t, h, tid, again) {
				t.Fatal("the family survived a reuse after the grace window")
			}
		})
	}
}

// TestSec23RefreshBinding covers client binding, scope narrowing and
// widening, shrinking client scopes, the absolute lifetime, and a
// suspended user or deleted client (SECURITY-TESTS 23).
func TestSec23RefreshBinding(t *testing.T) {
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	t.Run("another client", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		wantError(t, refresh(t, h, tid, oauthtest.ConsentClient, rt, nil), http.StatusBadRequest, "invalid_grant")
		wantOK(t, refresh(t, h, tid, cid, rt, nil)) // the owner's token was not consumed
	})
	t.Run("scope", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{scope: []string{"openid", "email", "offline_access"}}).str("refresh_token")
		wantError(t, refresh(t, h, tid, cid, rt, url.Values{"scope": {"openid email profile"}}), http.StatusBadRequest, "invalid_scope")
		narrow := wantOK(t, refresh(t, h, tid, cid, rt, url.Values{"scope": {"openid"}}))
		if narrow.str("scope") != "openid" {
			t.Fatalf("narrowed scope = %q", narrow.str("scope"))
		}
		// The new refresh token keeps the original scope (RFC 6749 §6).
		full := wantOK(t, refresh(t, h, tid, cid, narrow.str("refresh_token"), nil))
		if full.str("scope") != "openid email offline_access" {
			t.Fatalf("scope after a narrowed refresh = %q", full.str("scope"))
		}
	})
	t.Run("client scopes shrink", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		c := h.Client(t, tid, cid)
		c.Scopes = []string{"openid", "email", "offline_access"}
		if err := h.Store.UpdateClient(context.Background(), tid, c); err != nil {
			t.Fatal(err)
		}
		r := wantOK(t, refresh(t, h, tid, cid, rt, nil))
		if r.str("scope") != "openid email offline_access" {
			t.Fatalf("scope after the client lost profile = %q", r.str("scope"))
		}
		c.Scopes = []string{"openid", "email"}
		if err := h.Store.UpdateClient(context.Background(), tid, c); err != nil {
			t.Fatal(err)
		}
		wantError(t, refresh(t, h, tid, cid, r.str("refresh_token"), nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("absolute lifetime", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		// Refresh every 20 days: the sliding expiry never lapses, the
		// absolute one (90 days) does.
		for range 4 {
			h.Clock.Advance(20 * 24 * time.Hour)
			rt = wantOK(t, refresh(t, h, tid, cid, rt, nil)).str("refresh_token")
		}
		h.Clock.Advance(10*24*time.Hour - time.Second)
		rt = wantOK(t, refresh(t, h, tid, cid, rt, nil)).str("refresh_token")
		h.Clock.Advance(time.Second)
		wantError(t, refresh(t, h, tid, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("sliding lifetime", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		h.Clock.Advance(idp.DefaultRefreshTokenTTL * time.Second)
		wantError(t, refresh(t, h, tid, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("suspended user", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		u := h.User(t, tid, oauthtest.Alice)
		u.Status = idp.UserSuspended
		if err := h.Store.UpdateUser(context.Background(), tid, u); err != nil {
			t.Fatal(err)
		}
		wantError(t, refresh(t, h, tid, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("deleted client", func(t *testing.T) {
		h := oauthtest.New(t)
		rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		auth := clientAuth(h, tid, cid)
		if err := h.Store.DeleteClient(context.Background(), tid, cid); err != nil {
			t.Fatal(err)
		}
		r := tokenReq(t, h, tid, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, auth)
		wantError(t, r, http.StatusUnauthorized, "invalid_client")
	})
	t.Run("deleted tenant", func(t *testing.T) {
		h := oauthtest.New(t)
		b := oauthtest.TenantB
		rt := issueTokens(t, h, b, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
		auth := clientAuth(h, b, cid)
		if err := h.Store.DeleteTenant(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(time.Minute) // past the resolver's tenant cache
		r := tokenReq(t, h, b, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, auth)
		if r.status != http.StatusNotFound {
			t.Fatalf("refresh at a deleted tenant: %d %s", r.status, r.raw)
		}
		// And the same token means nothing at tenant-a.
		wantError(t, refresh(t, h, tid, cid, rt, nil), http.StatusBadRequest, "invalid_grant")
	})
	t.Run("unknown token", func(t *testing.T) {
		h := oauthtest.New(t)
		wantError(t, refresh(t, h, tid, cid, "nope", nil), http.StatusBadRequest, "invalid_grant")
	})
}

// TestSec22ConcurrentRefreshReuse: 20 parallel refreshes of one token on
// SQLite give exactly one new token and no 5xx; the others are reuse and
// revoke the family, the winner's new token included.
func TestSec22ConcurrentRefreshReuse(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	a := clientAuth(h, tid, cid)
	codes, bodies := parallel(20, func() (int, string) {
		r := tokenReq(t, h, tid, form, a) // reports with t.Errorf only
		return r.status, r.raw
	})
	var won []string
	for i, c := range codes {
		switch {
		case c == http.StatusOK:
			won = append(won, field(bodies[i], "refresh_token"))
		case c >= 500:
			t.Fatalf("server error: %d %s", c, bodies[i])
		case !strings.Contains(bodies[i], `"invalid_grant"`):
			t.Fatalf("loser: %d %s", c, bodies[i])
		}
	}
	if len(won) != 1 {
		t.Fatalf("%d refreshes succeeded, want 1", len(won))
	}
	if active(t, h, tid, won[0]) {
		t.Fatal("the family survived the concurrent reuse")
	}
}

// TestConcurrentRefreshGraceOneLineage: 50 parallel refreshes of one
// token by a client with a grace window give no 5xx, and every refresh
// that succeeds returns the same successor: the family never forks into
// two live lineages (issue 5). Past the 5 allowed reuses a racer is a
// replay and revokes the family.
func TestConcurrentRefreshGraceOneLineage(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	c := h.Client(t, tid, cid)
	c.RefreshGraceSeconds = 60
	if err := h.Store.UpdateClient(context.Background(), tid, c); err != nil {
		t.Fatal(err)
	}
	rt := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("refresh_token")
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	a := clientAuth(h, tid, cid)
	codes, bodies := parallel(50, func() (int, string) {
		r := tokenReq(t, h, tid, form, a) // reports with t.Errorf only
		return r.status, r.raw
	})
	successors := map[string]bool{}
	won, lost := 0, 0
	for i, c := range codes {
		switch {
		case c == http.StatusOK:
			won++
			successors[field(bodies[i], "refresh_token")] = true
		case c >= 500:
			t.Fatalf("server error: %d %s", c, bodies[i])
		case strings.Contains(bodies[i], `"invalid_grant"`):
			lost++
		default:
			t.Fatalf("loser: %d %s", c, bodies[i])
		}
	}
	if won < 1 || won > 6 || len(successors) != 1 {
		t.Fatalf("%d refreshes succeeded with %d distinct refresh tokens, want 1 to 6 with 1", won, len(successors))
	}
	// Losers were replays past MaxReuse: they revoked the one lineage.
	for s := range successors {
		if got := active(t, h, tid, s); got != (lost == 0) {
			t.Fatalf("successor active %t after %d replays past the reuse limit", got, lost)
		}
	}
}

// TestRefreshReuseDetectedBeforeOtherChecks: a replayed rotated token
// revokes the family even when the replay also asks for a wider scope.
func TestRefreshReuseDetectedBeforeOtherChecks(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	rt0 := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{scope: []string{"openid", "offline_access"}}).str("refresh_token")
	rt1 := wantOK(t, refresh(t, h, tid, cid, rt0, nil)).str("refresh_token")
	wantError(t, refresh(t, h, tid, cid, rt0, url.Values{"scope": {"openid offline_access profile"}}), http.StatusBadRequest, "invalid_grant")
	if active(t, h, tid, rt1) {
		t.Fatal("the family survived a replay that also asked for more scope")
	}
}
