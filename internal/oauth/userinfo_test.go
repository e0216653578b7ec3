package oauth_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// forge builds a compact JWS from header and claims with the signature
// sign returns for the signing input (RFC 7515 §5.1).
func forge(t *testing.T, header, claims map[string]any, sign func(input []byte) []byte) string {
	t.Helper()
	enc := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(claims)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

// rs256 signs with an RSA key (RFC 7518 §3.3).
func rs256(t *testing.T, key crypto.Signer) func([]byte) []byte {
	return func(input []byte) []byte {
		sum := sha256.Sum256(input)
		sig, err := key.Sign(rand.Reader, sum[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		return sig
	}
}

// TestSec27JOSEHardeningAtUserInfo presents forged and foreign tokens at
// UserInfo (and introspection); each is refused (RFC 8725; SECURITY-TESTS 27).
func TestSec27JOSEHardeningAtUserInfo(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{})
	tokens := wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, ""))
	genuine := tokens.str("access_token")
	if r := userInfo(t, h, tid, genuine); r.status != http.StatusOK {
		t.Fatalf("genuine token refused: %d %s", r.status, r.raw)
	}
	hdr, claims := jwtParts(t, genuine)
	priv, kid, alg := activeKey(t, h, tid)
	if alg != "RS256" || hdr["kid"] != kid {
		t.Fatalf("tenant-a key %s %s, token kid %v", kid, alg, hdr["kid"])
	}
	with := func(base map[string]any, kv ...any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			out[kv[i].(string)] = kv[i+1]
		}
		return out
	}
	// Sanity: our forging reproduces a token UserInfo accepts.
	if r := userInfo(t, h, tid, forge(t, hdr, claims, rs256(t, priv))); r.status != http.StatusOK {
		t.Fatalf("re-signed genuine token refused: %d %s", r.status, r.raw)
	}

	pubDER, err := x509.MarshalPKIXPublicKey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	attacker, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	ecAttacker, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b64 := func(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
	attackerJWK := map[string]any{"kty": "RSA", "n": b64(attacker.N.Bytes()), "e": b64(big.NewInt(int64(attacker.E)).Bytes()), "kid": kid}

	// A token signed by tenant-b's genuine key, claiming tenant-a.
	foreignKid, err := h.Keys.Sign(context.Background(), oauthtest.TenantB, "at+jwt", claims)
	if err != nil {
		t.Fatal(err)
	}

	cases := map[string]string{
		"alg none":               forge(t, with(hdr, "alg", "none"), claims, func([]byte) []byte { return nil }),
		"alg none, no signature": strings.TrimSuffix(forge(t, with(hdr, "alg", "none"), claims, func([]byte) []byte { return nil }), "."),
		"HS256 keyed with the public key PEM": forge(t, with(hdr, "alg", "HS256"), claims, func(in []byte) []byte {
			m := hmac.New(sha256.New, pubPEM)
			m.Write(in)
			return m.Sum(nil)
		}),
		"HS256 keyed with the public key DER": forge(t, with(hdr, "alg", "HS256"), claims, func(in []byte) []byte {
			m := hmac.New(sha256.New, pubDER)
			m.Write(in)
			return m.Sum(nil)
		}),
		"ES256 under the RSA kid": forge(t, with(hdr, "alg", "ES256"), claims, func(in []byte) []byte {
			sum := sha256.Sum256(in)
			r, s, err := ecdsa.Sign(rand.Reader, ecAttacker, sum[:])
			if err != nil {
				t.Fatal(err)
			}
			return append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
		}),
		"kid of the other tenant":   foreignKid,
		"unknown crit":              forge(t, with(hdr, "crit", []string{"urn:example:unknown"}, "urn:example:unknown", true), claims, rs256(t, priv)),
		"embedded jwk":              forge(t, with(hdr, "jwk", attackerJWK), claims, rs256(t, attacker)),
		"jku":                       forge(t, with(hdr, "jku", "https://evil.example/jwks.json"), claims, rs256(t, priv)),
		"x5u":                       forge(t, with(hdr, "x5u", "https://evil.example/cert.pem"), claims, rs256(t, priv)),
		"attacker key, genuine kid": forge(t, hdr, claims, rs256(t, attacker)),
		"no kid":                    forge(t, map[string]any{"alg": "RS256", "typ": "at+jwt"}, claims, rs256(t, priv)),
		"typ JWT (an ID token)":     forge(t, with(hdr, "typ", "JWT"), claims, rs256(t, priv)),
		"no typ":                    forge(t, map[string]any{"alg": "RS256", "kid": kid}, claims, rs256(t, priv)),
		"the ID token itself":       tokens.str("id_token"),
		"issuer of tenant-b":        forge(t, hdr, with(claims, "iss", h.Issuer(oauthtest.TenantB)), rs256(t, priv)),
		"tid of tenant-b":           forge(t, hdr, with(claims, "tid", oauthtest.TenantB), rs256(t, priv)),
		"expired":                   forge(t, hdr, with(claims, "exp", h.Clock.Now().Unix()), rs256(t, priv)),
		"not yet valid":             forge(t, hdr, with(claims, "nbf", h.Clock.Now().Unix()+1), rs256(t, priv)),
		"exp as a string":           forge(t, hdr, with(claims, "exp", "9999999999"), rs256(t, priv)),
		"no exp":                    forge(t, hdr, with(claims, "exp", nil), rs256(t, priv)),
		"unknown user":              forge(t, hdr, with(claims, "sub", "usr_nobody"), rs256(t, priv)),
		"payload not an object":     strings.Join([]string{strings.Split(genuine, ".")[0], b64([]byte(`[1]`)), "x"}, "."),
		"two dots, empty":           "..",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			r := userInfo(t, h, tid, tok)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
				t.Fatalf("userinfo: %d %q %s", r.status, r.header.Get("WWW-Authenticate"), r.raw)
			}
			if active(t, h, tid, tok) {
				t.Fatal("introspection says active")
			}
		})
	}
	t.Run("token of tenant-a at tenant-b", func(t *testing.T) {
		if r := userInfo(t, h, oauthtest.TenantB, genuine); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo: %d %s", r.status, r.raw)
		}
	})
	t.Run("expired by the clock", func(t *testing.T) {
		h.Clock.Advance(15 * time.Minute)
		if r := userInfo(t, h, tid, genuine); r.status != http.StatusUnauthorized {
			t.Fatalf("userinfo: %d %s", r.status, r.raw)
		}
	})
}

// TestIntrospection checks the RFC 7662 answers for each kind of token.
func TestIntrospection(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	alice := h.User(t, tid, oauthtest.Alice)
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{audience: []string{oauthtest.API}})
	tok := wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, ""))

	r := introspect(t, h, tid, tok.str("access_token"))
	want := map[string]any{
		"active": true, "client_id": oauthtest.WebClient, "sub": alice.ID, "aud": oauthtest.API,
		"iss": h.Issuer(tid), "token_type": "Bearer", "tid": tid, "scope": "openid profile email offline_access",
	}
	for k, v := range want {
		if r.json[k] != v {
			t.Errorf("access token %s = %v, want %v", k, r.json[k], v)
		}
	}
	for _, k := range []string{"exp", "iat"} {
		if _, ok := r.json[k].(float64); !ok {
			t.Errorf("access token lacks %s", k)
		}
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	r = introspect(t, h, tid, tok.str("refresh_token"))
	if r.json["active"] != true || r.json["client_id"] != oauthtest.WebClient || r.json["sub"] != alice.ID || r.json["aud"] != oauthtest.API {
		t.Errorf("refresh token: %s", r.raw)
	}
	for _, tok := range []string{"", "garbage", "a.b.c"} {
		if tok == "" {
			r := post(t, h, tid, "/oauth2/introspect", url.Values{}, clientAuth(h, tid, oauthtest.WebClient))
			wantError(t, r, http.StatusBadRequest, "invalid_request")
			continue
		}
		if r := introspect(t, h, tid, tok); r.raw != "{\"active\":false}\n" {
			t.Errorf("%q: %s", tok, r.raw)
		}
	}
	// Public clients and bad credentials may not introspect.
	r = post(t, h, tid, "/oauth2/introspect", url.Values{"token": {tok.str("access_token")}}, publicAuth(oauthtest.SPAClient))
	wantError(t, r, http.StatusUnauthorized, "invalid_client")
	r = post(t, h, tid, "/oauth2/introspect", url.Values{"token": {tok.str("access_token")}}, nil)
	wantError(t, r, http.StatusUnauthorized, "invalid_client")
}

// FuzzUserInfoToken sends arbitrary bearer tokens (seeded with a genuine
// token and mutations of it) to UserInfo in process: the answer is 401 or
// 400, never a 5xx, and 200 only for the genuine token itself.
func FuzzUserInfoToken(f *testing.F) {
	h := oauthtest.New(f)
	tid := oauthtest.TenantA
	code := mintCode(f, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{})
	genuine := wantOK(f, redeem(f, h, tid, oauthtest.WebClient, code, "")).str("access_token")
	parts := strings.Split(genuine, ".")
	f.Add(genuine)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add(parts[0] + ".e30." + parts[2])
	f.Add("eyJhbGciOiJub25lIn0." + parts[1] + ".")
	f.Add("..")
	f.Add("x")
	handler := h.Server.Config.Handler
	target := h.Issuer(tid) + "/oauth2/userinfo"
	f.Fuzz(func(t *testing.T, token string) {
		req := httptest.NewRequest(http.MethodGet, target, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, req)
		switch {
		case w.Code == http.StatusOK && token != genuine:
			t.Fatalf("token %q accepted", token)
		case w.Code >= 500:
			t.Fatalf("token %q: %d %s", token, w.Code, w.Body)
		case w.Code != http.StatusOK && w.Code != http.StatusUnauthorized && w.Code != http.StatusBadRequest:
			t.Fatalf("token %q: unexpected %d", token, w.Code)
		}
	})
}
