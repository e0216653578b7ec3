package tenant

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// lookups counts what the resolver reports to its cache recorder.
type lookups struct{ hits, misses atomic.Int64 }

func (l *lookups) Hit()  { l.hits.Add(1) }
func (l *lookups) Miss() { l.misses.Add(1) }

// TestCacheCountsHitsAndMisses: every resolution is one hit or one miss,
// and a miss is exactly a store read.
func TestCacheCountsHitsAndMisses(t *testing.T) {
	l := newLookup()
	clk := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	stats := &lookups{}
	r, err := NewResolver(l, Options{PublicURL: "https://login.example.com", BaseDomain: "example.com", Clock: clk, Cache: stats})
	if err != nil {
		t.Fatal(err)
	}
	resolve := func(host string) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = host
		_, _, _ = r.Resolve(req)
	}
	steps := []struct {
		name         string
		act          func()
		hits, misses int64
	}{
		{"first", func() { resolve("acme.example.com") }, 0, 1},
		{"cached", func() { resolve("acme.example.com"); resolve("acme.example.com") }, 2, 1},
		{"unknown tenant, then its cached absence", func() { resolve("nobody.example.com"); resolve("nobody.example.com") }, 3, 2},
		{"admin tenant", func() { resolve("login.example.com") }, 3, 3},
		{"after the TTL", func() { clk.Advance(DefaultCacheTTL); resolve("acme.example.com") }, 3, 4},
		{"after an invalidation", func() {
			r.Invalidate(idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"})
			resolve("acme.example.com")
		}, 3, 5},
		{"bad syntax never reaches the cache", func() { resolve("-x-.example.com") }, 3, 5},
	}
	for _, s := range steps {
		s.act()
		if h, m := stats.hits.Load(), stats.misses.Load(); h != s.hits || m != s.misses {
			t.Fatalf("%s: hits %d misses %d, want %d and %d", s.name, h, m, s.hits, s.misses)
		}
		if int64(l.calls) != stats.misses.Load() {
			t.Fatalf("%s: %d store reads but %d misses", s.name, l.calls, stats.misses.Load())
		}
	}
}
