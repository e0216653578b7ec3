package keys

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/go-jose/go-jose/v4"
)

type testClaims struct {
	Iss   string `json:"iss"`
	Sub   string `json:"sub"`
	Scope string `json:"scope"`
	Exp   int64  `json:"exp"`
}

func TestSignVerifyRoundTrip(t *testing.T) {
	ctx := context.Background()
	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t)
			kid := e.ensure(t, "t1", alg)
			claims := testClaims{Iss: "https://t1.example", Sub: "usr_1", Scope: "openid", Exp: t0.Unix() + 60}
			for _, typ := range []string{TypAccessToken, TypJWT} {
				tok, err := e.m.Sign(ctx, "t1", typ, claims)
				if err != nil {
					t.Fatal(err)
				}
				v, err := e.m.Verify(ctx, "t1", tok)
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if v.KeyID != kid || v.Alg != alg || v.Type != typ {
					t.Errorf("Verified = {kid %s alg %s typ %s}, want {%s %s %s}", v.KeyID, v.Alg, v.Type, kid, alg, typ)
				}
				var got testClaims
				if err := json.Unmarshal(v.Payload, &got); err != nil || got != claims {
					t.Errorf("payload = %s (%v), want %+v", v.Payload, err, claims)
				}

				// The header is exactly alg, kid, typ (RFC 9068 §2.1 for at+jwt).
				jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
				if err != nil {
					t.Fatal(err)
				}
				h := jws.Signatures[0].Protected
				if h.KeyID != kid || h.Algorithm != alg || h.ExtraHeaders[jose.HeaderType] != typ || len(h.ExtraHeaders) != 1 || h.JSONWebKey != nil {
					t.Errorf("protected header = %+v", h)
				}

				// go-jose verifies it against the published JWKS.
				set := e.jwks(t, "t1")
				keys := set.Key(kid)
				if len(keys) != 1 {
					t.Fatalf("JWKS has %d keys with kid %s", len(keys), kid)
				}
				if _, err := jws.Verify(keys[0]); err != nil {
					t.Errorf("go-jose verification with the JWKS key: %v", err)
				}
			}
		})
	}
}

func TestJWKSShape(t *testing.T) {
	e := newEnv(t)
	wantKty := map[string]string{AlgRS256: "RSA", AlgES256: "EC", AlgEdDSA: "OKP"}
	for _, alg := range Algorithms {
		tenant := "t-" + strings.ToLower(alg)
		kid := e.ensure(t, tenant, alg)
		raw, err := e.m.JWKS(context.Background(), tenant)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Keys []map[string]any `json:"keys"`
		}
		if err := json.Unmarshal(raw, &doc); err != nil || len(doc.Keys) != 1 {
			t.Fatalf("%s: JWKS = %s (%v)", alg, raw, err)
		}
		k := doc.Keys[0]
		if k["kid"] != kid || k["alg"] != alg || k["use"] != "sig" || k["kty"] != wantKty[alg] {
			t.Errorf("%s: JWK = %v", alg, k)
		}
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi", "k"} {
			if _, ok := k[private]; ok {
				t.Errorf("%s: JWK carries private parameter %q", alg, private)
			}
		}
	}
}

// TestVerifyWithGoOIDC checks our tokens and JWKS against a real
// third-party verifier: go-oidc's RemoteKeySet fetching the JWKS over HTTP.
func TestVerifyWithGoOIDC(t *testing.T) {
	e := newEnv(t)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /t/{tenant}/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		b, err := e.m.JWKS(r.Context(), r.PathValue("tenant"))
		if err != nil {
			http.Error(w, "no", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(b)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)

	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			tenant := "t-" + strings.ToLower(alg)
			other := "other-" + strings.ToLower(alg)
			e.ensure(t, tenant, alg)
			e.ensure(t, other, alg)
			ctx := oidc.ClientContext(context.Background(), srv.Client())
			ks := oidc.NewRemoteKeySet(ctx, srv.URL+"/t/"+tenant+"/jwks.json")

			tok := e.sign(t, tenant, testClaims{Sub: "u1"})
			payload, err := ks.VerifySignature(ctx, tok)
			if err != nil {
				t.Fatalf("go-oidc rejected our token: %v", err)
			}
			var got testClaims
			if err := json.Unmarshal(payload, &got); err != nil || got.Sub != "u1" {
				t.Errorf("payload = %s", payload)
			}
			// The other tenant's JWKS does not verify it (SECURITY-TESTS 43).
			foreign := e.sign(t, other, testClaims{Sub: "u1"})
			if _, err := ks.VerifySignature(ctx, foreign); err == nil {
				t.Error("go-oidc accepted another tenant's token")
			}
		})
	}
}

func TestSignWithoutKey(t *testing.T) {
	e := newEnv(t)
	_, err := e.m.Sign(context.Background(), "nokeys", TypJWT, map[string]any{"a": 1})
	if !errors.Is(err, ErrNoKey) {
		t.Fatalf("Sign without a key: err = %v, want ErrNoKey", err)
	}
	raw, err := e.m.JWKS(context.Background(), "nokeys")
	if err != nil || string(raw) != `{"keys":[]}` {
		t.Fatalf("JWKS without keys = %s, %v", raw, err)
	}
}

func TestSignUnmarshalableClaims(t *testing.T) {
	e := newEnv(t)
	e.ensure(t, "t1", AlgES256)
	if _, err := e.m.Sign(context.Background(), "t1", TypJWT, map[string]any{"c": make(chan int)}); err == nil {
		t.Fatal("Sign accepted claims that are not JSON")
	}
}

// TestVerifyDoesNotCheckClaims documents the contract: Verify checks the
// signature and header only; exp, nbf, iss and aud are the caller's.
func TestVerifyDoesNotCheckClaims(t *testing.T) {
	e := newEnv(t)
	e.ensure(t, "t1", AlgEdDSA)
	tok := e.sign(t, "t1", testClaims{Exp: t0.Unix() - 3600})
	if _, err := e.m.Verify(context.Background(), "t1", tok); err != nil {
		t.Fatalf("Verify of an expired but well-signed token: %v (exp is the caller's check)", err)
	}
}

// BenchmarkSign measures the token-endpoint hot path: cached key, one
// signature per token.
func BenchmarkSign(b *testing.B) {
	for _, alg := range Algorithms {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b)
			e.ensure(b, "t1", alg)
			claims := testClaims{Iss: "https://t1.example", Sub: "usr_1", Scope: "openid profile", Exp: t0.Unix()}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.m.Sign(ctx, "t1", TypAccessToken, claims); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify measures verification of our own tokens (UserInfo).
func BenchmarkVerify(b *testing.B) {
	for _, alg := range Algorithms {
		b.Run(alg, func(b *testing.B) {
			e := newEnv(b)
			e.ensure(b, "t1", alg)
			tok := e.sign(b, "t1", testClaims{Sub: "usr_1"})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// appendingClaims encode themselves (JSONAppender) with a member order
// json.Marshal would not choose, so the test sees which encoder ran.
type appendingClaims struct{ sub string }

func (c appendingClaims) AppendJSON(dst []byte) []byte {
	return append(append(append(dst, `{"sub":"`...), c.sub...), `","aaa":1}`...)
}

func TestSignUsesTheClaimsOwnEncoding(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	e.ensure(t, "t1", AlgES256)
	tests := []struct {
		name   string
		claims any
		want   string
	}{
		{"JSONAppender", appendingClaims{sub: "usr_1"}, `{"sub":"usr_1","aaa":1}`},
		{"pointer to JSONAppender", &appendingClaims{sub: "usr_2"}, `{"sub":"usr_2","aaa":1}`},
		{"plain struct", testClaims{Iss: "i", Sub: "s"}, `{"iss":"i","sub":"s","scope":"","exp":0}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tok, err := e.m.Sign(ctx, "t1", TypAccessToken, tt.claims)
			if err != nil {
				t.Fatal(err)
			}
			v, err := e.m.Verify(ctx, "t1", tok)
			if err != nil {
				t.Fatal(err)
			}
			if string(v.Payload) != tt.want {
				t.Errorf("payload %s, want %s", v.Payload, tt.want)
			}
		})
	}
}
