package oauth

import (
	"fmt"
	"testing"
	"time"
)

// TestDiscoveryDocCacheBounded caches far more (tenant, issuer) documents
// than maxCachedDocs and checks the cache never holds more
// (docs/deployment.md, "Memory bounds").
func TestDiscoveryDocCacheBounded(t *testing.T) {
	var c docCache
	for i := range 3 * maxCachedDocs {
		k := docKey{tenantID: fmt.Sprintf("t%d", i), issuer: fmt.Sprintf("https://t%d.example.com", i)}
		if _, err := c.get(k, func() ([]byte, error) { return []byte("{}"), nil }); err != nil {
			t.Fatal(err)
		}
		c.mu.Lock()
		n := len(c.docs)
		c.mu.Unlock()
		if n > maxCachedDocs {
			t.Fatalf("%d documents cached, bound %d", n, maxCachedDocs)
		}
	}
}

// TestMetadataCacheBounded stores far more metadata documents than the
// cache's bound (default and explicit) and checks its size stays at it.
func TestMetadataCacheBounded(t *testing.T) {
	tests := []struct{ max, bound int }{{0, defaultMetadataCacheSize}, {50, 50}}
	for _, tc := range tests {
		c := newMetadataCache(tc.max)
		exp := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := range 10 * tc.bound {
			c.put(&metadataEntry{key: fmt.Sprintf("https://app%d.example/client.json", i), expires: exp})
			if n := c.len(); n > tc.bound {
				t.Fatalf("max %d: %d entries, bound %d", tc.max, n, tc.bound)
			}
		}
		if n := c.len(); n != tc.bound {
			t.Fatalf("max %d: %d entries after the spray, want %d", tc.max, n, tc.bound)
		}
	}
}
