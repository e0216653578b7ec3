package login

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestSec08RPInitiatedLogout(t *testing.T) {
	// Every case signs in afresh: no rate limits here.
	e := newEnv(t, envOptions{limits: Limits{StartPerIP: Limit{Max: -1}, StartPerEmail: Limit{Max: -1}, VerifyPerIP: Limit{Max: -1}}})
	iss := e.issuer(acme)
	foreignKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	uid := e.users[acme+"|"+alice].ID
	claims := func(mod func(map[string]any)) map[string]any {
		c := map[string]any{"iss": iss, "sub": uid, "aud": clientID, "exp": e.clock.Now().Add(15 * time.Minute).Unix(),
			"iat": e.clock.Now().Unix(), "sid": "s1"}
		if mod != nil {
			mod(c)
		}
		return c
	}
	valid := sign(t, e.keys.priv[acme], "JWT", claims(nil))
	expired := sign(t, e.keys.priv[acme], "JWT", claims(func(c map[string]any) { c["exp"] = e.clock.Now().Add(-24 * time.Hour).Unix() }))
	arrayAud := sign(t, e.keys.priv[acme], "JWT", claims(func(c map[string]any) { c["aud"] = []string{clientID, "other"}; c["azp"] = clientID }))
	foreignSigned := sign(t, foreignKey, "JWT", claims(nil))
	otherTenant := sign(t, e.keys.priv[globex], "JWT", claims(func(c map[string]any) { c["iss"] = e.issuer(globex) }))
	wrongIss := sign(t, e.keys.priv[acme], "JWT", claims(func(c map[string]any) { c["iss"] = e.issuer(globex) }))
	accessToken := sign(t, e.keys.priv[acme], "at+jwt", claims(nil))
	otherClient := sign(t, e.keys.priv[acme], "JWT", claims(func(c map[string]any) { c["aud"] = "someone-else" }))
	otherUser := sign(t, e.keys.priv[acme], "JWT", claims(func(c map[string]any) { c["sub"] = e.users[acme+"|"+suspended].ID }))
	// alg none: the valid token's payload with an unsigned header.
	parts := strings.Split(valid, ".")
	algNone := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."

	type want int
	const (
		redirect  want = iota // 303 to the URI with state, session ended
		confirm               // 200 confirmation page, session intact
		errorPage             // 400, no redirect, session intact
		loggedOut             // 200 signed-out page (no session to end)
	)
	tests := []struct {
		name     string
		params   url.Values
		post     bool
		signedIn bool
		want     want
	}{
		{"valid hint and registered URI", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, false, true, redirect},
		{"valid hint by POST", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, true, true, redirect},
		{"expired hint is acceptable", url.Values{"id_token_hint": {expired}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, false, true, redirect},
		{"hint with array aud and client_id", url.Values{"id_token_hint": {arrayAud}, "client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, false, true, redirect},
		{"valid hint without a session", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, false, false, redirect},
		{"unregistered URI", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {"https://evil.example/"}}, false, true, errorPage},
		{"query-altered URI", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {logoutURI + "?next=evil"}}, false, true, errorPage},
		{"path-altered URI", url.Values{"id_token_hint": {valid}, "post_logout_redirect_uri": {logoutURI + "/"}}, false, true, errorPage},
		{"URI without any client", url.Values{"post_logout_redirect_uri": {logoutURI}}, false, true, errorPage},
		{"alg none hint", url.Values{"id_token_hint": {algNone}, "post_logout_redirect_uri": {logoutURI}, "client_id": {clientID}}, false, true, confirm},
		{"alg none hint naming no client", url.Values{"id_token_hint": {algNone}, "post_logout_redirect_uri": {logoutURI}}, false, true, errorPage},
		{"foreign-signed hint", url.Values{"id_token_hint": {foreignSigned}, "post_logout_redirect_uri": {logoutURI}, "client_id": {clientID}}, false, true, confirm},
		{"another tenant's hint", url.Values{"id_token_hint": {otherTenant}, "post_logout_redirect_uri": {logoutURI}, "client_id": {clientID}}, false, true, confirm},
		{"hint with another issuer", url.Values{"id_token_hint": {wrongIss}, "post_logout_redirect_uri": {logoutURI}, "client_id": {clientID}}, false, true, confirm},
		{"access token as hint", url.Values{"id_token_hint": {accessToken}, "post_logout_redirect_uri": {logoutURI}, "client_id": {clientID}}, false, true, confirm},
		{"hint for another client", url.Values{"id_token_hint": {otherClient}, "client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}}, false, true, confirm},
		{"hint of another user", url.Values{"id_token_hint": {otherUser}, "post_logout_redirect_uri": {logoutURI}}, false, true, confirm},
		{"no hint, registered URI", url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}, false, true, confirm},
		{"valid hint, no URI", url.Values{"id_token_hint": {valid}}, false, true, confirm},
		{"no parameters", url.Values{}, false, true, confirm},
		{"no parameters, signed out", url.Values{}, false, false, loggedOut},
		{"RP POST without hint", url.Values{"client_id": {clientID}}, true, true, confirm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			sid := ""
			if tc.signedIn {
				b.signIn(acme, alice, "")
				sid = b.cookie(e.host(acme), e.sessionCookieName())
			}
			var res *response
			if tc.post {
				b.headers["Sec-Fetch-Site"] = "cross-site" // an RP's form: no CSRF token, and none needed
				res = b.do(http.MethodPost, iss+"/oauth2/logout", tc.params)
			} else {
				res = b.get(iss + "/oauth2/logout?" + tc.params.Encode())
			}
			loc := res.Header.Get("Location")
			switch tc.want {
			case redirect:
				if res.StatusCode != http.StatusSeeOther || loc != logoutURI+"?state=xyz" {
					t.Fatalf("= %d %q, want 303 to %s?state=xyz", res.StatusCode, loc, logoutURI)
				}
				if sid != "" && e.session(acme, sid) != nil {
					t.Fatal("session not ended")
				}
				if b.cookie(e.host(acme), e.sessionCookieName()) != "" {
					t.Fatal("session cookie not cleared")
				}
				return
			case errorPage:
				if res.StatusCode != http.StatusBadRequest || loc != "" || !strings.Contains(res.body, "not allowed") {
					t.Fatalf("= %d %q, want an error page", res.StatusCode, loc)
				}
			case confirm:
				if res.StatusCode != http.StatusOK || loc != "" || !strings.Contains(res.body, "Sign out?") || !strings.Contains(res.body, `name="confirm"`) {
					t.Fatalf("= %d %q, want the confirmation page: %s", res.StatusCode, loc, res.body)
				}
				if strings.Contains(res.body, "evil") {
					t.Fatal("confirmation page carries an unregistered URI")
				}
			case loggedOut:
				if res.StatusCode != http.StatusOK || loc != "" || !strings.Contains(res.body, "You are signed out") {
					t.Fatalf("= %d %q, want the signed-out page", res.StatusCode, loc)
				}
			}
			if sid != "" && e.session(acme, sid) == nil {
				t.Fatal("session ended without a valid hint or confirmation")
			}
		})
	}

	t.Run("confirmation then signed out", func(t *testing.T) {
		b := e.browser()
		b.signIn(acme, alice, "")
		sid := b.cookie(e.host(acme), e.sessionCookieName())
		page := iss + "/oauth2/logout?" + url.Values{"client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}}.Encode()
		res := b.post(page, iss+"/oauth2/logout", url.Values{"confirm": {"1"}, "client_id": {clientID}, "post_logout_redirect_uri": {logoutURI}, "state": {"xyz"}})
		if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" || !strings.Contains(res.body, "You are signed out") {
			t.Fatalf("confirm = %d %q", res.StatusCode, res.Header.Get("Location"))
		}
		if !strings.Contains(res.body, `href="`+logoutURI+`?state=xyz"`) || !strings.Contains(res.body, "Back to Acme App") {
			t.Fatal("signed-out page has no link back to the registered URI")
		}
		if e.session(acme, sid) != nil {
			t.Fatal("confirmed logout kept the session")
		}
		// Replaying the old cookie after logout fails (SECURITY-TESTS 33).
		b.cookies[e.host(acme)][e.sessionCookieName()] = &http.Cookie{Name: e.sessionCookieName(), Value: sid}
		if home := b.get(iss + "/"); strings.Contains(home.body, "You are signed in") {
			t.Fatal("cookie replay after logout accepted")
		}
	})
	t.Run("confirmation with a tampered URI shows no link", func(t *testing.T) {
		b := e.browser()
		b.signIn(acme, alice, "")
		res := b.post(iss+"/", iss+"/oauth2/logout", url.Values{"confirm": {"1"}, "client_id": {clientID}, "post_logout_redirect_uri": {"https://evil.example/"}})
		if res.StatusCode != http.StatusOK || strings.Contains(res.body, "evil.example") {
			t.Fatalf("= %d, body mentions the URI", res.StatusCode)
		}
	})
	t.Run("sign out from the start page", func(t *testing.T) {
		b := e.browser()
		b.signIn(acme, alice, "")
		sid := b.cookie(e.host(acme), e.sessionCookieName())
		res := b.post(iss+"/", iss+"/oauth2/logout", url.Values{"confirm": {"1"}})
		if res.StatusCode != http.StatusOK || e.session(acme, sid) != nil {
			t.Fatalf("= %d, session still live", res.StatusCode)
		}
	})
}

func TestWithState(t *testing.T) {
	tests := []struct{ uri, state, want string }{
		{"https://a.example/out", "", "https://a.example/out"},
		{"https://a.example/out", "x y&z", "https://a.example/out?state=x+y%26z"},
		{"https://a.example/out?b=2&a=1", "s", "https://a.example/out?b=2&a=1&state=s"},
		{"https://a.example/out#frag", "s", "https://a.example/out?state=s#frag"},
	}
	for _, tc := range tests {
		if got := withState(tc.uri, tc.state); got != tc.want {
			t.Errorf("withState(%q, %q) = %q, want %q", tc.uri, tc.state, got, tc.want)
		}
	}
}
