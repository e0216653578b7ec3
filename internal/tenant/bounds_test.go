package tenant

import (
	"context"
	"fmt"
	"testing"
)

// TestCacheBoundedUnderHostSpray drives far more distinct tenant ids than
// the cache's bound through the resolver (unknown ones, as a spray of
// made-up hosts would) and checks the cache never holds more than the
// bound (docs/deployment.md, "Memory bounds").
func TestCacheBoundedUnderHostSpray(t *testing.T) {
	const bound = 50000 + 1 // cleared past 50,000, then one entry added
	r, _, _ := newTestResolver(t, "https://auth.example.com", nil)
	ctx := context.Background()
	peak := 0
	for i := range 3 * bound {
		if _, err := r.get(ctx, fmt.Sprintf("spray-%d", i)); err == nil {
			t.Fatalf("spray-%d resolved", i)
		}
		if i%1000 == 0 || i == 3*bound-1 {
			r.mu.Lock()
			peak = max(peak, len(r.cache))
			r.mu.Unlock()
		}
	}
	if peak > bound || peak < 1000 {
		t.Fatalf("cache peaked at %d entries, bound %d", peak, bound)
	}
}
