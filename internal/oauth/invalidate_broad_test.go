package oauth_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestInvalidateBroadChanges: changes that name every tenant or every
// kind (idp.Change.Covers) drop the cached client too: a node whose
// notification connection dropped delivers idp.ChangeEverything, and a
// purge across tenants names no tenant.
func TestInvalidateBroadChanges(t *testing.T) {
	ctx := context.Background()
	tid, cid := oauthtest.TenantA, oauthtest.BackendClient
	for _, ch := range []idp.Change{
		idp.ChangeEverything,
		{Kind: idp.ChangeClient},
		{TenantID: tid},
	} {
		t.Run(string(ch.Kind)+"/"+ch.TenantID, func(t *testing.T) {
			h := cachedHarness(t)
			if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
				t.Fatalf("status %d", s)
			}
			if err := h.Store.DeleteClient(ctx, tid, cid); err != nil {
				t.Fatal(err)
			}
			if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
				t.Fatalf("before the change: status %d, want 200 (cached)", s)
			}
			h.Provider.Invalidate(ch)
			if s := clientCredentialsStatus(t, h, tid); s != http.StatusUnauthorized {
				t.Fatalf("after %+v: status %d, want 401", ch, s)
			}
		})
	}
}
