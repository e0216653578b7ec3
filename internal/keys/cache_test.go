package keys

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

// TestCacheAvoidsStore checks that signing, verifying and serving the JWKS
// read the store once per TTL, not per request, and that Invalidate and
// the TTL refresh it.
func TestCacheAvoidsStore(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgEdDSA)
	tok := e.sign(t, "t1", testClaims{})
	base := e.st.listCalls()
	for range 100 {
		e.sign(t, "t1", testClaims{})
		if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
			t.Fatal(err)
		}
		if _, err := e.m.JWKS(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.st.listCalls() - base; n != 0 {
		t.Fatalf("300 cached operations read the store %d times", n)
	}

	steps := []struct {
		name string
		act  func()
		want int
	}{
		{"within TTL", func() { e.clock.Advance(testCacheTTL - time.Microsecond) }, 0},
		{"TTL passed", func() { e.clock.Advance(time.Microsecond) }, 1},
		{"Invalidate", func() { e.m.Invalidate(idp.Change{Kind: idp.ChangeKeys, TenantID: "t1"}) }, 1},
		{"clock went backwards", func() { e.clock.Advance(-time.Hour) }, 1},
	}
	for _, s := range steps {
		s.act()
		before := e.st.listCalls()
		for range 10 {
			e.sign(t, "t1", testClaims{})
		}
		if n := e.st.listCalls() - before; n != s.want {
			t.Errorf("%s: %d store reads, want %d", s.name, n, s.want)
		}
	}
}

// TestCacheConcurrentLoads checks that concurrent first uses of a tenant
// share one store read and all succeed.
func TestCacheConcurrentLoads(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgES256)
	e.m.Invalidate(idp.Change{Kind: idp.ChangeKeys, TenantID: "t1"})
	before := e.st.listCalls()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for range 32 {
		wg.Go(func() {
			_, err := e.m.Sign(ctx, "t1", TypJWT, testClaims{})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := e.st.listCalls() - before; n != 1 {
		t.Errorf("32 concurrent cold signs read the store %d times", n)
	}
}

func TestCacheBounded(t *testing.T) {
	st := &fakeStore{}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: st, sealer: sealer}
	e.clock = newEnv(t).clock
	e.m = New(Options{Store: st, Sealer: sealer, Clock: e.clock, MaxTenants: 3})
	for i := range 10 {
		tenant := fmt.Sprintf("t%d", i)
		e.ensure(t, tenant, AlgEdDSA)
		e.sign(t, tenant, testClaims{})
		if n := e.m.cache.len(); n > 3 {
			t.Fatalf("cache holds %d tenants, bound is 3", n)
		}
	}
	// The most recently used tenants stay; the oldest were evicted.
	before := st.listCalls()
	e.sign(t, "t9", testClaims{})
	if st.listCalls() != before {
		t.Error("the most recent tenant was evicted")
	}
	e.sign(t, "t0", testClaims{})
	if st.listCalls() != before+1 {
		t.Error("the oldest tenant was not evicted")
	}
}

// TestCacheBoundedUnderTenantSpray puts far more tenants than the bound
// into the key-set cache and checks it stays at the bound
// (docs/deployment.md, "Memory bounds").
func TestCacheBoundedUnderTenantSpray(t *testing.T) {
	for _, bound := range []int{1, 64} {
		c := newCache(bound)
		for i := range 100 * bound {
			c.mu.Lock()
			c.put(fmt.Sprintf("t%d", i), &keySet{})
			c.mu.Unlock()
			if n := c.len(); n > bound {
				t.Fatalf("cache holds %d tenants, bound %d", n, bound)
			}
		}
		c.mu.Lock()
		entries := len(c.entries)
		c.mu.Unlock()
		if n := c.len(); n != bound || entries != bound {
			t.Fatalf("after the spray: lru %d, map %d, want %d", n, entries, bound)
		}
	}
}
