package oauth

import (
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
)

// memCache is a bounded in-memory cache of tenant-owned values with a TTL,
// the pattern behind the client, resource-server and token-status caches.
// The TTL is the safety net of cross-node consistency: every entry is
// re-read from the store at least that often, whether or not an
// invalidation (Provider.Invalidate) reached this node.
//
// A value read from the store before an invalidation must not be cached
// after it: callers take a ticket before the read and put with it, and a
// put whose ticket predates the latest invalidation (of any tenant:
// invalidations are rare, and a refused put only costs one more read) is
// not stored.
type memCache[V any] struct {
	clock idp.Clock
	ttl   time.Duration
	max   int

	mu      sync.RWMutex
	tenants map[string]map[string]memEntry[V]
	size    int
	gen     uint64 // counts invalidations
	stats   cachestat.Recorder
}

// memEntry is one cached value and when it stops being usable.
type memEntry[V any] struct {
	value   V
	expires time.Time
}

// ticket is the cache generation a store read started at.
type ticket uint64

// newMemCache returns a cache; ttl <= 0 disables it (get always misses,
// put stores nothing), so a Provider without caching reads the store on
// every request.
func newMemCache[V any](clock idp.Clock, ttl time.Duration, max int) *memCache[V] {
	return &memCache[V]{clock: clock, ttl: ttl, max: max, tenants: map[string]map[string]memEntry[V]{}, stats: cachestat.Nop{}}
}

// enabled reports whether the cache stores anything.
func (c *memCache[V]) enabled() bool { return c.ttl > 0 && c.max > 0 }

// get returns the live value of (tenantID, id).
func (c *memCache[V]) get(tenantID, id string) (V, bool) {
	var zero V
	if !c.enabled() {
		return zero, false
	}
	c.mu.RLock()
	t := c.tenants[tenantID]
	e, ok := t[id]
	c.mu.RUnlock()
	if !ok || !c.clock.Now().Before(e.expires) {
		c.stats.Miss()
		return zero, false
	}
	c.stats.Hit()
	return e.value, true
}

// ticket returns the generation to pass to put for a read starting now.
func (c *memCache[V]) ticket() ticket {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return ticket(c.gen)
}

// put caches v for (tenantID, id) for one TTL, unless an invalidation
// happened after tk was taken. When the cache is full
// it first drops expired entries, then (still full) arbitrary ones, so it
// never holds more than max values.
func (c *memCache[V]) put(tk ticket, tenantID, id string, v V) {
	if !c.enabled() {
		return
	}
	now := c.clock.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if uint64(tk) != c.gen {
		return
	}
	if _, exists := c.tenants[tenantID][id]; !exists {
		if c.size >= c.max {
			c.evict(now)
		}
		c.size++
	}
	t := c.tenants[tenantID]
	if t == nil {
		t = map[string]memEntry[V]{}
		c.tenants[tenantID] = t
	}
	t[id] = memEntry[V]{value: v, expires: now.Add(c.ttl)}
}

// evict makes room: expired entries first, then arbitrary ones until a
// quarter of the bound is free. The caller holds c.mu.
func (c *memCache[V]) evict(now time.Time) {
	for tid, t := range c.tenants {
		for id, e := range t {
			if !now.Before(e.expires) {
				delete(t, id)
				c.size--
			}
		}
		if len(t) == 0 {
			delete(c.tenants, tid)
		}
	}
	for tid, t := range c.tenants {
		for id := range t {
			if c.size <= c.max*3/4 {
				return
			}
			delete(t, id)
			c.size--
		}
		if len(t) == 0 {
			delete(c.tenants, tid)
		}
	}
}

// drop forgets (tenantID, id); an empty id forgets the whole tenant. Reads
// already in flight for the tenant will not be cached.
func (c *memCache[V]) drop(tenantID, id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	t := c.tenants[tenantID]
	if id == "" {
		c.size -= len(t)
		delete(c.tenants, tenantID)
		return
	}
	if _, ok := t[id]; ok {
		delete(t, id)
		c.size--
		if len(t) == 0 {
			delete(c.tenants, tenantID)
		}
	}
}

// dropAll forgets every tenant's values.
func (c *memCache[V]) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.tenants)
	c.size = 0
}

// len reports how many values are held (expired ones included until
// evicted or replaced).
func (c *memCache[V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.size
}
