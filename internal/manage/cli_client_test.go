package manage

import (
	"context"
	"slices"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestEnsureCLIClient: the admin tenant gets the CLI's public native
// client once; running it again changes nothing, and an operator's edits
// survive it.
func TestEnsureCLIClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background() // no actor: it runs as the system
	if err := f.svc.EnsureCLIClient(ctx); err != nil {
		t.Fatal(err)
	}
	c, err := f.st.GetClient(ctx, AdminTenantID, CLIClientID)
	if err != nil {
		t.Fatal(err)
	}
	wantScopes := append([]string{"openid", "offline_access"}, ManagementScopes...)
	if c.Name != "Authalla CLI" || c.Type != idp.ClientNative || !c.Public() ||
		!slices.Equal(c.RedirectURIs, []string{"http://127.0.0.1/callback"}) ||
		!slices.Equal(c.Scopes, wantScopes) || c.DefaultResourceServer != ManagementAPI {
		t.Fatalf("CLI client: %+v", c)
	}
	if a := f.lastAudit(t, AdminTenantID, "client.create"); a == nil || a.ObjectID != CLIClientID || a.ActorType != string(ActorSystem) {
		t.Fatalf("audit: %+v", a)
	}
	// An operator renames it; ensuring again keeps the name and audits nothing.
	c.Name = "Our CLI"
	if err := f.st.UpdateClient(ctx, AdminTenantID, c); err != nil {
		t.Fatal(err)
	}
	before := len(f.audits(t, AdminTenantID))
	if err := f.svc.EnsureCLIClient(ctx); err != nil {
		t.Fatal(err)
	}
	if c, err := f.st.GetClient(ctx, AdminTenantID, CLIClientID); err != nil || c.Name != "Our CLI" {
		t.Fatalf("second run changed the client: %+v %v", c, err)
	}
	if after := len(f.audits(t, AdminTenantID)); after != before {
		t.Fatalf("second run audited %d events", after-before)
	}
	// Customer tenants never get it.
	if _, err := f.st.GetClient(ctx, "tenant-a", CLIClientID); err == nil {
		t.Fatal("CLI client on a customer tenant")
	}
}
