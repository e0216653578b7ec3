package keys

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
)

// Typ values for the JWS `typ` header.
const (
	// TypAccessToken marks a JWT access token (RFC 9068 §2.1).
	TypAccessToken = "at+jwt"
	// TypJWT is the conventional type of ID tokens (RFC 7519 §5.1).
	TypJWT = "JWT"
)

// JSONAppender is a claims set that writes its own JSON: AppendJSON
// appends the claims set's JSON object (RFC 7519 §7.1 step 1) to dst and
// returns the extended slice. Hot claims sets implement it to skip
// encoding/json's reflection; the encoding must be the one json.Marshal
// would write for the same value.
type JSONAppender interface {
	AppendJSON(dst []byte) []byte
}

// payloadBuffers recycles the buffers JSONAppender claims are written
// into; maxPooledPayload keeps an unusually large claims set from being
// held.
var payloadBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

const maxPooledPayload = 16 << 10

// Sign serialises claims as a compact JWS (RFC 7515 §7.1) signed with the
// tenant's active key; the protected header carries `alg`, `kid` and, when
// typ is not empty, `typ`. Claims that implement JSONAppender encode
// themselves; others go through json.Marshal. Signatures are
// deterministic (signature). It returns ErrNoKey if the tenant has none.
func (m *Manager) Sign(ctx context.Context, tenantID, typ string, claims any) (string, error) {
	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return "", err
	}
	if set.private == nil {
		return "", fmt.Errorf("%w (tenant %s)", ErrNoKey, tenantID)
	}
	header, err := set.header(typ)
	if err != nil {
		return "", err
	}
	a, ok := claims.(JSONAppender)
	if !ok {
		payload, err := json.Marshal(claims)
		if err != nil {
			return "", fmt.Errorf("keys: encode claims: %w", err)
		}
		return signCompact(set, header, payload)
	}
	bp := payloadBuffers.Get().(*[]byte)
	payload := a.AppendJSON((*bp)[:0])
	token, err := signCompact(set, header, payload)
	if cap(payload) <= maxPooledPayload {
		*bp = payload
		payloadBuffers.Put(bp)
	}
	return token, err
}

// signatureLenHint sizes the token buffer: the longest signature of the
// keys we generate (RSA-2048, 256 bytes); a longer one grows the buffer.
const signatureLenHint = rsaBits / 8

// signCompact returns the compact JWS of payload signed with set's active
// key under header, built in one buffer sized for it.
func signCompact(set *keySet, header string, payload []byte) (string, error) {
	n := len(header) + b64.EncodedLen(len(payload)) + 1 + b64.EncodedLen(signatureLenHint)
	token, err := appendCompact(make([]byte, 0, n), header, set.activeAlg, set.private, payload)
	if err != nil {
		return "", err
	}
	return string(token), nil
}

// JWKS returns the tenant's public JWK Set (RFC 7517 §5): the active key
// first, then staged keys, then retired keys not yet past RemoveAfter. Each
// key has `kid`, `kty`, `alg`, `use` = "sig" and public parameters only.
// The returned slice is shared; callers must not modify it.
func (m *Manager) JWKS(ctx context.Context, tenantID string) ([]byte, error) {
	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	return set.jwks, nil
}
