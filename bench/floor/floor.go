package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// floor holds what every request uses, all computed at start.
type floor struct {
	issuer     string
	tenant     string
	clientID   string
	secretHash [sha256.Size]byte
	accessTTL  time.Duration
	signer     jose.Signer
	discovery  []byte
	jwks       []byte
	now        func() time.Time
}

// accessClaims mirror the claims of Authalla's access tokens (RFC 9068
// §2.2) in the same order, so that both sign payloads of the same size.
type accessClaims struct {
	Issuer    string `json:"iss"`
	Subject   string `json:"sub"`
	Audience  string `json:"aud"`
	Expiry    int64  `json:"exp"`
	IssuedAt  int64  `json:"iat"`
	NotBefore int64  `json:"nbf"`
	JTI       string `json:"jti"`
	TenantID  string `json:"tid"`
	ClientID  string `json:"client_id"`
	Scope     string `json:"scope,omitempty"`
}

// tokenResponse is RFC 6749 §5.1.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// newKey generates a key for alg: RSA-2048, P-256 or Ed25519.
func newKey(alg string) (crypto.Signer, error) {
	switch alg {
	case "RS256":
		return rsa.GenerateKey(rand.Reader, 2048)
	case "ES256":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case "EdDSA":
		_, k, err := ed25519.GenerateKey(rand.Reader)
		return k, err
	}
	return nil, fmt.Errorf("-alg %q: want RS256, ES256 or EdDSA", alg)
}

func newFloor(issuer string, o options) (*floor, error) {
	key, err := newKey(o.alg)
	if err != nil {
		return nil, err
	}
	kid := "floor-" + strings.ToLower(o.alg)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(o.alg), Key: jose.JSONWebKey{Key: key, KeyID: kid, Algorithm: o.alg}},
		(&jose.SignerOptions{}).WithType("at+jwt"))
	if err != nil {
		return nil, fmt.Errorf("signer: %w", err)
	}
	jwks, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: key.Public(), KeyID: kid, Algorithm: o.alg, Use: "sig"}}})
	if err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	disc, err := json.Marshal(discoveryDocument(issuer, o.alg))
	if err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	return &floor{
		issuer: issuer, tenant: o.tenant, clientID: o.clientID, secretHash: sha256.Sum256([]byte(o.clientSecret)),
		accessTTL: o.accessTTL, signer: signer, discovery: append(disc, '\n'), jwks: jwks, now: time.Now,
	}, nil
}

// routes serves the three endpoints under the issuer's path.
func (f *floor) routes() http.Handler {
	prefix := strings.TrimPrefix(f.issuer, "http://")
	prefix = prefix[strings.Index(prefix, "/"):]
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+prefix+"/oauth2/token", f.token)
	mux.HandleFunc("GET "+prefix+"/.well-known/openid-configuration", f.static(f.discovery))
	mux.HandleFunc("GET "+prefix+"/.well-known/jwks.json", f.static(f.jwks))
	return mux
}

// static answers with precomputed JSON and the headers Authalla sends.
func (f *floor) static(body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Cache-Control", "public, max-age=300")
		h.Set("X-Content-Type-Options", "nosniff")
		_, _ = w.Write(body)
	}
}

// token answers a client_credentials request (RFC 6749 §4.4).
func (f *floor) token(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request"})
		return
	}
	if r.PostForm.Get("grant_type") != "client_credentials" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unsupported_grant_type"})
		return
	}
	id, sec, ok := basicAuth(r)
	sum := sha256.Sum256([]byte(sec))
	if !ok || id != f.clientID || subtle.ConstantTimeCompare(sum[:], f.secretHash[:]) != 1 {
		w.Header().Set("WWW-Authenticate", `Basic realm="`+f.issuer+`"`)
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	var jti [16]byte
	_, _ = rand.Read(jti[:])
	now := f.now()
	c := accessClaims{
		Issuer: f.issuer, Subject: id, Audience: id,
		Expiry: now.Add(f.accessTTL).Unix(), IssuedAt: now.Unix(), NotBefore: now.Unix(),
		JTI: base64.RawURLEncoding.EncodeToString(jti[:]), TenantID: f.tenant,
		ClientID: id,
	}
	payload, err := json.Marshal(c)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	jws, err := f.signer.Sign(payload)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": "server_error"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, tokenResponse{AccessToken: tok, TokenType: "Bearer", ExpiresIn: int64(f.accessTTL / time.Second)})
}

// basicAuth reads client_secret_basic credentials, form-urlencoded inside
// the Basic header (RFC 6749 §2.3.1).
func basicAuth(r *http.Request) (id, sec string, ok bool) {
	rawID, rawSec, ok := r.BasicAuth()
	if !ok {
		return "", "", false
	}
	id, err1 := url.QueryUnescape(rawID)
	sec, err2 := url.QueryUnescape(rawSec)
	return id, sec, err1 == nil && err2 == nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
