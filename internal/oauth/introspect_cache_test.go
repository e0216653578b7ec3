package oauth_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// cachedAccessToken returns a client_credentials access token of the
// backend client of tid that introspection has already answered active,
// so that keys' verified-token cache holds it.
func cachedAccessToken(t *testing.T, h *oauthtest.Harness, tid string) string {
	t.Helper()
	r := wantOK(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, clientAuth(h, tid, oauthtest.BackendClient)))
	tok := r.str("access_token")
	for range 2 {
		if !active(t, h, tid, tok) {
			t.Fatal("the fresh token is not active")
		}
	}
	return tok
}

// resign signs the claims of token again with tid's active key and typ.
func resign(t *testing.T, h *oauthtest.Harness, tid, typ, token string, edit func(map[string]any)) string {
	t.Helper()
	_, claims := jwtParts(t, token)
	if edit != nil {
		edit(claims)
	}
	out, err := h.Keys.Sign(context.Background(), tid, typ, claims)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// withHeader replaces the protected header of token, keeping its payload
// and signature.
func withHeader(token, header string) string {
	parts := strings.Split(token, ".")
	return base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + parts[1] + "." + parts[2]
}

// TestIntrospectCachedTokenLookAlikes: with a genuine token in the
// verified-token cache, every token that is not exactly it and not valid
// on its own is inactive, and the cached token itself becomes inactive
// when it is revoked, expires, or its key is removed.
func TestIntrospectCachedTokenLookAlikes(t *testing.T) {
	for _, tid := range []string{oauthtest.TenantA, oauthtest.TenantB} {
		t.Run(tid, func(t *testing.T) {
			h := cachedHarness(t)
			good := cachedAccessToken(t, h, tid)
			header, _ := jwtParts(t, good)
			kid, _ := header["kid"].(string)
			parts := strings.Split(good, ".")
			sig := []byte(parts[2])
			if sig[5] == 'A' {
				sig[5] = 'B'
			} else {
				sig[5] = 'A'
			}
			mac := hmac.New(sha256.New, []byte(kid))
			hsInput := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","kid":"`+kid+`","typ":"at+jwt"}`)) + "." + parts[1]
			mac.Write([]byte(hsInput))
			cases := map[string]string{
				"tampered signature":   parts[0] + "." + parts[1] + "." + string(sig),
				"tampered payload":     parts[0] + "." + strings.Split(resign(t, h, tid, keys.TypAccessToken, good, func(c map[string]any) { c["scope"] = "api:admin" }), ".")[1] + "." + parts[2],
				"typ JWT, same claims": resign(t, h, tid, keys.TypJWT, good, nil),
				"alg none":             withHeader(good, `{"alg":"none","kid":"`+kid+`","typ":"at+jwt"}`),
				"alg none, unsigned":   strings.Join(parts[:2], ".") + ".",
				"HS256":                hsInput + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil)),
			}
			for name, tok := range cases {
				if active(t, h, tid, tok) {
					t.Errorf("%s: active", name)
				}
			}
			if !active(t, h, tid, good) {
				t.Fatal("the cached token itself is no longer active")
			}
		})
	}

	t.Run("revoked", func(t *testing.T) {
		h := cachedHarness(t)
		tid := oauthtest.TenantB
		good := cachedAccessToken(t, h, tid)
		if r := post(t, h, tid, "/oauth2/revoke", url.Values{"token": {good}}, clientAuth(h, tid, oauthtest.BackendClient)); r.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.status, r.raw)
		}
		if active(t, h, tid, good) {
			t.Fatal("revoked token still active")
		}
	})

	t.Run("expired", func(t *testing.T) {
		h := cachedHarness(t)
		tid := oauthtest.TenantA
		good := cachedAccessToken(t, h, tid)
		_, claims := jwtParts(t, good)
		exp := time.Unix(int64(claims["exp"].(float64)), 0)
		h.Clock.Set(exp.Add(-time.Second))
		if !active(t, h, tid, good) {
			t.Fatal("inactive a second before exp")
		}
		h.Clock.Set(exp)
		if active(t, h, tid, good) {
			t.Fatal("active at exp (RFC 7519 §4.1.4: on or after exp it must not be accepted)")
		}
	})

	t.Run("key removed", func(t *testing.T) {
		h := cachedHarness(t)
		tid := oauthtest.TenantB
		ctx := context.Background()
		cc := cachedAccessToken(t, h, tid)
		// A token that outlives the key's retention, so that only the
		// key's removal can make it inactive.
		long := resign(t, h, tid, keys.TypAccessToken, cc, func(c map[string]any) {
			c["exp"] = h.Clock.Now().Add(72 * time.Hour).Unix()
			c["jti"] = "long-lived"
		})
		if !active(t, h, tid, long) || !active(t, h, tid, long) {
			t.Fatal("the long-lived token is not active")
		}
		if _, err := h.Keys.Rotate(ctx, tid, idp.AlgES256, true); err != nil {
			t.Fatal(err)
		}
		if !active(t, h, tid, long) {
			t.Fatal("inactive while its retired key is still published")
		}
		h.Clock.Advance(keys.DefaultRetention + keys.DefaultCacheTTL)
		if err := h.Keys.Maintain(ctx, tid); err != nil {
			t.Fatal(err)
		}
		if active(t, h, tid, long) {
			t.Fatal("active after its key was removed")
		}
	})
}

// TestIntrospectActiveAnswer: the active answer carries the token's
// claims (RFC 7662 §2.2) the same on the first call and on a cached one.
func TestIntrospectActiveAnswer(t *testing.T) {
	h := cachedHarness(t)
	tid := oauthtest.TenantA
	tok := wantOK(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, clientAuth(h, tid, oauthtest.BackendClient))).str("access_token")
	_, claims := jwtParts(t, tok)
	first := introspect(t, h, tid, tok)
	second := introspect(t, h, tid, tok)
	if first.raw != second.raw {
		t.Fatalf("answers differ:\n%s\n%s", first.raw, second.raw)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(first.raw), &got); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"iss", "sub", "exp", "iat", "nbf", "jti", "tid", "client_id", "scope"} {
		if _, want := claims[name]; want && got[name] != claims[name] {
			t.Errorf("%s = %v, want %v", name, got[name], claims[name])
		}
	}
	if got["active"] != true || got["token_type"] != "Bearer" {
		t.Errorf("answer %s", first.raw)
	}
}

// outcomes records introspection and revocation outcomes.
type outcomes struct {
	mu  sync.Mutex
	got []string
}

func (o *outcomes) add(s string)               { o.mu.Lock(); o.got = append(o.got, s); o.mu.Unlock() }
func (o *outcomes) TokenIssued(string, string) {}
func (o *outcomes) TokenError(string, string)  {}
func (o *outcomes) ReplayDetected(string)      {}
func (o *outcomes) Introspected(tokenType string, active bool) {
	o.add("introspect " + tokenType + " " + strconv.FormatBool(active))
}
func (o *outcomes) Revoked(tokenType string, revoked bool) {
	o.add("revoke " + tokenType + " " + strconv.FormatBool(revoked))
}

// TestIntrospectRevokeCounted: every answered introspection and revocation
// is counted with its token type and outcome.
func TestIntrospectRevokeCounted(t *testing.T) {
	rec := &outcomes{}
	h := oauthtest.NewWith(t, func(o *oauth.Options) { o.CacheTTL = oauth.DefaultCacheTTL; o.Metrics = rec })
	tid := oauthtest.TenantA
	tok := wantOK(t, tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, clientAuth(h, tid, oauthtest.BackendClient))).str("access_token")
	backend := clientAuth(h, tid, oauthtest.BackendClient)
	active(t, h, tid, tok)
	active(t, h, tid, "no-such-refresh-token")
	for range 2 { // the second changes nothing
		if r := post(t, h, tid, "/oauth2/revoke", url.Values{"token": {tok}}, backend); r.status != http.StatusOK {
			t.Fatalf("revoke: %d %s", r.status, r.raw)
		}
	}
	active(t, h, tid, tok)
	want := []string{
		"introspect access_token true", "introspect refresh_token false",
		"revoke access_token true", "revoke access_token false", "introspect access_token false",
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !slices.Equal(rec.got, want) {
		t.Fatalf("counted %q, want %q", rec.got, want)
	}
}
