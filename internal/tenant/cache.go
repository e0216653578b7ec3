package tenant

import (
	"container/list"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Cache defaults. Every committed tenant change is announced on the change
// bus and drops the tenant from every node's resolver at once (in-process,
// and across nodes through LISTEN/NOTIFY), so the TTL is only the safety
// net for a change nobody announced to this process: a node killed between
// its commit and its pg_notify, or a CLI run against a SQLite data
// directory while a server runs on it (the CLI cannot reach the server's
// in-process bus). A node whose listening connection drops empties its
// caches when it listens again (internal/changes). 30 s bounds how long
// such a node serves a tenant's old settings — a suspension or a settings
// change at most half a minute late — while a tenant requested at least
// every 30 s is read from the database once per TTL instead of on every
// request (at 10,000 tenants a 2 s TTL made nearly every request a miss).
// Unknown tenants are cached for 2 s, as all tenants were before, in a
// list of their own: a tenant whose creation was not announced answers
// within 2 s, and a spray of made-up hosts only ever holds
// DefaultNegativeCacheSize entries, never pushing known tenants out.
const (
	DefaultCacheTTL          = 30 * time.Second
	DefaultCacheSize         = 20_000
	DefaultNegativeCacheTTL  = 2 * time.Second
	DefaultNegativeCacheSize = 1_024
)

// tenantCache holds tenants by id, and "no such tenant" answers in a
// separate, smaller and shorter-lived list so that lookups of unknown
// hosts cannot push known tenants out. Both are least-recently-used lists
// of a fixed size: at the bound the oldest entry goes, one at a time.
type tenantCache struct {
	ttl, negTTL time.Duration

	mu       sync.Mutex
	found    lru
	notFound lru
	// gen counts invalidations. A load records it before reading the
	// store and stores its answer only if no invalidation happened
	// meanwhile, so a read that raced a change cannot put the old row
	// back for a whole TTL.
	gen uint64
}

func newTenantCache(ttl, negTTL time.Duration, size, negSize int) *tenantCache {
	return &tenantCache{ttl: ttl, negTTL: negTTL, found: newLRU(size), notFound: newLRU(negSize)}
}

// get returns a live entry for key and the generation a load must pass to
// put.
func (c *tenantCache) get(key string, now time.Time) (e cacheEntry, ok bool, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.found.get(key, now); ok {
		return e, true, c.gen
	}
	e, ok = c.notFound.get(key, now)
	return e, ok, c.gen
}

// put stores what a load found (t) or did not find (err), unless the cache
// was invalidated since gen.
func (c *tenantCache) put(key string, t *idp.Tenant, infos *issuerInfos, err error, now time.Time, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	if err != nil {
		c.found.remove(key)
		c.notFound.put(cacheEntry{key: key, err: err, expires: now.Add(c.negTTL)})
		return
	}
	c.notFound.remove(key)
	c.found.put(cacheEntry{key: key, t: t, infos: infos, expires: now.Add(c.ttl)})
}

// drop removes key, and the admin entry too when admin(entry) says so.
func (c *tenantCache) drop(key, adminKey string, admin func(cacheEntry) bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.found.remove(key)
	c.notFound.remove(key)
	if e, ok := c.found.peek(adminKey); ok && admin(e) {
		c.found.remove(adminKey)
	}
	if e, ok := c.notFound.peek(adminKey); ok && admin(e) {
		c.notFound.remove(adminKey)
	}
}

// clear empties the cache.
func (c *tenantCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.found.clear()
	c.notFound.clear()
}

// len reports the entries held (found, not found), expired or not.
func (c *tenantCache) len() (int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.found.ll.Len(), c.notFound.ll.Len()
}

type cacheEntry struct {
	key     string
	t       *idp.Tenant
	err     error
	expires time.Time
	// infos are the request infos of t at its path and host issuers,
	// built once per load and shared by every request (Resolver.Resolve);
	// nil for the admin entry and for an issuer form that is off.
	infos *issuerInfos
}

// issuerInfos are the Infos of one loaded tenant.
type issuerInfos struct{ path, host *Info }

// lru is a fixed-size least-recently-used list; not safe for concurrent
// use (tenantCache locks).
type lru struct {
	max int
	ll  *list.List // front: most recently used; values are *cacheEntry
	m   map[string]*list.Element
}

func newLRU(max int) lru {
	return lru{max: max, ll: list.New(), m: make(map[string]*list.Element)}
}

// get returns a live entry and marks it used; an expired one is removed.
func (l *lru) get(key string, now time.Time) (cacheEntry, bool) {
	el, ok := l.m[key]
	if !ok {
		return cacheEntry{}, false
	}
	e := el.Value.(*cacheEntry)
	if !now.Before(e.expires) {
		l.ll.Remove(el)
		delete(l.m, key)
		return cacheEntry{}, false
	}
	l.ll.MoveToFront(el)
	return *e, true
}

// peek returns an entry, live or not, without marking it used.
func (l *lru) peek(key string) (cacheEntry, bool) {
	if el, ok := l.m[key]; ok {
		return *el.Value.(*cacheEntry), true
	}
	return cacheEntry{}, false
}

// put inserts or replaces e as the most recently used entry, evicting the
// least recently used one beyond the bound.
func (l *lru) put(e cacheEntry) {
	if el, ok := l.m[e.key]; ok {
		*el.Value.(*cacheEntry) = e
		l.ll.MoveToFront(el)
		return
	}
	l.m[e.key] = l.ll.PushFront(&e)
	for l.ll.Len() > l.max {
		old := l.ll.Back()
		l.ll.Remove(old)
		delete(l.m, old.Value.(*cacheEntry).key)
	}
}

func (l *lru) remove(key string) {
	if el, ok := l.m[key]; ok {
		l.ll.Remove(el)
		delete(l.m, key)
	}
}

func (l *lru) clear() {
	l.ll.Init()
	clear(l.m)
}
