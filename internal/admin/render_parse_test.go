package admin

import (
	"crypto/rand"
	"testing"

	"github.com/authalla/authalla/web"
)

// TestEveryAdminPageParses parses every embedded Admin UI page: the
// renderer defers parsing to the first render, so a broken template must
// fail here rather than on an administrator's request.
func TestEveryAdminPageParses(t *testing.T) {
	r, err := newRenderer(web.FS, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.pages) < 2 {
		t.Fatalf("found %d admin pages", len(r.pages))
	}
	for name, parse := range r.pages {
		if _, err := parse(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
