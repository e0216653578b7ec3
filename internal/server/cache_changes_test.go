package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestClientChangesReachTheCache: the token endpoint authenticates clients
// from memory, yet a secret removed, a client deleted or a secret added
// through manage takes effect on the very next request of this node (the
// change reaches the server's caches before manage returns).
func TestClientChangesReachTheCache(t *testing.T) {
	s := newStack(t)
	if _, err := s.manage.CreateTenant(s.ctx, manage.TenantInput{ID: "cache", Name: "Cache"}); err != nil {
		t.Fatal(err)
	}
	issuer := s.url + "/t/cache"
	c, err := s.manage.CreateClient(s.ctx, "cache", manage.ClientInput{ID: "worker", Name: "Worker", Type: idp.ClientBackend})
	if err != nil {
		t.Fatal(err)
	}
	status := func(sec string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, issuer+"/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(url.QueryEscape("worker"), url.QueryEscape(sec))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}

	first := c.Secret.Value
	for range 3 { // the first request fills the cache, the others hit it
		if got := status(first); got != http.StatusOK {
			t.Fatalf("status %d, want 200", got)
		}
	}
	second, err := s.manage.AddClientSecret(s.ctx, "cache", "worker")
	if err != nil {
		t.Fatal(err)
	}
	if got := status(second.Value); got != http.StatusOK {
		t.Fatalf("new secret: status %d, want 200 at once", got)
	}
	if err := s.manage.DeleteClientSecret(s.ctx, "cache", "worker", c.Secret.ID); err != nil {
		t.Fatal(err)
	}
	if got := status(first); got != http.StatusUnauthorized {
		t.Fatalf("removed secret: status %d, want 401 at once", got)
	}
	if got := status(second.Value); got != http.StatusOK {
		t.Fatalf("remaining secret: status %d, want 200", got)
	}
	if err := s.manage.DeleteClient(s.ctx, "cache", "worker"); err != nil {
		t.Fatal(err)
	}
	if got := status(second.Value); got != http.StatusUnauthorized {
		t.Fatalf("deleted client: status %d, want 401 at once", got)
	}
}
