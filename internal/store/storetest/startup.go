package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// testStartup: StartupState answers exactly what the individual reads
// answer (AdminTenant, ListSigningKeys, GetResourceServerByIdentifier,
// GetClient, ListUsers, TenantsWithoutResourceServer, ListTenants), before
// and after the install has an admin tenant, and never reads another
// tenant's objects as the admin tenant's.
func testStartup(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	const ident = "urn:storetest:startup"
	q := store.StartupQuery{ResourceServer: ident, AdminClients: []string{clientID, "cli", "missing"}, Tenants: 2}

	// individually builds the state StartupState must return, read by read.
	individually := func(t *testing.T) *store.StartupState {
		t.Helper()
		want := &store.StartupState{AdminClients: map[string]*idp.Client{}}
		admin, err := s.AdminTenant(ctx)
		if err == nil {
			want.Admin = admin
			want.AdminKeys, err = s.ListSigningKeys(ctx, admin.ID)
			must(t, err)
			rs, err := s.GetResourceServerByIdentifier(ctx, admin.ID, ident)
			if err == nil {
				want.AdminResourceServer = rs
			} else {
				wantErr(t, err, idp.ErrNotFound)
			}
			for _, id := range q.AdminClients {
				c, err := s.GetClient(ctx, admin.ID, id)
				if err == nil {
					want.AdminClients[id] = c
				} else {
					wantErr(t, err, idp.ErrNotFound)
				}
			}
			_, want.AdminUsers, err = s.ListUsers(ctx, admin.ID, idp.UserQuery{Page: idp.Page{Limit: 1}})
			must(t, err)
		} else {
			wantErr(t, err, idp.ErrNotFound)
		}
		want.TenantsWithoutResourceServer, err = s.TenantsWithoutResourceServer(ctx, ident)
		must(t, err)
		want.Tenants, want.TenantTotal, err = s.ListTenants(ctx, "", idp.Page{Limit: q.Tenants})
		must(t, err)
		return want
	}
	check := func(t *testing.T) *store.StartupState {
		t.Helper()
		got, err := s.StartupState(ctx, q)
		must(t, err)
		wantEqual(t, got, individually(t))
		return got
	}

	t.Run("NoAdminTenant", func(t *testing.T) {
		got := check(t)
		if got.Admin != nil || got.AdminKeys != nil || got.AdminResourceServer != nil || len(got.AdminClients) != 0 || got.AdminUsers != 0 {
			t.Fatalf("an install without an admin tenant: %s", show(got))
		}
		// The other tenants' objects with the asked ids are not the admin's.
		if len(got.TenantsWithoutResourceServer) != 2 || got.TenantTotal != 2 {
			t.Fatalf("tenants: %s", show(got))
		}
	})
	t.Run("AdminTenant", func(t *testing.T) {
		admin := tenant("admin-x", "")
		admin.Admin = true
		must(t, s.CreateTenant(ctx, admin))
		got := check(t)
		if got.Admin == nil || got.Admin.ID != "admin-x" || got.AdminUsers != 0 || len(got.AdminClients) != 0 || got.TenantTotal != 3 {
			t.Fatalf("a bare admin tenant: %s", show(got))
		}
		// Keys, the resource server, clients and users of the admin tenant,
		// and the same objects on tenant A (which must not show).
		for _, k := range []*idp.SigningKey{
			{TenantID: "admin-x", ID: "kid-x2", Alg: idp.AlgES256, State: idp.KeyStaged, PrivateEnc: []byte("s2"), PublicJWK: []byte(`{}`), CreatedAt: t0.Add(time.Hour)},
			{TenantID: "admin-x", ID: "kid-x1", Alg: idp.AlgRS256, State: idp.KeyActive, PrivateEnc: []byte("s1"), PublicJWK: []byte(`{}`), CreatedAt: t0, ActivatedAt: ptr(t0)},
			{TenantID: tenantA, ID: "kid-a", Alg: idp.AlgRS256, State: idp.KeyActive, PrivateEnc: []byte("sa"), PublicJWK: []byte(`{}`), CreatedAt: t0, ActivatedAt: ptr(t0)},
		} {
			must(t, s.CreateSigningKey(ctx, k.TenantID, k))
		}
		for _, id := range []string{"admin-x", tenantA} {
			must(t, s.CreateResourceServer(ctx, id, &idp.ResourceServer{TenantID: id, ID: "rs-" + id, Identifier: ident,
				Name: "Built-in", Scopes: []idp.ResourceScope{{Value: "a:read", GrantedToAll: true}}, CreatedAt: t0, UpdatedAt: t0}))
		}
		f.client(t, "admin-x", clientID)
		f.client(t, "admin-x", "cli")
		f.user(t, "admin-x", "root", "root@example.com")
		f.user(t, "admin-x", "root-2", "root2@example.com")
		got = check(t)
		if len(got.AdminKeys) != 2 || got.AdminKeys[0].ID != "kid-x1" || got.AdminResourceServer == nil ||
			got.AdminResourceServer.ID != "rs-admin-x" || len(got.AdminClients) != 2 || got.AdminUsers != 2 ||
			len(got.Tenants) != 2 || got.Tenants[0].ID != "admin-x" {
			t.Fatalf("a provisioned admin tenant: %s", show(got))
		}
		wantEqual(t, got.TenantsWithoutResourceServer, []string{tenantB})
	})
}
