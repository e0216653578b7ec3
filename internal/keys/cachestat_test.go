package keys

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// lookups counts what the key cache reports to its recorder.
type lookups struct{ hits, misses atomic.Int64 }

func (l *lookups) Hit()  { l.hits.Add(1) }
func (l *lookups) Miss() { l.misses.Add(1) }

// TestCacheCountsHitsAndMisses: uses served from memory are hits; each
// store read is one miss.
func TestCacheCountsHitsAndMisses(t *testing.T) {
	e := newEnv(t)
	stats := &lookups{}
	e.m.cache.stats = stats
	ctx := context.Background()
	e.ensure(t, "t1", AlgES256)
	e.m.Invalidate(idp.Change{Kind: idp.ChangeKeys, TenantID: "t1"})
	stats.hits.Store(0)
	stats.misses.Store(0)

	base := e.st.listCalls()
	for range 10 {
		if _, err := e.m.JWKS(ctx, "t1"); err != nil {
			t.Fatal(err)
		}
	}
	if h, m, reads := stats.hits.Load(), stats.misses.Load(), e.st.listCalls()-base; m != 1 || h != 9 || reads != 1 {
		t.Fatalf("10 JWKS: hits %d misses %d store reads %d, want 9, 1, 1", h, m, reads)
	}
	e.clock.Advance(testCacheTTL)
	if _, err := e.m.JWKS(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if m := stats.misses.Load(); m != 2 {
		t.Fatalf("after the TTL: misses %d, want 2", m)
	}
}

// TestCacheRecorderDefault: without Options.Cache nothing is counted and
// nothing panics.
func TestCacheRecorderDefault(t *testing.T) {
	e := newEnv(t)
	e.ensure(t, "t1", AlgEdDSA)
	if _, err := e.m.JWKS(context.Background(), "t1"); err != nil {
		t.Fatal(err)
	}
}
