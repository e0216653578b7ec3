package keys

import (
	"container/list"
	"context"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/metrics/cachestat"
)

// cache holds key-set snapshots per tenant, least recently used evicted
// first, and collapses concurrent loads of one tenant into a single store
// read.
type cache struct {
	mu      sync.Mutex
	max     int
	lru     *list.List               // of *cacheEntry, most recent at the front
	entries map[string]*list.Element // tenant id -> element of lru
	flights map[string]*flight       // tenant id -> load in progress
	stats   cachestat.Recorder
}

// loadTimeout bounds one store read; the load outlives the request that
// started it (other requests may be waiting on it), so it needs its own.
const loadTimeout = 10 * time.Second

type cacheEntry struct {
	tenantID string
	set      *keySet
}

// flight is one load in progress; waiters block on done.
type flight struct {
	done chan struct{}
	set  *keySet
	err  error
}

func newCache(max int) *cache {
	return &cache{
		max:     max,
		lru:     list.New(),
		entries: make(map[string]*list.Element),
		flights: make(map[string]*flight),
		stats:   cachestat.Nop{},
	}
}

// fresh reports whether a snapshot loaded at loadedAt may still be used at
// now. A clock that went backwards counts as stale.
func fresh(loadedAt, now time.Time, ttl time.Duration) bool {
	age := now.Sub(loadedAt)
	return age >= 0 && age < ttl
}

// keySet returns a snapshot of tenantID's keys no older than the cache TTL.
func (m *Manager) keySet(ctx context.Context, tenantID string) (*keySet, error) {
	return m.cache.get(ctx, tenantID, func(set *keySet) bool {
		return fresh(set.loadedAt, m.clock.Now(), m.cacheTTL)
	}, m.load)
}

// reload drops tenantID's snapshot if it was loaded before the last
// minReload interval and returns a new one; otherwise it returns the
// current snapshot. It serves tokens whose kid we do not know yet (a key
// created by another replica) without letting unknown kids hammer the store.
func (m *Manager) reload(ctx context.Context, tenantID string, old *keySet) (*keySet, error) {
	if fresh(old.loadedAt, m.clock.Now(), minReload) {
		return old, nil
	}
	m.cache.dropIf(tenantID, old)
	return m.keySet(ctx, tenantID)
}

// get returns the cached set when usable, else loads it once for all
// concurrent callers.
func (c *cache) get(ctx context.Context, tenantID string, usable func(*keySet) bool,
	load func(context.Context, string) (*keySet, error)) (*keySet, error) {
	c.mu.Lock()
	if el, ok := c.entries[tenantID]; ok {
		e := el.Value.(*cacheEntry)
		if usable(e.set) {
			c.stats.Hit()
			c.lru.MoveToFront(el)
			c.mu.Unlock()
			return e.set, nil
		}
	}
	c.stats.Miss() // a load, started here or joined
	f, ok := c.flights[tenantID]
	if !ok {
		f = &flight{done: make(chan struct{})}
		c.flights[tenantID] = f
		go c.run(context.WithoutCancel(ctx), tenantID, f, load)
	}
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.set, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// run performs one load and stores its result unless the tenant was
// invalidated meanwhile. A snapshot without an active key is not cached,
// so a tenant's first key is picked up at once.
func (c *cache) run(ctx context.Context, tenantID string, f *flight, load func(context.Context, string) (*keySet, error)) {
	ctx, cancel := context.WithTimeout(ctx, loadTimeout)
	set, err := load(ctx, tenantID)
	cancel()
	c.mu.Lock()
	if c.flights[tenantID] == f {
		delete(c.flights, tenantID)
		if err == nil && set.private != nil {
			c.put(tenantID, set)
		}
	}
	c.mu.Unlock()
	f.set, f.err = set, err
	close(f.done)
}

// put stores set for tenantID, evicting the least recently used tenant when
// the cache is full. The caller holds c.mu.
func (c *cache) put(tenantID string, set *keySet) {
	if el, ok := c.entries[tenantID]; ok {
		el.Value.(*cacheEntry).set = set
		c.lru.MoveToFront(el)
		return
	}
	for c.lru.Len() >= c.max {
		oldest := c.lru.Back()
		c.lru.Remove(oldest)
		delete(c.entries, oldest.Value.(*cacheEntry).tenantID)
	}
	c.entries[tenantID] = c.lru.PushFront(&cacheEntry{tenantID: tenantID, set: set})
}

// invalidate forgets tenantID's snapshot and detaches any load in progress,
// whose result may predate the change that caused the invalidation.
func (c *cache) invalidate(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[tenantID]; ok {
		c.lru.Remove(el)
		delete(c.entries, tenantID)
	}
	delete(c.flights, tenantID)
}

// invalidateAll forgets every tenant's snapshot and detaches every load
// in progress.
func (c *cache) invalidateAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.lru.Init()
	clear(c.entries)
	clear(c.flights)
}

// dropIf forgets tenantID's snapshot if it is still old.
func (c *cache) dropIf(tenantID string, old *keySet) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[tenantID]; ok && el.Value.(*cacheEntry).set == old {
		c.lru.Remove(el)
		delete(c.entries, tenantID)
	}
}

// len reports how many tenants are cached.
func (c *cache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
