package tenant

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestInvalidate: a change drops exactly the cached tenants it names, so
// the next request reads the store again, and leaves the others cached.
func TestInvalidate(t *testing.T) {
	hosts := map[string]string{"acme": "acme.example.com", "otter": "brave-otter.example.com", "admin": "login.example.com"}
	cases := []struct {
		name   string
		ch     idp.Change
		reread []string // cache entries read again after the change
	}{
		{"one tenant", idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"}, []string{"acme"}},
		{"the admin tenant", idp.Change{Kind: idp.ChangeTenant, TenantID: "admin"}, []string{"admin"}},
		{"every tenant", idp.Change{Kind: idp.ChangeTenant}, []string{"acme", "otter", "admin"}},
		{"everything", idp.ChangeEverything, []string{"acme", "otter", "admin"}},
		{"every kind of one tenant", idp.Change{TenantID: "brave-otter"}, []string{"otter"}},
		{"a client change keeps the tenant", idp.Change{Kind: idp.ChangeClient, TenantID: "acme", ID: "c"}, nil},
		{"a key change keeps the tenant", idp.Change{Kind: idp.ChangeKeys, TenantID: "acme"}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, l, _ := newTestResolver(t, "https://login.example.com", nil)
			resolve := func(name string) {
				t.Helper()
				req := httptest.NewRequest(http.MethodGet, "/", nil)
				req.Host = hosts[name]
				if _, _, err := r.Resolve(req); err != nil {
					t.Fatalf("%s: %v", name, err)
				}
			}
			for _, n := range []string{"acme", "otter", "admin"} {
				resolve(n)
			}
			before := l.calls
			r.Invalidate(c.ch)
			for _, n := range []string{"acme", "otter", "admin"} {
				resolve(n)
			}
			if got := l.calls - before; got != len(c.reread) {
				t.Fatalf("%d store reads after %v, want %d (%v)", got, c.ch, len(c.reread), c.reread)
			}
		})
	}
}
