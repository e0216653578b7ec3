package keys

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

// verifiedEnv is an env with a recorder on the verified-token cache and a
// long-lived access token of t1 that is already in the cache.
type verifiedEnv struct {
	*env
	stats *lookups
	kid   string
	good  string
}

func newVerifiedEnv(t *testing.T, alg string) *verifiedEnv {
	t.Helper()
	e := &verifiedEnv{env: newEnv(t), stats: &lookups{}}
	e.m.verified.stats = e.stats
	e.kid = e.ensure(t, "t1", alg)
	e.good = e.sign(t, "t1", testClaims{Sub: "u1", Scope: "read", Exp: t0.Add(48 * time.Hour).Unix()})
	if _, err := e.m.Verify(context.Background(), "t1", e.good); err != nil {
		t.Fatal(err)
	}
	if e.m.verified.len() != 1 {
		t.Fatalf("the verified token was not cached (%d entries)", e.m.verified.len())
	}
	return e
}

// TestVerifiedCacheServesRepeats: the same token again is a hit that reads
// neither the store nor the signature, and gives the same answer.
func TestVerifiedCacheServesRepeats(t *testing.T) {
	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			e := newVerifiedEnv(t, alg)
			first, err := e.m.Verify(context.Background(), "t1", e.good)
			if err != nil {
				t.Fatal(err)
			}
			reads := e.st.listCalls()
			for range 5 {
				v, err := e.m.Verify(context.Background(), "t1", e.good)
				if err != nil || v != first {
					t.Fatalf("repeat: %v, %p want %p", err, v, first)
				}
			}
			if h := e.stats.hits.Load(); h != 6 {
				t.Errorf("hits = %d, want 6", h)
			}
			if n := e.st.listCalls() - reads; n != 0 {
				t.Errorf("repeats read the store %d times", n)
			}
			if first.KeyID != e.kid || first.Type != TypAccessToken {
				t.Errorf("verified = %+v", first)
			}
		})
	}
}

// hs256 signs header.payload with HMAC-SHA256 under key.
func hs256(header, payload string, key []byte) string {
	input := b64url(header) + "." + payload
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(input))
	return input + "." + base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

// TestVerifiedCacheRefusesLookAlikes: with a genuine token in the cache,
// tokens that share its header, payload or signature but are not its
// exact bytes are verified in full and refused.
func TestVerifiedCacheRefusesLookAlikes(t *testing.T) {
	e := newVerifiedEnv(t, AlgRS256)
	ctx := context.Background()
	parts := strings.Split(e.good, ".")
	sig := []byte(parts[2])
	if sig[10] == 'A' {
		sig[10] = 'B'
	} else {
		sig[10] = 'A'
	}
	jwk := e.jwks(t, "t1").Keys[0]
	pubJSON, err := jwk.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	other := e.sign(t, "t1", testClaims{Sub: "u2", Exp: t0.Add(48 * time.Hour).Unix()})
	header := func(alg string) string {
		return `{"alg":"` + alg + `","kid":"` + e.kid + `","typ":"at+jwt"}`
	}
	tests := []struct{ name, token, reason string }{
		{"tampered signature", parts[0] + "." + parts[1] + "." + string(sig), "signature"},
		{"other payload, cached signature", parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2], "signature"},
		{"alg none, cached payload and signature", b64url(`{"alg":"none","kid":"`+e.kid+`","typ":"at+jwt"}`) + "." + parts[1] + "." + parts[2], "unexpected signature algorithm"},
		{"alg none, no signature", b64url(header("none")) + "." + parts[1] + ".", "empty JWS segment"},
		{"HS256 keyed with the public JWK", hs256(header("HS256"), parts[1], pubJSON), "unexpected signature algorithm"},
		{"trailing dot", e.good + ".", "not a compact JWS"},
		{"cached token at another tenant", e.good, "unknown kid"},
	}
	e.ensure(t, "t2", AlgRS256)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tenant := "t1"
			if strings.HasPrefix(tc.name, "cached token at another") {
				tenant = "t2"
			}
			v, err := e.m.Verify(ctx, tenant, tc.token)
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken with %q", v, err, tc.reason)
			}
		})
	}
	if _, err := e.m.Verify(ctx, "t1", e.good); err != nil {
		t.Fatalf("the cached token itself: %v", err)
	}
}

// TestVerifiedCacheRemovedKey: a cached token whose key is no longer
// published is refused, whether this manager changed the keys or another
// replica did (then once the key set is re-read, at the latest after the
// cache TTL). A retired key that is still published keeps verifying: the
// JWKS holds every key a live token was signed with (DESIGN, rotation).
func TestVerifiedCacheRemovedKey(t *testing.T) {
	t.Run("this manager", func(t *testing.T) {
		e := newVerifiedEnv(t, AlgES256)
		ctx := context.Background()
		if _, err := e.m.Rotate(ctx, "t1", AlgES256, true); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Verify(ctx, "t1", e.good); err != nil {
			t.Fatalf("retired, still published: %v", err)
		}
		e.clock.Advance(e.m.retainFor())
		if err := e.m.Maintain(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.Verify(ctx, "t1", e.good); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("key removed: err = %v, want ErrInvalidToken", err)
		}
		if n := e.m.verified.len(); n != 0 {
			t.Errorf("%d entries left after the key was removed", n)
		}
	})
	t.Run("another replica", func(t *testing.T) {
		e := newVerifiedEnv(t, AlgEdDSA)
		ctx := context.Background()
		other := New(Options{Store: e.st, Sealer: e.sealer, Clock: e.clock, JWKSMaxAge: testMaxAge, Retention: testRetention, CacheTTL: testCacheTTL})
		if _, err := other.Rotate(ctx, "t1", AlgEdDSA, true); err != nil {
			t.Fatal(err)
		}
		e.clock.Advance(other.retainFor())
		if err := other.Maintain(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
		// No invalidation reached e.m; its key set is older than the TTL.
		if _, err := e.m.Verify(ctx, "t1", e.good); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("key removed elsewhere: err = %v, want ErrInvalidToken", err)
		}
	})
}

// TestVerifiedCacheWhatIsKept: only access tokens with a future exp are
// kept, and an entry is not used on or after the token's exp.
func TestVerifiedCacheWhatIsKept(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgEdDSA)
	idToken, err := e.m.Sign(ctx, "t1", TypJWT, testClaims{Sub: "u1", Exp: t0.Add(time.Hour).Unix()})
	if err != nil {
		t.Fatal(err)
	}
	for name, tok := range map[string]string{
		"typ JWT":  idToken,
		"no exp":   e.sign(t, "t1", testClaims{Sub: "u1"}),
		"exp past": e.sign(t, "t1", testClaims{Sub: "u1", Exp: t0.Unix()}),
	} {
		if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n := e.m.verified.len(); n != 0 {
			t.Fatalf("%s: cached (%d entries)", name, n)
		}
	}
	stats := &lookups{}
	e.m.verified.stats = stats
	tok := e.sign(t, "t1", testClaims{Sub: "u1", Exp: t0.Add(time.Minute).Unix()})
	for range 2 {
		if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
			t.Fatal(err)
		}
	}
	e.clock.Advance(time.Minute)
	if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
		t.Fatal(err) // exp is the caller's check; the cache only stops serving it
	}
	if h, m := stats.hits.Load(), stats.misses.Load(); h != 1 || m != 2 {
		t.Fatalf("hits %d misses %d, want 1 and 2 (the entry is not used at exp)", h, m)
	}
}

// TestVerifiedCacheBound: the cache never holds more than its bound;
// expired entries go first.
func TestVerifiedCacheBound(t *testing.T) {
	e := newEnv(t)
	e.m.verified = newVerifiedCache(16, &lookups{})
	ctx := context.Background()
	e.ensure(t, "t1", AlgEdDSA)
	short := e.sign(t, "t1", testClaims{Sub: "short", Exp: t0.Add(time.Second).Unix()})
	if _, err := e.m.Verify(ctx, "t1", short); err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(time.Second)
	for i := range 40 {
		tok := e.sign(t, "t1", testClaims{Sub: "u" + string(rune('a'+i)), Exp: t0.Add(time.Hour).Unix()})
		if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
			t.Fatal(err)
		}
		if n := e.m.verified.len(); n > 16 {
			t.Fatalf("after %d tokens: %d entries, bound 16", i+1, n)
		}
	}
	if _, ok := e.m.verified.entries[sha256.Sum256([]byte(short))]; ok {
		t.Error("the expired entry survived eviction")
	}
}

// TestVerifiedCacheDisabled: a negative bound keeps nothing.
func TestVerifiedCacheDisabled(t *testing.T) {
	e := newEnv(t)
	e.m = New(Options{Store: e.st, Sealer: e.sealer, Clock: e.clock, VerifiedTokens: -1})
	e.ensure(t, "t1", AlgEdDSA)
	tok := e.sign(t, "t1", testClaims{Sub: "u1", Exp: t0.Add(time.Hour).Unix()})
	if _, err := e.m.Verify(context.Background(), "t1", tok); err != nil {
		t.Fatal(err)
	}
	if n := e.m.verified.len(); n != 0 {
		t.Fatalf("%d entries with the cache off", n)
	}
}

// TestClaimsDecodedOnce: Claims keeps the first decoding with a shared
// Verified and hands out copies.
func TestClaimsDecodedOnce(t *testing.T) {
	v := &Verified{Payload: []byte(`{"sub":"u1","scope":"a b"}`)}
	c1, err := Claims[testClaims](v)
	if err != nil || c1.Sub != "u1" {
		t.Fatalf("Claims = %+v, %v", c1, err)
	}
	c1.Sub = "changed"
	v.Payload = []byte(`{"sub":"other"}`) // not read again
	c2, err := Claims[testClaims](v)
	if err != nil || c2.Sub != "u1" || c2.Scope != "a b" {
		t.Fatalf("second Claims = %+v, %v; want the first decoding, unmodified", c2, err)
	}
	if _, err := Claims[struct{ Sub int }](v); err == nil {
		t.Fatal("another type decodes the payload itself (and fails here)")
	}
}
