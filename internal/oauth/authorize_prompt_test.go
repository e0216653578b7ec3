package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestSec05PromptMaxAge: SECURITY-TESTS case 5, authorization side.
func TestSec05PromptMaxAge(t *testing.T) {
	h := oauthtest.New(t)
	iss := h.Issuer(tA)
	v := azParams(t, h, tA, oauthtest.WebClient)
	redirect, state := v.Get("redirect_uri"), v.Get("state")
	alice := h.User(t, tA, oauthtest.Alice)

	t.Run("prompt=none without session", func(t *testing.T) {
		res, _ := azGet(t, h, h.Browser(t), tA, azWith(v, "prompt", "none"))
		azError(t, res, redirect, iss, "login_required", state)
	})
	t.Run("prompt=none with session is silent", func(t *testing.T) {
		b := h.Browser(t)
		s := h.Login(t, b, tA, oauthtest.Alice)
		res, _ := azGet(t, h, b, tA, azWith(v, "prompt", "none"))
		_, ac := azCode(t, h, res, tA, redirect, state)
		if ac.UserID != alice.ID || ac.SessionID != s.ID || !ac.AuthTime.Equal(s.AuthTime) {
			t.Errorf("code %+v, want alice's session %+v", ac, s)
		}
	})
	t.Run("prompt=none with a suspended user", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tA, oauthtest.Carol)
		res, _ := azGet(t, h, b, tA, azWith(v, "prompt", "none"))
		azError(t, res, redirect, iss, "login_required", state)
	})
	t.Run("no session goes to the login page", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, azWith(v, "login_hint", oauthtest.Alice))
		id := azParked(t, h, res, tA, "/oauth2/login")
		ar, err := h.Store.GetAuthRequest(context.Background(), tA, id, h.Clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		if ar.ClientID != oauthtest.WebClient || ar.State != state || ar.Nonce != "nonce-123" || ar.LoginHint != oauthtest.Alice ||
			ar.RedirectURI != redirect || !ar.ExpiresAt.Equal(h.Clock.Now().Add(30*time.Minute)) {
			t.Errorf("parked request %+v", ar)
		}
		// The hosted page signs the user in and sends the browser back.
		h.Login(t, b, tA, oauthtest.Alice)
		res, _ = h.Get(t, b, h.ResumeURL(tA, id))
		azCode(t, h, res, tA, redirect, state)
		azGone(t, h, tA, id)
	})
	t.Run("prompt=login re-authenticates", func(t *testing.T) {
		b := h.Browser(t)
		first := h.Login(t, b, tA, oauthtest.Alice)
		h.Clock.Advance(time.Minute)
		res, _ := azGet(t, h, b, tA, azWith(v, "prompt", "login"))
		id := azParked(t, h, res, tA, "/oauth2/login")
		// Coming back without signing in again leads to the login page again.
		res, _ = h.Get(t, b, h.ResumeURL(tA, id))
		if again := azParked(t, h, res, tA, "/oauth2/login"); again != id {
			t.Errorf("resume parked a new request %q, want %q", again, id)
		}
		h.Clock.Advance(5 * time.Second)
		second := h.Login(t, b, tA, oauthtest.Alice)
		res, _ = h.Get(t, b, h.ResumeURL(tA, id))
		_, ac := azCode(t, h, res, tA, redirect, state)
		if !ac.AuthTime.After(first.AuthTime) || !ac.AuthTime.Equal(second.AuthTime) {
			t.Errorf("auth_time %v, want the new login's %v", ac.AuthTime, second.AuthTime)
		}
	})
	t.Run("max_age", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tA, oauthtest.Alice)
		h.Clock.Advance(2 * time.Second)
		for _, long := range []string{"10000", "9223372036", "9223372036854775807"} {
			res, _ := azGet(t, h, b, tA, azWith(v, "max_age", long))
			azCode(t, h, res, tA, redirect, state)
		}
		res, _ := azGet(t, h, b, tA, azWith(v, "max_age", "92233720368547758070"))
		azError(t, res, redirect, iss, "invalid_request", state)
		res, _ = azGet(t, h, b, tA, azWith(v, "max_age", "2"))
		azCode(t, h, res, tA, redirect, state)
		res, _ = azGet(t, h, b, tA, azWith(v, "max_age", "1"))
		id := azParked(t, h, res, tA, "/oauth2/login")
		res, _ = azGet(t, h, b, tA, azWith(v, "max_age", "1", "prompt", "none"))
		azError(t, res, redirect, iss, "login_required", state)
		res, _ = azGet(t, h, b, tA, azWith(v, "max_age", "0"))
		azParked(t, h, res, tA, "/oauth2/login")
		h.Clock.Advance(time.Second)
		s := h.Login(t, b, tA, oauthtest.Alice)
		res, _ = h.Get(t, b, h.ResumeURL(tA, id))
		_, ac := azCode(t, h, res, tA, redirect, state)
		if !ac.AuthTime.Equal(s.AuthTime) {
			t.Errorf("auth_time %v, want %v", ac.AuthTime, s.AuthTime)
		}
	})
	t.Run("id_token_hint", func(t *testing.T) {
		b := h.Browser(t)
		h.Login(t, b, tA, oauthtest.Alice)
		now := h.Clock.Now().Unix()
		claims := func(sub, aud string, exp int64) map[string]any {
			return map[string]any{"iss": iss, "sub": sub, "aud": aud, "exp": exp, "iat": now - 10}
		}
		bob := h.User(t, tA, oauthtest.Bob)
		for name, tc := range map[string]struct {
			hint string
			code string // "" = success
		}{
			"same user":          {azSign(t, h, tA, "JWT", claims(alice.ID, oauthtest.WebClient, now+600)), ""},
			"same user, expired": {azSign(t, h, tA, "JWT", claims(alice.ID, oauthtest.WebClient, now-3600)), ""},
			"aud as array":       {azSign(t, h, tA, "JWT", map[string]any{"iss": iss, "sub": alice.ID, "aud": []string{oauthtest.WebClient}}), ""},
			"other user":         {azSign(t, h, tA, "JWT", claims(bob.ID, oauthtest.WebClient, now+600)), "login_required"},
			"other client":       {azSign(t, h, tA, "JWT", claims(alice.ID, oauthtest.SPAClient, now+600)), "invalid_request"},
			"other issuer":       {azSign(t, h, tA, "JWT", map[string]any{"iss": h.Issuer(tB), "sub": alice.ID, "aud": oauthtest.WebClient}), "invalid_request"},
			"access token":       {azSign(t, h, tA, "at+jwt", claims(alice.ID, oauthtest.WebClient, now+600)), "invalid_request"},
			"garbage":            {"not.a.jwt", "invalid_request"},
			"unsigned":           {"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "invalid_request"},
		} {
			t.Run(name, func(t *testing.T) {
				res, _ := azGet(t, h, b, tA, azWith(v, "prompt", "none", "id_token_hint", tc.hint))
				if tc.code == "" {
					azCode(t, h, res, tA, redirect, state)
					return
				}
				azError(t, res, redirect, iss, tc.code, state)
			})
		}
		// Without prompt=none, a hint for another user asks for a login.
		hint := azSign(t, h, tA, "JWT", claims(bob.ID, oauthtest.WebClient, now+600))
		res, _ := azGet(t, h, b, tA, azWith(v, "id_token_hint", hint))
		azParked(t, h, res, tA, "/oauth2/login")
	})
}

// TestAuthorizeConsent: require_consent clients ask once per scope set;
// prompt=consent asks again; prompt=none never shows the page.
func TestAuthorizeConsent(t *testing.T) {
	h := oauthtest.New(t)
	ctx := context.Background()
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	alice := h.User(t, tA, oauthtest.Alice)
	v := azParams(t, h, tA, oauthtest.ConsentClient)
	redirect, state, iss := v.Get("redirect_uri"), v.Get("state"), h.Issuer(tA)

	res, _ := azGet(t, h, b, tA, azWith(v, "prompt", "none"))
	azError(t, res, redirect, iss, "consent_required", state)

	res, _ = azGet(t, h, b, tA, v)
	id := azParked(t, h, res, tA, "/oauth2/consent")
	// Coming back without approving shows the page again.
	res, _ = h.Get(t, b, h.ResumeURL(tA, id))
	if again := azParked(t, h, res, tA, "/oauth2/consent"); again != id {
		t.Fatalf("resume parked %q, want %q", again, id)
	}
	if err := h.Store.SetAuthRequestConsent(ctx, tA, id, nil); err != nil {
		t.Fatal(err)
	}
	res, _ = h.Get(t, b, h.ResumeURL(tA, id))
	azCode(t, h, res, tA, redirect, state)
	c, err := h.Store.GetConsent(ctx, tA, alice.ID, oauthtest.ConsentClient)
	if err != nil || !slices.Equal(c.Scopes, []string{"openid", "profile", "email"}) {
		t.Fatalf("stored consent %+v, %v", c, err)
	}
	// The resume URL answers once.
	res, body := h.Get(t, b, h.ResumeURL(tA, id))
	azPage(t, res, body)

	// Covered scopes are silent, also with prompt=none; more scopes ask again.
	res, _ = azGet(t, h, b, tA, azWith(v, "scope", "openid email"))
	azCode(t, h, res, tA, redirect, state)
	res, _ = azGet(t, h, b, tA, azWith(v, "prompt", "none"))
	azCode(t, h, res, tA, redirect, state)
	res, _ = azGet(t, h, b, tA, azWith(v, "scope", "openid email offline_access"))
	azParked(t, h, res, tA, "/oauth2/consent")
	res, _ = azGet(t, h, b, tA, azWith(v, "prompt", "consent"))
	azParked(t, h, res, tA, "/oauth2/consent")

	// Consent is per user: Bob is asked.
	h.Login(t, b, tA, oauthtest.Bob)
	res, _ = azGet(t, h, b, tA, v)
	azParked(t, h, res, tA, "/oauth2/consent")

	// A third-party client always needs consent even without require_consent.
	web := h.Client(t, tA, oauthtest.WebClient)
	web.ThirdParty = true
	if err := h.Store.UpdateClient(ctx, tA, web); err != nil {
		t.Fatal(err)
	}
	res, _ = azGet(t, h, b, tA, azParams(t, h, tA, oauthtest.WebClient))
	azParked(t, h, res, tA, "/oauth2/consent")
}

// TestAuthorizeResume: parked requests are tenant-scoped, expire, and are
// re-validated against the client when resumed.
func TestAuthorizeResume(t *testing.T) {
	h := oauthtest.New(t)
	ctx := context.Background()
	v := azParams(t, h, tA, oauthtest.WebClient)
	t.Run("expired", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, v)
		id := azParked(t, h, res, tA, "/oauth2/login")
		h.Clock.Advance(31 * time.Minute)
		h.Login(t, b, tA, oauthtest.Alice)
		res, body := h.Get(t, b, h.ResumeURL(tA, id))
		azPage(t, res, body)
	})
	t.Run("unknown and malformed ids", func(t *testing.T) {
		b := h.Browser(t)
		for _, u := range []string{h.ResumeURL(tA, "nope"), h.ResumeURL(tA, ""), h.Issuer(tA) + "/oauth2/authorize?request_id=a&request_id=b"} {
			res, body := h.Get(t, b, u)
			azPage(t, res, body)
		}
	})
	t.Run("redirect URI removed meanwhile", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, v)
		id := azParked(t, h, res, tA, "/oauth2/login")
		c := h.Client(t, tA, oauthtest.WebClient)
		saved := c.RedirectURIs
		c.RedirectURIs = saved[1:]
		if err := h.Store.UpdateClient(ctx, tA, c); err != nil {
			t.Fatal(err)
		}
		defer func() {
			c.RedirectURIs = saved
			_ = h.Store.UpdateClient(ctx, tA, c)
		}()
		h.Login(t, b, tA, oauthtest.Alice)
		res, body := h.Get(t, b, h.ResumeURL(tA, id))
		azPage(t, res, body)
	})
	t.Run("client deleted meanwhile", func(t *testing.T) {
		b := h.Browser(t)
		sv := azParams(t, h, tA, oauthtest.SPAClient)
		res, _ := azGet(t, h, b, tA, sv)
		id := azParked(t, h, res, tA, "/oauth2/login")
		if err := h.Store.DeleteClient(ctx, tA, oauthtest.SPAClient); err != nil {
			t.Fatal(err)
		}
		h.Login(t, b, tA, oauthtest.Alice)
		res, body := h.Get(t, b, h.ResumeURL(tA, id))
		azPage(t, res, body)
	})
	t.Run("concurrent resumes yield one code", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, v)
		id := azParked(t, h, res, tA, "/oauth2/login")
		h.Clock.Advance(time.Second)
		h.Login(t, b, tA, oauthtest.Alice)
		const n = 8
		statuses := make(chan int, n)
		var wg sync.WaitGroup
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				req, _ := http.NewRequest(http.MethodGet, h.ResumeURL(tA, id), nil)
				res, err := b.Do(req)
				if err != nil {
					statuses <- 0
					return
				}
				res.Body.Close()
				statuses <- res.StatusCode
			}()
		}
		wg.Wait()
		close(statuses)
		count := map[int]int{}
		for s := range statuses {
			count[s]++
		}
		if count[http.StatusSeeOther] != 1 || count[http.StatusBadRequest] != n-1 {
			t.Errorf("statuses %v, want one 303 and %d × 400", count, n-1)
		}
	})
	t.Run("POST does not resume", func(t *testing.T) {
		b := h.Browser(t)
		res, _ := azGet(t, h, b, tA, v)
		id := azParked(t, h, res, tA, "/oauth2/login")
		h.Login(t, b, tA, oauthtest.Alice)
		res, body := h.PostForm(t, b, h.Issuer(tA)+"/oauth2/authorize", url.Values{"request_id": {id}})
		azPage(t, res, body)
	})
}

// TestAuthorizeScopesAndResources: scopes the client may not have are
// dropped silently; resource-server scopes need the resource (or the
// client's default resource server) and, unless granted to all, the user.
func TestAuthorizeScopesAndResources(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	h.Login(t, b, tA, oauthtest.Alice)
	web := azParams(t, h, tA, oauthtest.WebClient)
	spa := azParams(t, h, tA, oauthtest.SPAClient)
	all := "openid profile email offline_access api:read api:admin address unknown"
	for name, tc := range map[string]struct {
		v        url.Values
		email    string
		scope    []string
		audience []string
	}{
		"no resource":      {azWith(web, "scope", all), oauthtest.Alice, []string{"openid", "profile", "email", "offline_access"}, nil},
		"resource, alice":  {azWith(web, "scope", all, "resource", oauthtest.API), oauthtest.Alice, []string{"openid", "profile", "email", "offline_access", "api:read"}, []string{oauthtest.API}},
		"resource, bob":    {azWith(web, "scope", all, "resource", oauthtest.API), oauthtest.Bob, []string{"openid", "profile", "email", "offline_access", "api:read", "api:admin"}, []string{oauthtest.API}},
		"audience":         {azWith(web, "scope", "openid api:read", "audience", oauthtest.API), oauthtest.Alice, []string{"openid", "api:read"}, []string{oauthtest.API}},
		"default resource": {azWith(spa, "scope", "openid api:read api:admin"), oauthtest.Alice, []string{"openid", "api:read"}, nil},
		"resource twice": {func() url.Values {
			x := azWith(web, "resource", oauthtest.API)
			x.Add("resource", oauthtest.API)
			return x
		}(), oauthtest.Alice, []string{"openid", "profile", "email"}, []string{oauthtest.API}},
	} {
		t.Run(name, func(t *testing.T) {
			h.Login(t, b, tA, tc.email)
			res, _ := azGet(t, h, b, tA, tc.v)
			_, ac := azCode(t, h, res, tA, tc.v.Get("redirect_uri"), tc.v.Get("state"))
			if !slices.Equal(ac.Scope, tc.scope) || !slices.Equal(ac.Audience, tc.audience) {
				t.Errorf("scope %q audience %q, want %q %q", ac.Scope, ac.Audience, tc.scope, tc.audience)
			}
			if !ac.ExpiresAt.Equal(ac.CreatedAt.Add(idp.AuthCodeLifetime)) || ac.ClientID != tc.v.Get("client_id") {
				t.Errorf("code record %+v", ac)
			}
		})
	}
}
