package keys

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strconv"

	"github.com/go-jose/go-jose/v4"

	"github.com/authalla/authalla/internal/idp"
)

// Supported signature algorithms (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
// RS256 is the default because every OpenID Connect relying party must
// support it (OpenID Connect Discovery 1.0 §3, id_token_signing_alg_values_supported).
// They are the idp constants, repeated here for callers' convenience.
const (
	AlgRS256 = idp.AlgRS256
	AlgES256 = idp.AlgES256
	AlgEdDSA = idp.AlgEdDSA
)

// Algorithms is the allow-list of signature algorithms, in order of
// preference. Nothing else is ever produced or accepted.
var Algorithms = []string{AlgRS256, AlgES256, AlgEdDSA}

var joseAlgorithms = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// rsaBits is the RSA modulus size; RFC 7518 §3.3 requires at least 2048.
const rsaBits = 2048

// kidBytes is the entropy of a key id: 128 bits make collisions across the
// install negligible.
const kidBytes = 16

// NormalizeAlg returns alg if it is supported, RS256 when alg is empty, and
// an idp.ErrInvalid error naming the field "alg" otherwise.
func NormalizeAlg(alg string) (string, error) {
	switch alg {
	case "":
		return AlgRS256, nil
	case AlgRS256, AlgES256, AlgEdDSA:
		return alg, nil
	}
	return "", idp.Invalid("alg", fmt.Sprintf("%q is not one of RS256, ES256, EdDSA", alg))
}

// generate makes a fresh private key for alg.
func generate(alg string) (crypto.Signer, error) {
	switch alg {
	case AlgRS256:
		return rsa.GenerateKey(rand.Reader, rsaBits)
	case AlgES256:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case AlgEdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		return priv, err
	}
	return nil, fmt.Errorf("keys: unsupported algorithm %q", alg)
}

// keyFits reports whether pub is the kind of key alg needs.
func keyFits(alg string, pub crypto.PublicKey) bool {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return alg == AlgRS256 && k.N.BitLen() >= rsaBits
	case *ecdsa.PublicKey:
		return alg == AlgES256 && k.Curve == elliptic.P256()
	case ed25519.PublicKey:
		return alg == AlgEdDSA
	}
	return false
}

// sealAD is the additional data that binds a sealed private key to its
// tenant and kid, so that a ciphertext copied to another row does not open.
// Both parts are length-prefixed to keep the encoding unambiguous.
func sealAD(tenantID, kid string) []byte {
	return []byte("authalla/signing-key/v1:" +
		strconv.Itoa(len(tenantID)) + ":" + tenantID + ":" +
		strconv.Itoa(len(kid)) + ":" + kid)
}

// publicJWK is the JSON of the public half of priv, as published.
func publicJWK(kid, alg string, pub crypto.PublicKey) ([]byte, error) {
	jwk := jose.JSONWebKey{Key: pub, KeyID: kid, Algorithm: alg, Use: "sig"}
	b, err := jwk.MarshalJSON()
	if err != nil {
		return nil, fmt.Errorf("keys: encode public key: %w", err)
	}
	return b, nil
}

// newKey generates a key of alg for tenantID in the given state and
// stores it. The private key leaves this function only sealed.
func (m *Manager) newKey(ctx context.Context, tenantID, alg string, state idp.KeyState) (*idp.SigningKey, error) {
	priv, err := generate(alg)
	if err != nil {
		return nil, fmt.Errorf("keys: generate %s key: %w", alg, err)
	}
	kid, err := m.random.Token(kidBytes)
	if err != nil {
		return nil, fmt.Errorf("keys: key id: %w", err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("keys: encode private key: %w", err)
	}
	sealed, err := m.sealer.Seal(der, sealAD(tenantID, kid))
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("keys: seal private key: %w", err)
	}
	pub, err := publicJWK(kid, alg, priv.Public())
	if err != nil {
		return nil, err
	}
	k := &idp.SigningKey{
		TenantID:   tenantID,
		ID:         kid,
		Alg:        alg,
		State:      state,
		PrivateEnc: sealed,
		PublicJWK:  pub,
		CreatedAt:  m.clock.Now(),
	}
	if state == idp.KeyActive {
		at := k.CreatedAt
		k.ActivatedAt = &at
	}
	if err := m.store.CreateSigningKey(ctx, tenantID, k); err != nil {
		return nil, fmt.Errorf("keys: store %s key: %w", state, err)
	}
	return k, nil
}

// openPrivate unseals and parses the private key of tenantID's key k, checking that it
// matches the published public key and the key's algorithm.
func (m *Manager) openPrivate(tenantID string, k *idp.SigningKey, pub crypto.PublicKey) (crypto.Signer, error) {
	der, err := m.sealer.Open(k.PrivateEnc, sealAD(tenantID, k.ID))
	if err != nil {
		return nil, fmt.Errorf("keys: open private key %s: %w", k.ID, err)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	clear(der)
	if err != nil {
		return nil, fmt.Errorf("keys: parse private key %s: %w", k.ID, err)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok || !keyFits(k.Alg, priv.Public()) {
		return nil, fmt.Errorf("keys: private key %s does not fit %s", k.ID, k.Alg)
	}
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := priv.Public().(equaler); !ok || !e.Equal(pub) {
		return nil, fmt.Errorf("keys: private key %s does not match its public key", k.ID)
	}
	return priv, nil
}
