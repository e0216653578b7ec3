package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// forge signs payload with key under alg, with exactly the given extra
// protected headers, using go-jose.
func forge(t *testing.T, alg jose.SignatureAlgorithm, key any, headers map[string]any, payload string) string {
	t.Helper()
	opts := &jose.SignerOptions{}
	for k, v := range headers {
		opts = opts.WithHeader(jose.HeaderKey(k), v)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatalf("NewSigner(%s): %v", alg, err)
	}
	jws, err := signer.Sign([]byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawRS256 builds a compact JWS from a literal header, signed RS256 with
// key. Tests use it for headers go-jose would not produce (duplicates).
func rawRS256(t *testing.T, header, payload string, key crypto.Signer) string {
	t.Helper()
	input := base64.RawURLEncoding.EncodeToString([]byte(header)) + "." + base64.RawURLEncoding.EncodeToString([]byte(payload))
	sum := sha256.Sum256([]byte(input))
	sig, err := key.(*rsa.PrivateKey).Sign(rand.Reader, sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func selfSignedCert(t *testing.T, key *ecdsa.PrivateKey) string {
	t.Helper()
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "attacker"},
		NotBefore: t0.Add(-time.Hour), NotAfter: t0.Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(der)
}

func b64url(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func TestVerifyRejects(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	kid := e.ensure(t, "t1", AlgRS256)
	rsaKey := e.private(t, "t1", kid)
	e.ensure(t, "t2", AlgRS256)
	foreign := e.sign(t, "t2", testClaims{Sub: "u1"})

	// Tenant "mixed" publishes an ES256 key (active) and an RS256 key (retired).
	rsaMixed := e.ensure(t, "mixed", AlgRS256)
	if _, err := e.m.Rotate(ctx, "mixed", AlgES256, true); err != nil {
		t.Fatal(err)
	}
	esMixed := e.activeKID(t, "mixed")
	rsaMixedKey := e.private(t, "mixed", rsaMixed)

	attacker, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})

	good := e.sign(t, "t1", testClaims{Sub: "u1", Scope: "read"})
	parts := strings.Split(good, ".")
	const claims = `{"sub":"u1"}`
	k := map[string]any{"kid": kid}
	with := func(extra map[string]any) map[string]any {
		h := map[string]any{"kid": kid}
		for n, v := range extra {
			h[n] = v
		}
		return h
	}
	sig := []byte(parts[2])
	if sig[len(sig)/2] == 'A' { // still base64url, different signature
		sig[len(sig)/2] = 'B'
	} else {
		sig[len(sig)/2] = 'A'
	}
	jsonSerialized := func() string {
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: rsaKey}, (&jose.SignerOptions{}).WithHeader("kid", kid))
		if err != nil {
			t.Fatal(err)
		}
		jws, err := signer.Sign([]byte(claims))
		if err != nil {
			t.Fatal(err)
		}
		return jws.FullSerialize()
	}()

	tests := []struct {
		name, tenant, token, reason string
	}{
		{"empty", "t1", "", "not a compact JWS"},
		{"garbage", "t1", "not a token", "not a compact JWS"},
		{"too long", "t1", strings.Repeat("a", maxTokenLen+1), "longer than"},
		{"JSON serialization", "t1", jsonSerialized, "not a compact JWS"},
		{"alg none, empty signature", "t1", b64url(`{"alg":"none","kid":"`+kid+`"}`) + "." + b64url(claims) + ".", "empty JWS segment"},
		{"alg none, some signature", "t1", b64url(`{"alg":"none","kid":"`+kid+`"}`) + "." + b64url(claims) + ".AAAA", "unexpected signature algorithm"},
		{"HS256 keyed with the RSA public key", "t1", forge(t, jose.HS256, pubPEM, k, claims), "unexpected signature algorithm"},
		{"PS256 with the tenant's RSA key", "t1", forge(t, jose.PS256, rsaKey, k, claims), "unexpected signature algorithm"},
		{"alg confusion: RS256 under an ES256 kid", "mixed", forge(t, jose.RS256, rsaMixedKey, map[string]any{"kid": esMixed}, claims), "does not match key alg"},
		{"unknown kid", "t1", forge(t, jose.RS256, rsaKey, map[string]any{"kid": "nope"}, claims), "unknown kid"},
		{"no kid", "t1", forge(t, jose.RS256, rsaKey, nil, claims), "no kid"},
		{"kid of another tenant", "t1", foreign, "unknown kid"},
		{"crit header", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"crit": []string{"exp"}, "exp": 1}), claims), `"crit" not accepted`},
		{"embedded jwk (genuine key)", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"jwk": jose.JSONWebKey{Key: rsaKey.Public()}}), claims), `"jwk" not accepted`},
		{"embedded jwk (attacker key)", "t1", forge(t, jose.ES256, attacker, with(map[string]any{"jwk": jose.JSONWebKey{Key: attacker.Public()}}), claims), `"jwk" not accepted`},
		{"jku", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"jku": "https://evil.example/jwks"}), claims), `"jku" not accepted`},
		{"x5u", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"x5u": "https://evil.example/cert"}), claims), `"x5u" not accepted`},
		{"x5c", "t1", forge(t, jose.ES256, attacker, with(map[string]any{"x5c": []string{selfSignedCert(t, attacker)}}), claims), `"x5c" not accepted`},
		{"b64 false", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"b64": false}), claims), `"b64" not accepted`},
		{"unknown header", "t1", forge(t, jose.RS256, rsaKey, with(map[string]any{"foo": "bar"}), claims), `"foo" not accepted`},
		{"duplicate alg", "t1", rawRS256(t, `{"alg":"RS256","kid":"`+kid+`","alg":"RS256"}`, claims, rsaKey), "duplicate header"},
		{"header not an object", "t1", rawRS256(t, `["alg"]`, claims, rsaKey), "not a JSON object"},
		{"tampered payload", "t1", parts[0] + "." + b64url(`{"sub":"admin","scope":"read"}`) + "." + parts[2], "signature"},
		{"tampered signature", "t1", parts[0] + "." + parts[1] + "." + string(sig), "signature"},
		{"signature of another token", "t1", parts[0] + "." + parts[1] + "." + strings.Split(e.sign(t, "t1", testClaims{Sub: "u2"}), ".")[2], "signature"},
		{"trailing newline", "t1", good + "\n", "strict base64url"},
		{"padded base64", "t1", parts[0] + "." + parts[1] + "=." + parts[2], "strict base64url"},
		{"payload not an object", "t1", forge(t, jose.RS256, rsaKey, k, `[1,2]`), "not a JSON object"},
		{"good token at the wrong tenant", "t2", good, "unknown kid"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := e.m.Verify(ctx, tc.tenant, tc.token)
			if err == nil {
				t.Fatalf("Verify accepted it: %+v", v)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Errorf("err = %v, want ErrInvalidToken", err)
			}
			if !strings.Contains(err.Error(), tc.reason) {
				t.Errorf("err = %v, want reason containing %q", err, tc.reason)
			}
		})
	}

	// The control: the untampered token verifies, so the cases above fail
	// for their own reason.
	if _, err := e.m.Verify(ctx, "t1", good); err != nil {
		t.Fatalf("good token: %v", err)
	}
}

// TestVerifyUnknownKidReloads checks that a kid created elsewhere (another
// replica) is found once the cached snapshot is older than minReload, and
// that unknown kids do not cause a store read on every call.
func TestVerifyUnknownKidReloads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgES256)
	e.sign(t, "t1", testClaims{}) // warm the cache

	// Another "replica" (a second manager on the same store) rotates.
	other := New(Options{Store: e.st, Sealer: e.sealer, Clock: e.clock, JWKSMaxAge: testMaxAge, Retention: testRetention, CacheTTL: testCacheTTL})
	if _, err := other.Rotate(ctx, "t1", AlgES256, true); err != nil {
		t.Fatal(err)
	}
	tok, err := other.Sign(ctx, "t1", TypJWT, testClaims{Sub: "x"})
	if err != nil {
		t.Fatal(err)
	}

	before := e.st.listCalls()
	for range 5 {
		if _, err := e.m.Verify(ctx, "t1", tok); !errors.Is(err, ErrInvalidToken) {
			t.Fatalf("within minReload: err = %v, want unknown kid", err)
		}
	}
	if n := e.st.listCalls() - before; n != 0 {
		t.Errorf("unknown kids within minReload read the store %d times", n)
	}
	e.clock.Advance(minReload)
	if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
		t.Fatalf("after minReload: %v", err)
	}
}

// TestCheckHeader: the header walk accepts only an object of string
// members named alg, kid and typ, each once, and reads their values as
// written.
func TestCheckHeader(t *testing.T) {
	tests := []struct {
		name, header string
		want         compactHeader
		reason       string
	}{
		{"ours", `{"alg":"RS256","kid":"k1","typ":"at+jwt"}`, compactHeader{"RS256", "k1", "at+jwt"}, ""},
		{"whitespace", " {\t\"alg\" : \"RS256\" ,\r\n\"kid\":\"k1\" } ", compactHeader{alg: "RS256", kid: "k1"}, ""},
		{"escaped quote in a value", `{"kid":"a\"b","alg":"RS256"}`, compactHeader{alg: "RS256", kid: `a\"b`}, ""},
		{"empty object", `{}`, compactHeader{}, ""},
		{"trailing comma", `{"alg":"RS256",}`, compactHeader{}, "not a JSON object"},
		{"missing colon", `{"alg" "RS256"}`, compactHeader{}, "not a JSON object"},
		{"unterminated", `{"alg":"RS256"`, compactHeader{}, "not a JSON object"},
		{"escaped name", `{"\u0061lg":"RS256"}`, compactHeader{}, "not accepted"},
		{"escaped typ", `{"alg":"RS256","typ":"at\u002bjwt"}`, compactHeader{}, "typ with escapes"},
		{"number value", `{"alg":1}`, compactHeader{}, "not a string"},
		{"object value", `{"kid":{"a":1}}`, compactHeader{}, "not a string"},
		{"duplicate", `{"kid":"a","kid":"b"}`, compactHeader{}, "duplicate header"},
		{"trailing data", `{"alg":"RS256"} x`, compactHeader{}, "trailing data"},
		{"array", `["alg"]`, compactHeader{}, "not a JSON object"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := checkHeader([]byte(tc.header))
			if tc.reason == "" {
				if err != nil || got != tc.want {
					t.Fatalf("checkHeader = %+v, %v; want %+v, nil", got, err, tc.want)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("checkHeader = %+v, %v; want a refusal with %q", got, err, tc.reason)
			}
		})
	}
}

// TestStrictBase64URL: the shape check refuses exactly what a strict
// decoder refuses.
func TestStrictBase64URL(t *testing.T) {
	for _, s := range []string{"", "A", "AA", "AB", "AAA", "AAB", "AAAA", "QQ", "QR", "QUI", "QUJ", "a-_9", "a+/9", "AA==", "A\nA", "Zm9vYg", "Zm9vYh"} {
		_, err := b64.DecodeString(s)
		want := err == nil && !strings.ContainsAny(s, "\r\n")
		if got := isStrictBase64URL(s); got != want {
			t.Errorf("isStrictBase64URL(%q) = %v, strict decoder says %v", s, got, want)
		}
	}
}
