package oauth

import (
	"fmt"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestMemCacheHitAndTTL(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c := newMemCache[string](clock, 5*time.Second, 10)
	if _, ok := c.get("t1", "a"); ok {
		t.Fatal("hit on an empty cache")
	}
	c.put(c.ticket(), "t1", "a", "A")
	if v, ok := c.get("t1", "a"); !ok || v != "A" {
		t.Fatalf("get = %q, %v; want A, true", v, ok)
	}
	if _, ok := c.get("t2", "a"); ok {
		t.Fatal("a value of t1 was served for t2")
	}
	clock.Advance(4999 * time.Millisecond)
	if _, ok := c.get("t1", "a"); !ok {
		t.Fatal("expired before its TTL")
	}
	clock.Advance(time.Millisecond)
	if _, ok := c.get("t1", "a"); ok {
		t.Fatal("served at its TTL: the TTL is the safety net and must hold")
	}
}

func TestMemCacheInvalidation(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c := newMemCache[int](clock, time.Minute, 100)
	fill := func() {
		for _, tid := range []string{"t1", "t2"} {
			for _, id := range []string{"a", "b"} {
				c.put(c.ticket(), tid, id, 1)
			}
		}
	}
	has := func(tid, id string) bool { _, ok := c.get(tid, id); return ok }

	fill()
	c.drop("t1", "a")
	if has("t1", "a") || !has("t1", "b") || !has("t2", "a") {
		t.Fatal("drop of one id dropped the wrong values")
	}
	c.drop("t1", "")
	if has("t1", "b") || !has("t2", "a") || !has("t2", "b") {
		t.Fatal("drop of a tenant dropped the wrong values")
	}
	if c.len() != 2 {
		t.Fatalf("len = %d, want 2", c.len())
	}
	c.dropAll()
	if has("t2", "a") || c.len() != 0 {
		t.Fatal("dropAll left values")
	}
	// Dropping what is not cached is harmless and keeps no state.
	c.drop("t9", "x")
	c.drop("t9", "")
	if len(c.tenants) != 0 {
		t.Fatalf("drop of unknown tenants left %d maps", len(c.tenants))
	}
}

// A read that started before an invalidation must not be cached after it:
// it may hold the state the invalidation announced as gone.
func TestMemCacheStaleFillRefused(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	c := newMemCache[string](clock, time.Minute, 100)
	tk := c.ticket()  // the store read starts
	c.drop("t1", "a") // the change commits and is announced
	c.put(tk, "t1", "a", "old")
	if _, ok := c.get("t1", "a"); ok {
		t.Fatal("a value read before the invalidation was cached")
	}
	c.put(c.ticket(), "t1", "a", "new")
	if v, _ := c.get("t1", "a"); v != "new" {
		t.Fatalf("get = %q, want new", v)
	}
}

func TestMemCacheBound(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	const max = 40
	c := newMemCache[int](clock, time.Minute, max)
	for i := range 1000 {
		c.put(c.ticket(), fmt.Sprintf("t%d", i%7), fmt.Sprintf("id%d", i), i)
		if c.len() > max {
			t.Fatalf("after %d puts the cache holds %d > %d", i+1, c.len(), max)
		}
	}
	n := 0
	for _, m := range c.tenants {
		n += len(m)
	}
	if n != c.len() {
		t.Fatalf("len %d disagrees with the %d values held", c.len(), n)
	}
	// The newest value is always there.
	if v, ok := c.get("t5", "id999"); !ok || v != 999 {
		t.Fatalf("newest value missing: %d, %v", v, ok)
	}
	// Expired entries go first: after the TTL a full cache sheds them and
	// keeps the fresh one.
	for i := 0; c.len() < max; i++ {
		c.put(c.ticket(), "t0", fmt.Sprintf("more%d", i), i)
	}
	clock.Advance(time.Minute)
	c.put(c.ticket(), "t1", "fresh", 1)
	if c.len() != 1 {
		t.Fatalf("len = %d after evicting expired values, want 1", c.len())
	}
}

func TestMemCacheDisabled(t *testing.T) {
	c := newMemCache[int](idp.NewFakeClock(time.Now()), 0, 100)
	c.put(c.ticket(), "t1", "a", 1)
	if _, ok := c.get("t1", "a"); ok || c.len() != 0 {
		t.Fatal("a cache with TTL 0 stored a value")
	}
}
