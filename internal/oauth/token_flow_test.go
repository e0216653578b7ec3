package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// authorizeCode runs the real authorization endpoint for a signed-in
// browser and returns the code from the redirect.
func authorizeCode(t *testing.T, h *oauthtest.Harness, browser *http.Client, authURL, state string) string {
	t.Helper()
	res, body := h.Get(t, browser, authURL)
	if res.StatusCode != http.StatusFound && res.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: %d %s", res.StatusCode, body)
	}
	q := oauthtest.Location(t, res).Query()
	if q.Get("state") != state || q.Get("code") == "" || q.Get("iss") == "" {
		t.Fatalf("authorization response %v lacks code, state or iss", q)
	}
	return q.Get("code")
}

// TestSec02TokenResponseShape runs the code flow through go-oidc and
// x/oauth2 (a strict Go relying party) with client_secret_basic, and by
// hand with client_secret_post and a reversed scope order, checking the
// token response and ID token rules of SECURITY-TESTS 2.
func TestSec02TokenResponseShape(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	ctx := oidc.ClientContext(context.Background(), &http.Client{})
	prov, err := oidc.NewProvider(ctx, h.Issuer(tid))
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	web := h.Client(t, tid, oauthtest.WebClient)
	browser := h.Browser(t)
	h.Login(t, browser, tid, oauthtest.Alice)
	alice := h.User(t, tid, oauthtest.Alice)

	t.Run("client_secret_basic via go-oidc", func(t *testing.T) {
		ep := prov.Endpoint()
		ep.AuthStyle = oauth2.AuthStyleInHeader
		cfg := oauth2.Config{ClientID: web.ID, ClientSecret: h.Secret(tid, web.ID), Endpoint: ep,
			RedirectURL: web.RedirectURIs[0], Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess}}
		verifier := oauth2.GenerateVerifier()
		code := authorizeCode(t, h, browser, cfg.AuthCodeURL("st-1", oidc.Nonce("n-1"), oauth2.S256ChallengeOption(verifier)), "st-1")
		tok, err := cfg.Exchange(ctx, code, oauth2.VerifierOption(verifier))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		if tok.TokenType != "Bearer" || tok.RefreshToken == "" {
			t.Fatalf("token_type %q, refresh token present %v", tok.TokenType, tok.RefreshToken != "")
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := prov.Verifier(&oidc.Config{ClientID: web.ID, Now: h.Clock.Now}).Verify(ctx, raw)
		if err != nil {
			t.Fatalf("go-oidc rejects the ID token: %v", err)
		}
		if idt.Nonce != "n-1" || idt.Subject != alice.ID || len(idt.Audience) != 1 || idt.Audience[0] != web.ID {
			t.Fatalf("ID token nonce %q sub %q aud %v", idt.Nonce, idt.Subject, idt.Audience)
		}
		_, claims := jwtParts(t, raw)
		if _, isString := claims["aud"].(string); !isString {
			t.Fatalf("aud is not a single string: %v", claims["aud"])
		}
		for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "email", "email_verified", "name"} {
			if _, ok := claims[c]; !ok {
				t.Errorf("ID token lacks %s", c)
			}
		}
		if len(idt.Subject) > 255 || strings.ContainsFunc(idt.Subject, func(r rune) bool { return r > 0x7e || r < 0x21 }) {
			t.Errorf("sub %q is not ≤255 printable ASCII", idt.Subject)
		}
		// The access token works at UserInfo with the same sub.
		ui, err := prov.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			t.Fatalf("userinfo: %v", err)
		}
		if ui.Subject != idt.Subject || ui.Email != oauthtest.Alice {
			t.Fatalf("userinfo sub %q email %q", ui.Subject, ui.Email)
		}
		// Entropy: ≥128 bits (base64url: ≥22 characters) for code,
		// refresh token and the access token's jti.
		_, at := jwtParts(t, tok.AccessToken)
		for name, v := range map[string]string{"code": code, "refresh_token": tok.RefreshToken, "jti": at["jti"].(string)} {
			if len(v) < 22 {
				t.Errorf("%s %q is shorter than 128 bits of base64url", name, v)
			}
		}
	})

	t.Run("client_secret_post, reversed scopes", func(t *testing.T) {
		verifier, challenge := pkcePair(t)
		q := url.Values{
			"state": {"st-2"}, "scope": {"offline_access email profile openid"}, "code_challenge_method": {"S256"},
			"redirect_uri": {web.RedirectURIs[0]}, "nonce": {"n-2"}, "client_id": {web.ID}, "response_type": {"code"},
			"code_challenge": {challenge},
		}
		code := authorizeCode(t, h, browser, h.AuthorizeURL(tid, q), "st-2")
		r := tokenReq(t, h, tid, url.Values{"redirect_uri": {web.RedirectURIs[0]}, "code_verifier": {verifier}, "code": {code},
			"grant_type": {"authorization_code"}}, postAuth(web.ID, h.Secret(tid, web.ID)))
		wantOK(t, r)
		if cc := r.header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control = %q", cc)
		}
		if r.header.Get("Pragma") != "no-cache" {
			t.Errorf("Pragma = %q", r.header.Get("Pragma"))
		}
		if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("Content-Type = %q", ct)
		}
		if r.str("token_type") != "Bearer" || r.json["expires_in"].(float64) != 900 || r.str("refresh_token") == "" || r.str("id_token") == "" {
			t.Fatalf("token response %s", r.raw)
		}
		for _, s := range []string{"openid", "profile", "email", "offline_access"} {
			if !strings.Contains(" "+r.str("scope")+" ", " "+s+" ") {
				t.Errorf("scope %q lacks %s", r.str("scope"), s)
			}
		}
		hdr, at := jwtParts(t, r.str("access_token"))
		if hdr["typ"] != "at+jwt" {
			t.Errorf("access token typ = %v", hdr["typ"])
		}
		for _, c := range []string{"iss", "sub", "aud", "exp", "iat", "nbf", "jti", "tid", "client_id", "scope", "auth_time"} {
			if _, ok := at[c]; !ok {
				t.Errorf("access token lacks %s", c)
			}
		}
		if at["iss"] != h.Issuer(tid) || at["tid"] != tid || at["client_id"] != web.ID || at["sub"] != alice.ID || at["aud"] != web.ID {
			t.Errorf("access token claims %v", at)
		}
		idh, idc := jwtParts(t, r.str("id_token"))
		if idh["typ"] != "JWT" || idc["nonce"] != "n-2" || idc["sub"] != alice.ID {
			t.Errorf("ID token header %v claims %v", idh, idc)
		}
	})
}

// TestSec06UserInfo checks GET and POST with a Bearer header, scope
// filtering, and the 401 answers of SECURITY-TESTS 6.
func TestSec06UserInfo(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	alice := h.User(t, tid, oauthtest.Alice)
	get := func(scope []string) string {
		code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{scope: scope})
		return wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, "")).str("access_token")
	}
	full := get([]string{"openid", "profile", "email"})
	emailOnly := get([]string{"openid", "email"})
	noOpenID := get([]string{"profile"})

	r := userInfo(t, h, tid, full)
	if r.status != http.StatusOK || r.str("sub") != alice.ID || r.str("email") != oauthtest.Alice || r.str("name") != "Alice" || r.json["email_verified"] != true {
		t.Fatalf("GET userinfo: %d %s", r.status, r.raw)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("userinfo Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	r = userInfo(t, h, tid, emailOnly)
	if r.status != http.StatusOK || r.str("email") != oauthtest.Alice || r.json["name"] != nil {
		t.Fatalf("email-only userinfo: %d %s", r.status, r.raw)
	}
	req, _ := http.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/userinfo", nil)
	req.Header.Set("Authorization", "Bearer "+full)
	if r := send(t, req); r.status != http.StatusOK || r.str("sub") != alice.ID {
		t.Fatalf("POST userinfo: %d %s", r.status, r.raw)
	}
	// RFC 6750 §2.2 form body.
	if r := post(t, h, tid, "/oauth2/userinfo", url.Values{"access_token": {full}}, nil); r.status != http.StatusOK {
		t.Fatalf("POST userinfo with form body: %d %s", r.status, r.raw)
	}
	if r := userInfo(t, h, tid, noOpenID); r.status != http.StatusForbidden || r.str("error") != "insufficient_scope" {
		t.Fatalf("token without openid: %d %s", r.status, r.raw)
	}

	cc := wantOK(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, clientAuth(h, tid, oauthtest.BackendClient))).str("access_token")
	revoked := get([]string{"openid"})
	wantOK(t, post(t, h, tid, "/oauth2/revoke", url.Values{"token": {revoked}}, clientAuth(h, tid, oauthtest.WebClient)))
	expiring := get([]string{"openid"})

	bad := map[string]string{
		"missing":            "",
		"garbage":            "not-a-token",
		"tampered":           full[:len(full)-4] + "AAAA",
		"revoked":            revoked,
		"client credentials": cc,
	}
	for name, tok := range bad {
		r := userInfo(t, h, tid, tok)
		if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` || r.str("error") != "invalid_token" {
			t.Errorf("%s token: %d %q %s", name, r.status, r.header.Get("WWW-Authenticate"), r.raw)
		}
	}
	if r := userInfo(t, h, oauthtest.TenantB, full); r.status != http.StatusUnauthorized {
		t.Errorf("tenant-a token at tenant-b: %d %s", r.status, r.raw)
	}
	// A token in the query string is refused (RFC 6750 §2.3, RFC 9700 §4.3).
	req, _ = http.NewRequest(http.MethodGet, h.Issuer(tid)+"/oauth2/userinfo?access_token="+url.QueryEscape(full), nil)
	if r := send(t, req); r.status != http.StatusBadRequest || r.str("error") != "invalid_request" {
		t.Errorf("query-string token: %d %s", r.status, r.raw)
	}
	// Expiry has no skew and no off-by-one (SECURITY-TESTS 58).
	h.Clock.Advance(899 * time.Second)
	if r := userInfo(t, h, tid, expiring); r.status != http.StatusOK {
		t.Fatalf("one second before exp: %d %s", r.status, r.raw)
	}
	h.Clock.Advance(time.Second)
	if r := userInfo(t, h, tid, expiring); r.status != http.StatusUnauthorized {
		t.Fatalf("at exp: %d %s", r.status, r.raw)
	}
}
