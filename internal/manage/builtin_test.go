package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestBuiltinManagementResourceServer(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	for _, tc := range []struct {
		tenant    string
		userGrant bool
	}{{AdminTenantID, true}, {f.boot.DefaultTenant.ID, false}, {"tenant-a", false}, {"tenant-b", false}} {
		r, err := f.st.GetResourceServerByIdentifier(ctx, tc.tenant, ManagementAPI)
		if err != nil {
			t.Fatalf("%s: %v", tc.tenant, err)
		}
		if r.Name != "Authalla Management API" || r.ScopePrefix != "" || len(r.Scopes) != len(ManagementScopes) {
			t.Fatalf("%s: %+v", tc.tenant, r)
		}
		for i, sc := range r.Scopes {
			if sc.Value != ManagementScopes[i] || sc.GrantedToAll != tc.userGrant || sc.Description == "" {
				t.Fatalf("%s: scope %+v", tc.tenant, sc)
			}
		}
		// It cannot be changed or deleted.
		name := "Mine"
		if _, err := f.svc.UpdateResourceServer(ctx, tc.tenant, r.ID, ResourceServerPatch{Name: &name}); !errors.Is(err, idp.ErrForbidden) {
			t.Fatalf("%s: update: %v", tc.tenant, err)
		}
		if _, err := f.svc.AddResourceServerScope(ctx, tc.tenant, r.ID, idp.ResourceScope{Value: "x:y"}); !errors.Is(err, idp.ErrForbidden) {
			t.Fatalf("%s: add scope: %v", tc.tenant, err)
		}
		if err := f.svc.DeleteResourceServer(ctx, tc.tenant, r.ID); !errors.Is(err, idp.ErrForbidden) {
			t.Fatalf("%s: delete: %v", tc.tenant, err)
		}
	}
	// The Admin UI client exists on the admin tenant only, with the
	// management API as its default audience.
	c, err := f.st.GetClient(ctx, AdminTenantID, AdminUIClientID)
	if err != nil || c.Type != idp.ClientSPA || c.DefaultResourceServer != ManagementAPI ||
		len(c.RedirectURIs) != 1 || c.RedirectURIs[0] != "https://admin.example.com/admin/callback" {
		t.Fatalf("admin UI client %+v %v", c, err)
	}
	if _, err := f.st.GetClient(ctx, "tenant-a", AdminUIClientID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("admin UI client on a customer tenant: %v", err)
	}
	// The server adds its other admin issuers (login.{base}); twice is once.
	for range 2 {
		if err := f.svc.EnsureAdminUIRedirects(context.Background(), []string{"https://admin.example.com", "https://login.example.com", ""}); err != nil {
			t.Fatal(err)
		}
	}
	c, _ = f.st.GetClient(ctx, AdminTenantID, AdminUIClientID)
	if len(c.RedirectURIs) != 2 || c.RedirectURIs[1] != "https://login.example.com/admin/callback" {
		t.Fatalf("redirects %v", c.RedirectURIs)
	}
	if err := f.svc.EnsureAdminUIRedirects(context.Background(), []string{"http://login.example.com"}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("plain http issuer: %v", err)
	}

	// A tenant from before the management API gets it lazily, and again
	// is a no-op.
	now := f.clock.Now()
	old := &idp.Tenant{ID: "old-tenant", AccountID: f.accA, Name: "Old", CreatedAt: now, UpdatedAt: now}
	old.ApplyDefaults()
	if err := f.st.CreateTenant(ctx, old); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetResourceServerByIdentifier(ctx, old.ID, ManagementAPI); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("before: %v", err)
	}
	for range 2 {
		if err := f.svc.EnsureBuiltins(context.Background(), old.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, n, err := f.svc.ListResourceServers(ctx, old.ID, idp.Page{}); err != nil || n != 1 {
		t.Fatalf("after: %d %v", n, err)
	}
	// A second Bootstrap (an existing install starting) ensures every tenant.
	old2 := &idp.Tenant{ID: "old-two", AccountID: f.accA, Name: "Old", CreatedAt: now, UpdatedAt: now}
	old2.ApplyDefaults()
	if err := f.st.CreateTenant(ctx, old2); err != nil {
		t.Fatal(err)
	}
	// Twice (replicas starting one after the other) creates it once.
	for range 2 {
		if _, err := f.svc.Bootstrap(ctx, BootstrapInput{}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.st.GetResourceServerByIdentifier(ctx, old2.ID, ManagementAPI); err != nil {
		t.Fatalf("after bootstrap: %v", err)
	}
	if _, n, err := f.svc.ListResourceServers(ctx, old2.ID, idp.Page{}); err != nil || n != 1 {
		t.Fatalf("after two bootstraps: %d %v", n, err)
	}
	if missing, err := f.st.TenantsWithoutResourceServer(ctx, ManagementAPI); err != nil || len(missing) != 0 {
		t.Fatalf("tenants still without it: %v %v", missing, err)
	}
}

func TestAdminAndMachineActor(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.svc.AdminActor(ctx, f.boot.AdminUser.ID)
	if err != nil || a.Type != ActorUser || a.ID != f.boot.AdminUser.ID || len(a.Memberships) != 1 || a.Memberships[0].Role != idp.RoleOwner {
		t.Fatalf("admin actor %+v %v", a, err)
	}
	// A user of another tenant is no administrator.
	u, err := f.svc.CreateUser(cli(ctx), "tenant-a", UserInput{Email: "x@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AdminActor(ctx, u.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("customer user as admin: %v", err)
	}
	if _, err := f.svc.SuspendUser(cli(ctx), AdminTenantID, f.boot.AdminUser.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AdminActor(ctx, f.boot.AdminUser.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("suspended admin: %v", err)
	}

	b, err := f.svc.CreateClient(cli(ctx), "tenant-a", ClientInput{ID: "robot", Name: "Robot", Type: idp.ClientBackend})
	if err != nil {
		t.Fatal(err)
	}
	m, err := f.svc.MachineActor(ctx, "tenant-a", b.Client.ID)
	if err != nil || m.Type != ActorClient || m.TenantID != "tenant-a" || m.ID != "robot" {
		t.Fatalf("machine actor %+v %v", m, err)
	}
	if _, err := f.svc.MachineActor(ctx, "tenant-b", "robot"); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("other tenant: %v", err)
	}
	if _, err := f.svc.MachineActor(ctx, AdminTenantID, AdminUIClientID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("spa client as machine: %v", err)
	}
}
