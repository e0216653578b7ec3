package keys

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
)

// maxTokenLen bounds what Verify parses. Our tokens are a few hundred
// bytes to a few KiB; anything far larger is not ours.
const maxTokenLen = 16 << 10

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
//
// An access token (typ at+jwt) that verified is remembered by the SHA-256
// of its exact bytes until its exp (verified.go); presented again, it is
// answered from memory if the key that verified it is still one of the
// tenant's published keys. The result is the same as a full verification:
// it depends only on the token's bytes and the tenant's current keys. The
// returned Verified is shared and must not be modified.
func (m *Manager) Verify(ctx context.Context, tenantID, token string) (*Verified, error) {
	if len(token) > maxTokenLen {
		return nil, invalid("token longer than %d bytes", maxTokenLen)
	}
	var sum [sha256.Size]byte
	if m.verified.enabled() {
		sum = sha256.Sum256([]byte(token))
		if v, ok, err := m.verifiedHit(ctx, tenantID, sum); ok || err != nil {
			return v, err
		}
	}
	v, key, err := m.verifyFull(ctx, tenantID, token)
	if err != nil {
		return nil, err
	}
	if m.verified.enabled() {
		m.remember(tenantID, sum, v, key)
	}
	return v, nil
}

// verifyFull parses token once and checks its signature: the strict
// shape and header checks on the compact form (checkCompact), then either
// the recognition of the active key's own signature (verifyOwn) or the
// parse by go-jose with the algorithm allow-list and the key by kid.
func (m *Manager) verifyFull(ctx context.Context, tenantID, token string) (*Verified, verifyKey, error) {
	hdr, err := checkCompact(token)
	if err != nil {
		return nil, verifyKey{}, err
	}
	if v, key, ok := m.verifyOwn(ctx, tenantID, token, hdr); ok {
		return v, key, nil
	}
	typ := hdr.typ
	jws, err := jose.ParseSignedCompact(token, joseAlgorithms)
	if err != nil {
		return nil, verifyKey{}, invalid("parse: %v", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, verifyKey{}, invalid("want exactly one signature, got %d", len(jws.Signatures))
	}
	h := jws.Signatures[0].Header
	if h.KeyID == "" {
		return nil, verifyKey{}, invalid("no kid")
	}
	if h.JSONWebKey != nil || len(jws.Signatures[0].Unprotected.ExtraHeaders) > 0 {
		return nil, verifyKey{}, invalid("unexpected header")
	}

	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return nil, verifyKey{}, err
	}
	key, ok := set.verify[h.KeyID]
	if !ok {
		// The key may be new on another replica: read the store again,
		// at most once per minReload.
		if set, err = m.reload(ctx, tenantID, set); err != nil {
			return nil, verifyKey{}, err
		}
		if key, ok = set.verify[h.KeyID]; !ok {
			return nil, verifyKey{}, invalid("unknown kid")
		}
	}
	if h.Algorithm != key.alg {
		return nil, verifyKey{}, invalid("alg %s does not match key alg %s", h.Algorithm, key.alg)
	}
	payload, err := jws.Verify(key.pub)
	if err != nil {
		return nil, verifyKey{}, invalid("signature: %v", err)
	}
	if !isJSONObject(payload) {
		return nil, verifyKey{}, invalid("payload is not a JSON object")
	}
	return &Verified{KeyID: h.KeyID, Alg: h.Algorithm, Type: typ, Payload: payload}, key, nil
}

// verifyOwn is verifyFull's quick route for a token signed by the
// tenant's active key when signing costs less than verifying
// (keySet.ownSignature). ok is false when it cannot tell, and the caller
// verifies in full; a failure to read the key set also lands there, so a
// refusal and its error are always the full route's. What it accepts, the
// full route would accept with the same result: only Sign makes our
// signatures, and it signs JSON objects.
func (m *Manager) verifyOwn(ctx context.Context, tenantID, token string, hdr compactHeader) (*Verified, verifyKey, bool) {
	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return nil, verifyKey{}, false
	}
	key, ok := set.verify[hdr.kid]
	if !ok || key.alg != hdr.alg || !set.ownSignature(hdr.alg, hdr.kid, token) {
		return nil, verifyKey{}, false
	}
	// Unlike the full route, the payload is not checked for being a JSON
	// object: the signature shows that Sign wrote it, from a claims set.
	_, rest, _ := strings.Cut(token, ".")
	seg, _, _ := strings.Cut(rest, ".")
	payload, err := b64.DecodeString(seg)
	if err != nil {
		return nil, verifyKey{}, false
	}
	return &Verified{KeyID: hdr.kid, Alg: hdr.alg, Type: hdr.typ, Payload: payload}, key, true
}

// checkCompact checks the shape of a compact JWS before go-jose parses it:
// three strict base64url segments (RFC 7515 §2: no padding, no line
// breaks, no stray bits in the last character), and a protected header
// that is one JSON object of string members with no duplicate names (RFC
// 7515 §5.2 allows rejecting them) and only allowed parameters. Only the
// header is decoded here; go-jose decodes the payload and the signature,
// once. It returns the header's alg, kid and typ as written.
func checkCompact(token string) (compactHeader, error) {
	rest := token
	var header string
	for i := range 3 {
		seg, tail, more := strings.Cut(rest, ".")
		if more == (i == 2) {
			return compactHeader{}, invalid("not a compact JWS")
		}
		if seg == "" {
			return compactHeader{}, invalid("empty JWS segment")
		}
		if !isStrictBase64URL(seg) {
			return compactHeader{}, invalid("segment is not strict base64url")
		}
		if i == 0 {
			header = seg
		}
		rest = tail
	}
	raw, err := b64.DecodeString(header)
	if err != nil {
		return compactHeader{}, invalid("segment is not strict base64url")
	}
	return checkHeader(raw)
}

// isStrictBase64URL reports whether s is unpadded base64url that a strict
// decoder accepts: only the base64url alphabet (the Go decoder would
// otherwise skip CR and LF), a length that is not 1 modulo 4, and zero
// bits left over in the last character (RFC 4648 §3.5).
func isStrictBase64URL(s string) bool {
	var last byte
	for i := 0; i < len(s); i++ {
		v, ok := b64Value(s[i])
		if !ok {
			return false
		}
		last = v
	}
	switch len(s) % 4 {
	case 1:
		return false
	case 2:
		return last&0x0f == 0
	case 3:
		return last&0x03 == 0
	}
	return true
}

// b64Value is the 6-bit value of a base64url character.
func b64Value(c byte) (byte, bool) {
	switch {
	case 'A' <= c && c <= 'Z':
		return c - 'A', true
	case 'a' <= c && c <= 'z':
		return c - 'a' + 26, true
	case '0' <= c && c <= '9':
		return c - '0' + 52, true
	case c == '-':
		return 62, true
	case c == '_':
		return 63, true
	}
	return 0, false
}

// checkHeader walks the protected header's top-level names without
// allocating: `{`, then members `"name" : "string value"` separated by
// commas, then `}` and nothing after. Every parameter we accept (alg, kid,
// typ) has a string value, so any other value is refused here; a name
// written with escapes is refused as unknown (go-jose never writes one).
// go-jose parses the same bytes afterwards and checks the JSON in full,
// so this walk only decides which names are present. It returns the
// values of alg, kid and typ as written, escapes not decoded ("" when
// absent); a typ with escapes is refused (ours need none).
func checkHeader(raw []byte) (compactHeader, error) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return compactHeader{}, invalid("header is not a JSON object")
	}
	i = skipSpace(raw, i+1)
	var seen [3]bool // alg, kid, typ
	var hdr compactHeader
	first := true
	for {
		if i < len(raw) && raw[i] == '}' && first {
			break
		}
		name, next, ok := jsonString(raw, i)
		if !ok {
			return compactHeader{}, invalid("header is not a JSON object")
		}
		idx := slices.Index(headerNames[:], name)
		if idx < 0 {
			return compactHeader{}, invalid("header parameter %.32q not accepted", name)
		}
		if seen[idx] {
			return compactHeader{}, invalid("duplicate header parameter %q", name)
		}
		seen[idx] = true
		i = skipSpace(raw, next)
		if i >= len(raw) || raw[i] != ':' {
			return compactHeader{}, invalid("header is not a JSON object")
		}
		value, next, ok := jsonString(raw, skipSpace(raw, i+1))
		if !ok {
			return compactHeader{}, invalid("header parameter %q is not a string", name)
		}
		switch name {
		case "alg":
			hdr.alg = value
		case "kid":
			hdr.kid = value
		case "typ":
			if strings.IndexByte(value, '\\') >= 0 {
				return compactHeader{}, invalid("typ with escapes")
			}
			hdr.typ = value
		}
		i = skipSpace(raw, next)
		first = false
		if i < len(raw) && raw[i] == ',' {
			i = skipSpace(raw, i+1)
			continue
		}
		if i < len(raw) && raw[i] == '}' {
			break
		}
		return compactHeader{}, invalid("header is not a JSON object")
	}
	if skipSpace(raw, i+1) != len(raw) {
		return compactHeader{}, invalid("trailing data after header")
	}
	return hdr, nil
}

// compactHeader is what checkHeader read of a protected header: values
// as written, escapes not decoded. Only go-jose's parse or a match of our
// own signature (verifyOwn) makes them trustworthy.
type compactHeader struct {
	alg, kid, typ string
}

// headerNames are the only JOSE header parameters our tokens carry (see
// Sign). Everything else is refused rather than ignored, which covers
// `crit` (RFC 7515 §4.1.11), keys or key locations supplied by the token
// itself (`jwk`, `jku`, `x5u`, `x5c`, `x5t`: RFC 7515 §4.1.2–4.1.7, never
// trusted, RFC 8725 §3.10), and `b64` (RFC 7797), which would change what
// the signature covers.
var headerNames = [3]string{"alg", "kid", "typ"}

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace (RFC 8259 §2).
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonString reads the JSON string starting at b[i] and returns its text
// between the quotes, as written (escapes not decoded), and the index
// after the closing quote. It only finds the string's end; go-jose
// validates its content.
func jsonString(b []byte, i int) (string, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return "", i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++ // the escaped character cannot end the string
		case '"':
			return string(b[i+1 : j]), j + 1, true
		}
	}
	return "", i, false
}

// isJSONObject reports whether b is one JSON object (RFC 7519 §7.2 step 10).
func isJSONObject(b []byte) bool {
	b = bytes.TrimLeft(b, " \t\r\n")
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}
