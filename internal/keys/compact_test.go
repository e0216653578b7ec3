package keys

import (
	"bytes"
	"context"
	"crypto/elliptic"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// TestSignaturesAreDeterministic: the same claims signed twice give the
// same token with every algorithm (RFC 6979 for ES256), which is what lets
// Verify recognise its own signatures.
func TestSignaturesAreDeterministic(t *testing.T) {
	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t)
			e.ensure(t, "t1", alg)
			claims := testClaims{Iss: "https://t1.example", Sub: "usr_1", Exp: t0.Unix() + 60}
			a, b := e.sign(t, "t1", claims), e.sign(t, "t1", claims)
			if a != b {
				t.Fatalf("two signatures of the same claims differ:\n%s\n%s", a, b)
			}
		})
	}
}

// TestRawECDSA: the ASN.1 signature becomes r||s with each half
// left-padded to 32 bytes (RFC 7518 §3.4); anything else is refused.
func TestRawECDSA(t *testing.T) {
	der := func(r, s []byte, extra ...byte) []byte {
		var b cryptobyte.Builder
		b.AddASN1(asn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1BigInt(new(big.Int).SetBytes(r))
			b.AddASN1BigInt(new(big.Int).SetBytes(s))
		})
		return append(b.BytesOrPanic(), extra...)
	}
	full := bytes.Repeat([]byte{0xff}, 32) // needs a leading zero in DER
	short := []byte{0x01, 0x02}
	tests := []struct {
		name string
		der  []byte
		want []byte // nil: refused
	}{
		{"full halves", der(full, full), append(append([]byte{}, full...), full...)},
		{"short r", der(short, full), append(append(make([]byte, 30), short...), full...)},
		{"short s", der(full, short), append(append(append([]byte{}, full...), make([]byte, 30)...), short...)},
		{"r too long", der(bytes.Repeat([]byte{1}, 33), full), nil},
		{"trailing bytes", der(full, full, 0), nil},
		{"not a sequence", []byte{0x02, 0x01, 0x01}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := rawECDSA(tc.der)
			if tc.want == nil {
				if err == nil {
					t.Fatalf("rawECDSA = %x, want a refusal", got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, tc.want) {
				t.Fatalf("rawECDSA = %x, %v; want %x", got, err, tc.want)
			}
		})
	}
}

// TestVerifyOwnSignature: with ES256 and EdDSA, a token signed by the
// active key is recognised by signing it again, and only such a token; a
// valid signature made another way (a random ECDSA nonce, a retired key,
// the malleated ECDSA (r, n−s)) still verifies the usual way, and a token
// that was changed is refused whichever route it takes.
func TestVerifyOwnSignature(t *testing.T) {
	ctx := context.Background()
	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t)
			kid := e.ensure(t, "t1", alg)
			claims := testClaims{Iss: "https://t1.example", Sub: "usr_1", Exp: t0.Unix() + 60}
			tok := e.sign(t, "t1", claims)
			own := func(token string) bool {
				t.Helper()
				hdr, err := checkCompact(token)
				if err != nil {
					t.Fatal(err)
				}
				_, _, ok := e.m.verifyOwn(ctx, "t1", token, hdr)
				return ok
			}
			if got, want := own(tok), resignCheaper(alg); got != want {
				t.Fatalf("own signature recognised = %v, want %v", got, want)
			}
			verifies := func(name, token string, want bool) {
				t.Helper()
				_, _, err := e.m.verifyFull(ctx, "t1", token)
				if want && err != nil {
					t.Errorf("%s: %v", name, err)
				}
				if !want && !errors.Is(err, ErrInvalidToken) {
					t.Errorf("%s: err = %v, want ErrInvalidToken", name, err)
				}
			}
			verifies("own token", tok, true)

			// Another valid signature of the same key, from go-jose (a
			// random ECDSA nonce; RSA and Ed25519 are deterministic).
			other := joseSign(t, alg, kid, e.private(t, "t1", kid), tok)
			if alg == AlgES256 {
				if other == tok {
					t.Fatal("go-jose made the deterministic signature")
				}
				if own(other) {
					t.Error("a signature with a random nonce was taken for our own")
				}
				verifies("random-nonce signature", other, true)
				verifies("malleated signature", malleate(t, tok), true)
			}

			parts := strings.Split(tok, ".")
			forged := b64.EncodeToString([]byte(`{"iss":"https://t1.example","sub":"admin","scope":"","exp":1}`))
			verifies("changed payload", parts[0]+"."+forged+"."+parts[2], false)
			verifies("signature of another length", tok[:len(tok)-4], false)
			verifies("no signature bits", parts[0]+"."+parts[1]+"."+b64.EncodeToString(make([]byte, 64)), false)

			// After an immediate rotation the old key is retired but
			// published: its tokens verify, the usual way.
			if _, err := e.m.Rotate(ctx, "t1", alg, true); err != nil {
				t.Fatal(err)
			}
			if own(tok) {
				t.Error("a retired key's token was taken for the active key's")
			}
			verifies("retired key's token", tok, true)
		})
	}
}

// joseSign signs the payload of token again with go-jose, under the same
// header parameters.
func joseSign(t *testing.T, alg, kid string, priv any, token string) string {
	t.Helper()
	payload, err := b64.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	key := jose.JSONWebKey{Key: priv, KeyID: kid, Algorithm: alg}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(alg), Key: key},
		(&jose.SignerOptions{}).WithType(TypAccessToken))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// malleate replaces the s of an ES256 token's signature with n−s, the
// other valid signature for the same r (ECDSA signatures are malleable).
func malleate(t *testing.T, token string) string {
	t.Helper()
	dot := strings.LastIndexByte(token, '.')
	sig, err := b64.DecodeString(token[dot+1:])
	if err != nil || len(sig) != 2*es256Half {
		t.Fatalf("not an ES256 signature: %v", err)
	}
	n := elliptic.P256().Params().N
	s := new(big.Int).Sub(n, new(big.Int).SetBytes(sig[es256Half:]))
	s.FillBytes(sig[es256Half:])
	return token[:dot+1] + b64.EncodeToString(sig)
}

// halfDecoder sets a field, then gives up: Claims must start again from
// a zero value with encoding/json.
type halfDecoder struct {
	Sub   string `json:"sub"`
	Extra string `json:"extra"`
}

func (h *halfDecoder) DecodeClaims([]byte) bool { h.Extra = "left over"; return false }

// fastDecoder reads nothing and claims it did: Claims must use its value.
type fastDecoder struct{ Sub string }

func (f *fastDecoder) DecodeClaims([]byte) bool { f.Sub = "fast"; return true }

func TestClaimsUsesTheDecoderOrFallsBack(t *testing.T) {
	half, err := Claims[halfDecoder](&Verified{Payload: []byte(`{"sub":"s"}`)})
	if err != nil || half != (halfDecoder{Sub: "s"}) {
		t.Errorf("after a refusal: %+v, %v; want encoding/json's decoding alone", half, err)
	}
	fast, err := Claims[fastDecoder](&Verified{Payload: []byte(`{"sub":"s"}`)})
	if err != nil || fast.Sub != "fast" {
		t.Errorf("a decoder that succeeded was not used: %+v, %v", fast, err)
	}
}

func TestExpiry(t *testing.T) {
	tests := []struct {
		payload string
		exp     int64
		ok      bool
	}{
		{`{"sub":"a","exp":1700000000}`, 1700000000, true},
		{`{"sub":"a"}`, 0, true},
		{`{"act":{"sub":"x"},"exp":5}`, 5, true}, // not flat: encoding/json reads it
		{`{"exp":"soon"}`, 0, false},
		{`{"exp":1,"EXP":7}`, 7, true}, // encoding/json's reading: the last name that matches

		{`not json`, 0, false},
	}
	for _, tc := range tests {
		exp, ok := expiry([]byte(tc.payload))
		if exp != tc.exp || ok != tc.ok {
			t.Errorf("expiry(%s) = %d, %v; want %d, %v", tc.payload, exp, ok, tc.exp, tc.ok)
		}
	}
}
