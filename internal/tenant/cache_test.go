package tenant

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// cacheResolver is a resolver over tenants ten0…ten{n-1} (plus the fixture's)
// with small cache bounds.
func cacheResolver(t *testing.T, n, size, negSize int) (*Resolver, *fakeLookup, *idp.FakeClock, func(id string) error) {
	t.Helper()
	l := newLookup()
	for i := range n {
		id := fmt.Sprintf("ten%d", i)
		l.tenants[id] = &idp.Tenant{ID: id}
	}
	clk := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	r, err := NewResolver(l, Options{PublicURL: "https://login.example.com", BaseDomain: "example.com",
		Clock: clk, CacheSize: size, NegativeCacheSize: negSize})
	if err != nil {
		t.Fatal(err)
	}
	resolve := func(id string) error {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.Host = id + ".example.com"
		_, _, err := r.Resolve(req)
		return err
	}
	return r, l, clk, resolve
}

// TestCacheBoundEvictsLeastRecentlyUsed: at the bound one entry goes, the
// least recently used; the others stay cached.
func TestCacheBoundEvictsLeastRecentlyUsed(t *testing.T) {
	r, l, _, resolve := cacheResolver(t, 4, 3, 8)
	for _, id := range []string{"ten0", "ten1", "ten2", "ten0", "ten3"} { // ten1 is now the oldest
		if err := resolve(id); err != nil {
			t.Fatal(err)
		}
	}
	if found, _ := r.cache.len(); found != 3 {
		t.Fatalf("%d tenants cached, want the bound 3", found)
	}
	for _, tc := range []struct {
		id    string
		reads int // store reads after resolving id
	}{
		{"ten0", 4}, {"ten2", 4}, {"ten3", 4}, // still cached
		{"ten1", 5}, // evicted, read again (and evicts ten0, now the oldest)
		{"ten0", 6},
	} {
		if err := resolve(tc.id); err != nil {
			t.Fatal(err)
		}
		if l.calls != tc.reads {
			t.Fatalf("after %s: %d store reads, want %d", tc.id, l.calls, tc.reads)
		}
	}
}

// TestCacheNegativeEntries: an unknown tenant is remembered for the short
// negative TTL only, and a spray of unknown hosts is bounded on its own
// without pushing known tenants out.
func TestCacheNegativeEntries(t *testing.T) {
	r, l, clk, resolve := cacheResolver(t, 2, 10, 4)
	if err := resolve("ten0"); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		if err := resolve(fmt.Sprintf("nobody%d", i)); err == nil {
			t.Fatal("unknown tenant resolved")
		}
	}
	found, notFound := r.cache.len()
	if found != 1 || notFound != 4 {
		t.Fatalf("cached %d found and %d not found, want 1 and the bound 4", found, notFound)
	}
	reads := l.calls
	steps := []struct {
		name    string
		advance time.Duration
		id      string
		reads   int
	}{
		{"absence cached", 0, "nobody99", reads},
		{"known tenant kept through the spray", 0, "ten0", reads},
		{"absence expires after the negative TTL", DefaultNegativeCacheTTL, "nobody99", reads + 1},
		{"the tenant is still cached", 0, "ten0", reads + 1},
	}
	for _, s := range steps {
		clk.Advance(s.advance)
		_ = resolve(s.id)
		if l.calls != s.reads {
			t.Fatalf("%s: %d store reads, want %d", s.name, l.calls, s.reads)
		}
	}
	// A tenant created meanwhile is found once its absence expired.
	l.tenants["nobody98"] = &idp.Tenant{ID: "nobody98"}
	clk.Advance(DefaultNegativeCacheTTL)
	if err := resolve("nobody98"); err != nil {
		t.Fatalf("new tenant after the negative TTL: %v", err)
	}
}

// racingLookup invalidates the resolver while a read is in flight, as a
// change committed on another node between the read and the cache write.
type racingLookup struct {
	*fakeLookup
	during func()
}

func (l *racingLookup) GetTenant(ctx context.Context, id string) (*idp.Tenant, error) {
	t, err := l.fakeLookup.GetTenant(ctx, id)
	if l.during != nil {
		l.during()
	}
	return t, err
}

// TestCacheInvalidationDuringLoad: a row read before an invalidation is
// not cached after it, so the next request reads the new row instead of
// serving the old one for a whole TTL.
func TestCacheInvalidationDuringLoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		ch   idp.Change
	}{
		{"that tenant", idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"}},
		{"every tenant", idp.Change{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &racingLookup{fakeLookup: newLookup()}
			r, err := NewResolver(l, Options{PublicURL: "https://login.example.com", BaseDomain: "example.com",
				Clock: idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.Host = "acme.example.com"
			l.during = func() { r.Invalidate(tc.ch) }
			if _, _, err := r.Resolve(req); err != nil {
				t.Fatal(err)
			}
			l.during = nil
			for range 2 {
				if _, _, err := r.Resolve(req); err != nil {
					t.Fatal(err)
				}
			}
			if l.calls != 2 {
				t.Fatalf("%d store reads, want 2 (the raced read is not cached, the next one is)", l.calls)
			}
		})
	}
}
