package keys

import (
	"cmp"
	"context"
	"crypto"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authalla/authalla/internal/idp"
)

// maxCachedTypes bounds the per-typ header cache of a key set; typ values
// come from our own code (at+jwt, JWT, ...), so a handful is plenty.
const maxCachedTypes = 8

// verifyKey is one published public key.
type verifyKey struct {
	alg string
	pub crypto.PublicKey
	// fp is the SHA-256 of the stored public JWK: the key's identity
	// across reloads of the key set, for the verified-token cache.
	fp [sha256.Size]byte
}

// keySet is an immutable snapshot of one tenant's keys, read from the
// store at loadedAt. The signer and the JWKS always come from the same
// snapshot, so this process never signs with a kid it does not publish.
type keySet struct {
	loadedAt  time.Time
	activeKID string
	activeAlg string
	private   crypto.Signer // nil when the tenant has no active key
	jwks      []byte
	verify    map[string]verifyKey

	mu      sync.Mutex
	headers map[string]string // encoded protected headers, by typ
}

// published reports whether k belongs in the JWKS at now: staged and active
// keys always, retired keys until RemoveAfter.
func published(k *idp.SigningKey, now time.Time) bool {
	switch k.State {
	case idp.KeyStaged, idp.KeyActive:
		return true
	case idp.KeyRetired:
		return k.RemoveAfter == nil || now.Before(*k.RemoveAfter)
	}
	return false
}

// stateRank orders the JWKS: the active key first, then staged, then retired.
func stateRank(s idp.KeyState) int {
	switch s {
	case idp.KeyActive:
		return 0
	case idp.KeyStaged:
		return 1
	}
	return 2
}

// sortForJWKS orders keys active first, then staged, then retired, newest
// first within a state.
func sortForJWKS(keys []idp.SigningKey) {
	slices.SortStableFunc(keys, func(a, b idp.SigningKey) int {
		if c := cmp.Compare(stateRank(a.State), stateRank(b.State)); c != 0 {
			return c
		}
		return b.CreatedAt.Compare(a.CreatedAt)
	})
}

// load reads tenantID's keys from the store and builds a snapshot.
func (m *Manager) load(ctx context.Context, tenantID string) (*keySet, error) {
	keys, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("keys: list keys of tenant %s: %w", tenantID, err)
	}
	now := m.clock.Now()
	sortForJWKS(keys)
	set := &keySet{loadedAt: now, verify: make(map[string]verifyKey, len(keys))}
	jwks := jose.JSONWebKeySet{Keys: make([]jose.JSONWebKey, 0, len(keys))}
	for i := range keys {
		k := &keys[i]
		if !published(k, now) {
			continue
		}
		pub, err := parsePublic(k)
		if err != nil {
			return nil, err
		}
		if _, dup := set.verify[k.ID]; dup {
			return nil, fmt.Errorf("keys: tenant %s has two keys with kid %s", tenantID, k.ID)
		}
		set.verify[k.ID] = verifyKey{alg: k.Alg, pub: pub, fp: sha256.Sum256(k.PublicJWK)}
		// Only public parameters: the JWK is rebuilt from the parsed public
		// key, never copied from storage (RFC 7517 §4; RFC 7518 §6).
		jwks.Keys = append(jwks.Keys, jose.JSONWebKey{Key: pub, KeyID: k.ID, Algorithm: k.Alg, Use: "sig"})
		if k.State == idp.KeyActive && set.private == nil {
			priv, err := m.openPrivate(tenantID, k, pub)
			if err != nil {
				return nil, err
			}
			set.private, set.activeKID, set.activeAlg = priv, k.ID, k.Alg
		}
	}
	set.jwks, err = json.Marshal(jwks)
	if err != nil {
		return nil, fmt.Errorf("keys: encode JWKS of tenant %s: %w", tenantID, err)
	}
	return set, nil
}

// parsePublic decodes the stored public JWK of k and checks that it is a
// public key of the right type for k.Alg with the right kid.
func parsePublic(k *idp.SigningKey) (crypto.PublicKey, error) {
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(k.PublicJWK); err != nil {
		return nil, fmt.Errorf("keys: decode public key %s: %w", k.ID, err)
	}
	if !jwk.IsPublic() || jwk.KeyID != k.ID || !keyFits(k.Alg, jwk.Key) {
		return nil, fmt.Errorf("keys: stored public key %s is inconsistent with its record", k.ID)
	}
	return jwk.Key, nil
}

// header returns the encoded protected header (protectedHeader) of the
// active key for typ, encoding and caching it on first use.
func (s *keySet) header(typ string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.headers[typ]; ok {
		return h, nil
	}
	h, err := protectedHeader(s.activeAlg, s.activeKID, typ)
	if err != nil {
		return "", err
	}
	if s.headers == nil {
		s.headers = make(map[string]string)
	}
	if len(s.headers) < maxCachedTypes {
		s.headers[typ] = h
	}
	return h, nil
}
