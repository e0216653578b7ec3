package keys

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// maxTokenLen bounds what Verify parses. Our tokens are a few hundred
// bytes to a few KiB; anything far larger is not ours.
const maxTokenLen = 16 << 10

// allowedHeaders are the only JOSE header parameters our tokens carry
// (see Sign). Everything else is refused rather than ignored, which covers
// `crit` (RFC 7515 §4.1.11), keys or key locations supplied by the token
// itself (`jwk`, `jku`, `x5u`, `x5c`, `x5t`: RFC 7515 §4.1.2–4.1.7, never
// trusted, RFC 8725 §3.10), and `b64` (RFC 7797), which would change what
// the signature covers.
var allowedHeaders = map[string]bool{"alg": true, "kid": true, "typ": true}

// b64 is the strict unpadded base64url alphabet of compact JWS (RFC 7515 §2).
var b64 = base64.RawURLEncoding.Strict()

// invalid wraps ErrInvalidToken with a reason for the logs.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalidToken, fmt.Sprintf(format, args...))
}

// Verify checks a compact JWS (RFC 7515 §7.1) issued by tenantID and
// returns its header facts and unvalidated payload. It follows RFC 8725:
// the algorithm comes from an explicit allow-list (RS256, ES256, EdDSA, so
// never `none` or HMAC, §3.1–3.2); the key is looked up by `kid` among this
// tenant's published keys only, and the token's `alg` must be that key's
// (§2.1, algorithm confusion); a token carrying any header other than
// `alg`, `kid` and `typ` is refused. Claims such as exp, iss and aud are
// NOT checked here: that is the caller's job. Every failure wraps
// ErrInvalidToken.
func (m *Manager) Verify(ctx context.Context, tenantID, token string) (*Verified, error) {
	if len(token) > maxTokenLen {
		return nil, invalid("token longer than %d bytes", maxTokenLen)
	}
	if err := checkCompact(token); err != nil {
		return nil, err
	}
	jws, err := jose.ParseSignedCompact(token, joseAlgorithms)
	if err != nil {
		return nil, invalid("parse: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("want exactly one signature, got %d", len(jws.Signatures))
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" {
		return nil, invalid("no kid")
	}
	if h.JSONWebKey != nil || len(jws.Signatures[0].Unprotected.ExtraHeaders) > 0 {
		return nil, invalid("unexpected header")
	}
	typ := ""
	if v, ok := h.ExtraHeaders[jose.HeaderType]; ok {
		s, isString := v.(string)
		if !isString {
			return nil, invalid("typ is not a string")
		}
		typ = s
	}

	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	key, ok := set.verify[h.KeyID]
	if !ok {
		// The key may be new on another replica: read the store again,
		// at most once per minReload.
		if set, err = m.reload(ctx, tenantID, set); err != nil {
			return nil, err
		}
		if key, ok = set.verify[h.KeyID]; !ok {
			return nil, invalid("unknown kid")
		}
	}
	if h.Algorithm != key.alg {
		return nil, invalid("alg %s does not match key alg %s", h.Algorithm, key.alg)
	}
	payload, err := jws.Verify(key.pub)
	if err != nil {
		return nil, invalid("signature: %v", err)
	}
	if !isJSONObject(payload) {
		return nil, invalid("payload is not a JSON object")
	}
	return &Verified{KeyID: h.KeyID, Alg: h.Algorithm, Type: typ, Payload: payload}, nil
}

// checkCompact checks the shape of a compact JWS before go-jose parses it:
// three strict base64url segments, and a protected header that is one JSON
// object with no duplicate names (RFC 7515 §5.2 allows rejecting them) and
// only allowed parameters.
func checkCompact(token string) error {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return invalid("not a compact JWS")
	}
	for _, p := range parts {
		if p == "" {
			return invalid("empty JWS segment")
		}
		if !isBase64URL(p) {
			return invalid("segment is not strict base64url")
		}
		if _, err := b64.DecodeString(p); err != nil {
			return invalid("segment is not strict base64url")
		}
	}
	raw, _ := b64.DecodeString(parts[0])
	return checkHeader(raw)
}

// isBase64URL reports whether s uses only the base64url alphabet (the Go
// decoder would otherwise skip CR and LF).
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// checkHeader walks the protected header's top-level names.
func checkHeader(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return invalid("header is not a JSON object")
	}
	seen := make(map[string]bool, 3)
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return invalid("header: %v", err)
		}
		name, _ := t.(string)
		if !allowedHeaders[name] {
			return invalid("header parameter %.32q not accepted", name)
		}
		if seen[name] {
			return invalid("duplicate header parameter %q", name)
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return invalid("header: %v", err)
		}
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return invalid("header is not a JSON object")
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return invalid("trailing data after header")
	}
	return nil
}

// isJSONObject reports whether b is one JSON object (RFC 7519 §7.2 step 10).
func isJSONObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
