package tenant

import (
	"context"
	"fmt"
	"testing"
)

// TestCacheBoundedUnderHostSpray drives far more distinct tenant ids than
// the cache's bounds through the resolver (unknown ones, as a spray of
// made-up hosts would) and checks neither LRU ever holds more than its
// bound (docs/deployment.md, "Memory bounds").
func TestCacheBoundedUnderHostSpray(t *testing.T) {
	r, _, _ := newTestResolver(t, "https://auth.example.com", nil)
	ctx := context.Background()
	n := 3 * (DefaultCacheSize + DefaultNegativeCacheSize)
	peakFound, peakNotFound := 0, 0
	for i := range n {
		if _, err := r.get(ctx, fmt.Sprintf("spray-%d", i)); err == nil {
			t.Fatalf("spray-%d resolved", i)
		}
		if i%500 == 0 || i == n-1 {
			found, notFound := r.cache.len()
			peakFound, peakNotFound = max(peakFound, found), max(peakNotFound, notFound)
		}
	}
	if peakNotFound > DefaultNegativeCacheSize || peakNotFound < DefaultNegativeCacheSize/2 {
		t.Fatalf("unknown-tenant cache peaked at %d entries, bound %d", peakNotFound, DefaultNegativeCacheSize)
	}
	if peakFound != 0 {
		t.Fatalf("a spray of unknown tenants put %d entries in the known-tenant cache", peakFound)
	}
}
