package keys

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/authalla/authalla/internal/flatjson"
	"github.com/authalla/authalla/internal/metrics/cachestat"
)

// DefaultVerifiedTokens bounds the cache of verified access tokens (about
// 1 KiB each: the payload and, once a caller decoded them, its claims).
const DefaultVerifiedTokens = 8192

// verifiedCache remembers access tokens whose signature verified, by the
// SHA-256 of the exact compact token, so that a token presented again
// (introspection, a resource server, /api/v1, /mcp) costs a hash and a
// map lookup instead of a signature verification. The precedent is
// Envoy's jwt_authn `jwt_cache_config`.
//
// Why it is sound: the hash binds the exact bytes, so a hit is a token
// identical to one that verified (a changed header, payload or signature
// is another key); an entry is used only for the tenant it was verified
// for, before the token's exp, and only while the key that verified it is
// still one of the tenant's published keys with the same public key
// (checked against the current key set on every hit, so a removed key
// stops its tokens at once wherever the key set was reloaded, and its
// entries are dropped when the tenant's keys change). Only positive
// results are kept: a forged token is verified (and refused) every time.
// Revocation, expiry and the other claims are the caller's checks and
// still run on every call.
//
// Eviction: at most max entries. When full, an insert first drops every
// expired entry, then, if still above seven eighths of max, arbitrary
// entries (Go's map order) until it is not: no entry outlives its token,
// and the cost of a full cache is amortised over max/8 inserts.
type verifiedCache struct {
	max   int
	stats cachestat.Recorder

	mu      sync.RWMutex
	entries map[[sha256.Size]byte]*verifiedEntry
}

// verifiedEntry is one verified token.
type verifiedEntry struct {
	tenantID string
	keyFP    [sha256.Size]byte // the verifying key's fingerprint (verifyKey.fp)
	expires  int64             // the token's exp (Unix seconds): usable while now < expires
	v        *Verified
}

// newVerifiedCache returns a cache of at most max entries; max <= 0
// disables it.
func newVerifiedCache(max int, stats cachestat.Recorder) *verifiedCache {
	return &verifiedCache{max: max, stats: stats, entries: make(map[[sha256.Size]byte]*verifiedEntry)}
}

func (c *verifiedCache) enabled() bool { return c != nil && c.max > 0 }

// verifiedHit answers Verify from the cache: ok is false on a miss (the
// caller verifies in full). An error is a failure to read the key set.
func (m *Manager) verifiedHit(ctx context.Context, tenantID string, sum [sha256.Size]byte) (*Verified, bool, error) {
	c := m.verified
	c.mu.RLock()
	e := c.entries[sum]
	c.mu.RUnlock()
	if e == nil || e.tenantID != tenantID || m.clock.Now().Unix() >= e.expires {
		c.stats.Miss()
		return nil, false, nil
	}
	set, err := m.keySet(ctx, tenantID)
	if err != nil {
		return nil, false, err
	}
	if k, ok := set.verify[e.v.KeyID]; !ok || k.fp != e.keyFP || k.alg != e.v.Alg {
		// The key was removed (or replaced under its kid): forget the
		// entry and verify in full, which refuses the token.
		c.drop(sum, e)
		c.stats.Miss()
		return nil, false, nil
	}
	c.stats.Hit()
	return e.v, true, nil
}

// remember caches v, verified by key for tenantID, if it is an access
// token (RFC 9068 §2.1 typ at+jwt) with an exp in the future.
func (m *Manager) remember(tenantID string, sum [sha256.Size]byte, v *Verified, key verifyKey) {
	if !strings.EqualFold(v.Type, TypAccessToken) && !strings.EqualFold(v.Type, "application/"+TypAccessToken) {
		return
	}
	exp, ok := expiry(v.Payload)
	if !ok {
		return
	}
	now := m.clock.Now().Unix()
	if exp <= now {
		return
	}
	m.verified.put(sum, &verifiedEntry{tenantID: tenantID, keyFP: key.fp, expires: exp, v: v}, now)
}

// expiry reads the exp claim of a JWT payload (RFC 7519 §4.1.4): with
// flatjson when the payload is flat, as ours are, else with encoding/json
// (which also takes a name such as "EXP" for exp, so such a name is left
// to it).
func expiry(payload []byte) (int64, bool) {
	var exp int64
	ok := true
	if flatjson.Walk(payload, func(name string, v flatjson.Value) bool {
		switch {
		case name == "exp":
			exp, ok = v.Int()
		case strings.EqualFold(name, "exp"):
			ok = false
		}
		return ok
	}) {
		return exp, true
	}
	var claims struct {
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(payload, &claims) != nil {
		return 0, false
	}
	return claims.Exp, true
}

// put stores e under sum, making room first when the cache is full.
func (c *verifiedCache) put(sum [sha256.Size]byte, e *verifiedEntry, now int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, exists := c.entries[sum]; !exists && len(c.entries) >= c.max {
		c.evict(now)
	}
	c.entries[sum] = e
}

// evict drops expired entries, then arbitrary ones down to seven eighths
// of max. The caller holds c.mu.
func (c *verifiedCache) evict(now int64) {
	for k, e := range c.entries {
		if now >= e.expires {
			delete(c.entries, k)
		}
	}
	for k := range c.entries {
		if len(c.entries) <= c.max*7/8 {
			return
		}
		delete(c.entries, k)
	}
}

// drop forgets sum if it still holds e.
func (c *verifiedCache) drop(sum [sha256.Size]byte, e *verifiedEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries[sum] == e {
		delete(c.entries, sum)
	}
}

// dropTenant forgets every entry of tenantID ("" = every tenant's): the
// tenant's keys changed. Key changes are rare, so a scan is fine.
func (c *verifiedCache) dropTenant(tenantID string) {
	if !c.enabled() {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if tenantID == "" {
		clear(c.entries)
		return
	}
	for k, e := range c.entries {
		if e.tenantID == tenantID {
			delete(c.entries, k)
		}
	}
}

// len reports how many tokens are cached.
func (c *verifiedCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.entries)
}

// claimsMemo holds a caller's decoded claims of one Verified.
type claimsMemo struct{ value any }

// ClaimsDecoder is a claims type that reads its own JSON without
// reflection. DecodeClaims reports false when it could not read payload
// exactly as encoding/json would (its value is then thrown away and
// encoding/json decodes the payload instead), so it may handle only the
// shapes our own encoder writes.
type ClaimsDecoder interface {
	DecodeClaims(payload []byte) bool
}

// Claims decodes the payload of v into a T, with T's own DecodeClaims if
// *T is a ClaimsDecoder and encoding/json otherwise. A Verified served
// from the cache is shared by every presentation of its token, so the
// first decoding into a T is kept with it and later calls return a copy
// of that value without decoding again. T should be a struct of plain
// values; slices in it are shared and must not be modified.
func Claims[T any](v *Verified) (T, error) {
	if m := v.memo.Load(); m != nil {
		if c, ok := m.value.(T); ok {
			return c, nil
		}
	}
	var c T
	if d, ok := any(&c).(ClaimsDecoder); !ok || !d.DecodeClaims(v.Payload) {
		var zero T
		c = zero
		if err := json.Unmarshal(v.Payload, &c); err != nil {
			return c, err
		}
	}
	v.memo.CompareAndSwap(nil, &claimsMemo{value: c})
	return c, nil
}

// memoSlot is embedded in Verified.
type memoSlot = atomic.Pointer[claimsMemo]
