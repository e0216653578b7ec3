package oauth

import (
	"container/list"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Cache lifetimes of metadata documents. A document's own Cache-Control
// max-age is honoured (HTTP caching, RFC 9111 §5.2.2.1, which the draft
// leaves the server to apply) within these bounds: the floor stops a
// client from making every request a fetch, the ceiling lets a changed
// document (a removed redirect URI) take effect within a day. A refusal is remembered briefly, so that a broken or hostile URL
// cannot make the server fetch it on every request either.
const (
	minMetadataCacheTTL      = 5 * time.Minute
	maxMetadataCacheTTL      = 24 * time.Hour
	negativeMetadataCacheTTL = 30 * time.Second
	defaultMetadataCacheSize = 1000
)

// metadataTTL is how long a fetched document is used: its max-age clamped
// to [minMetadataCacheTTL, maxMetadataCacheTTL], the floor when it has none.
func metadataTTL(f *fetched) time.Duration {
	ttl := f.maxAge
	if !f.hasMaxAge || ttl < minMetadataCacheTTL {
		ttl = minMetadataCacheTTL
	}
	return min(ttl, maxMetadataCacheTTL)
}

// metadataEntry is one cached outcome: the client a document describes,
// or why it was refused.
type metadataEntry struct {
	key     string
	doc     *idp.Client // never modified once cached
	err     error
	expires time.Time
}

// metadataCache is a bounded in-memory cache of metadata documents. When
// full, the oldest entry goes first. Safe for concurrent use.
type metadataCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]*list.Element
	order   *list.List // of *metadataEntry, oldest in front
}

func newMetadataCache(max int) *metadataCache {
	if max <= 0 {
		max = defaultMetadataCacheSize
	}
	return &metadataCache{max: max, entries: map[string]*list.Element{}, order: list.New()}
}

// get returns the live entry for key; an expired one is dropped.
func (c *metadataCache) get(key string, now time.Time) (*metadataEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	e := el.Value.(*metadataEntry)
	if !now.Before(e.expires) {
		c.order.Remove(el)
		delete(c.entries, key)
		return nil, false
	}
	return e, true
}

// put stores e, replacing an entry with the same key, and evicts the
// oldest entries past the bound.
func (c *metadataCache) put(e *metadataEntry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[e.key]; ok {
		c.order.Remove(el)
	}
	c.entries[e.key] = c.order.PushBack(e)
	for c.order.Len() > c.max {
		oldest := c.order.Front()
		c.order.Remove(oldest)
		delete(c.entries, oldest.Value.(*metadataEntry).key)
	}
}

// len returns the number of entries, expired ones included.
func (c *metadataCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
