package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestRights checks who may read and change a tenant: the CLI and the
// system everything; account members by role; machine tokens only their
// own tenant; everyone else sees other tenants as not found.
func TestRights(t *testing.T) {
	f := newFixture(t)
	none := context.Background()
	type op struct {
		name  string
		write bool
		do    func(ctx context.Context) error
	}
	ops := []op{
		{"get tenant", false, func(ctx context.Context) error { _, err := f.svc.GetTenant(ctx, "tenant-a"); return err }},
		{"list clients", false, func(ctx context.Context) error {
			_, _, err := f.svc.ListClients(ctx, "tenant-a", idp.Page{})
			return err
		}},
		{"list users", false, func(ctx context.Context) error {
			_, _, err := f.svc.ListUsers(ctx, "tenant-a", idp.UserQuery{})
			return err
		}},
		{"list audit", false, func(ctx context.Context) error {
			_, _, err := f.svc.ListAudit(ctx, "tenant-a", idp.AuditQuery{})
			return err
		}},
		{"list keys", false, func(ctx context.Context) error { _, err := f.svc.ListSigningKeys(ctx, "tenant-a"); return err }},
		{"update tenant", true, func(ctx context.Context) error {
			n := "Renamed"
			_, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{Name: &n})
			return err
		}},
		{"create client", true, func(ctx context.Context) error {
			_, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "x", Type: idp.ClientBackend})
			return err
		}},
		{"create user", true, func(ctx context.Context) error {
			_, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "u" + randSuffix(f) + "@example.com"})
			return err
		}},
		{"rotate key", true, func(ctx context.Context) error { _, err := f.svc.RotateSigningKey(ctx, "tenant-a", false); return err }},
		{"stage key", true, func(ctx context.Context) error { _, err := f.svc.StageSigningKey(ctx, "tenant-a", ""); return err }},
		{"activate key", true, func(ctx context.Context) error {
			_, err := f.svc.ActivateSigningKey(ctx, "tenant-a", "kid-staged-RS256", true)
			return err
		}},
		{"retire key", true, func(ctx context.Context) error {
			// Retiring a key that is already retired is a no-op in package
			// keys; the fake's stand-in is staging one first (as the CLI).
			if _, err := f.svc.StageSigningKey(cli(context.Background()), "tenant-a", "ES256"); err != nil {
				return err
			}
			_, err := f.svc.RetireSigningKey(ctx, "tenant-a", "kid-staged-ES256")
			return err
		}},
	}
	actors := []struct {
		name     string
		ctx      context.Context
		readErr  error // expected for reads
		writeErr error // expected for writes
	}{
		{"cli", cli(none), nil, nil},
		{"system", WithActor(none, Actor{Type: ActorSystem, ID: "server"}), nil, nil},
		{"owner", userIn(f.accA, idp.RoleOwner), nil, nil},
		{"admin", userIn(f.accA, idp.RoleAdmin), nil, nil},
		{"viewer", userIn(f.accA, idp.RoleViewer), nil, idp.ErrForbidden},
		{"owner of another account", userIn(f.accB, idp.RoleOwner), idp.ErrNotFound, idp.ErrNotFound},
		{"machine token of the tenant", WithActor(none, Actor{Type: ActorClient, ID: "m2m", TenantID: "tenant-a"}), nil, nil},
		{"machine token of another tenant", WithActor(none, Actor{Type: ActorClient, ID: "m2m", TenantID: "tenant-b"}), idp.ErrNotFound, idp.ErrNotFound},
		{"unknown actor type", WithActor(none, Actor{Type: "robot"}), idp.ErrForbidden, idp.ErrForbidden},
		{"no actor", none, idp.ErrForbidden, idp.ErrForbidden},
	}
	for _, a := range actors {
		for _, o := range ops {
			t.Run(a.name+"/"+o.name, func(t *testing.T) {
				want := a.readErr
				if o.write {
					want = a.writeErr
				}
				err := o.do(a.ctx)
				if want == nil && err != nil {
					t.Fatalf("got %v, want success", err)
				}
				if want != nil && !errors.Is(err, want) {
					t.Fatalf("got %v, want %v", err, want)
				}
			})
		}
	}
}

func randSuffix(f *fixture) string {
	s, _ := f.svc.random.ID("")
	return s[:8]
}

// TestRightsUnknownTenant: a tenant that does not exist and one the caller
// cannot see answer the same way.
func TestRightsUnknownTenant(t *testing.T) {
	f := newFixture(t)
	for _, ctx := range []context.Context{cli(context.Background()), userIn(f.accA, idp.RoleOwner)} {
		if _, err := f.svc.GetTenant(ctx, "no-such-tenant"); !errors.Is(err, idp.ErrNotFound) {
			t.Fatalf("unknown tenant: got %v, want not found", err)
		}
	}
	if _, err := f.svc.GetTenant(userIn(f.accA, idp.RoleOwner), AdminTenantID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("admin tenant for an account owner: got %v, want not found", err)
	}
}

// TestViewerDenialAudited: a refused write on a visible tenant leaves a
// failure record; a write on an invisible tenant leaves none there.
func TestViewerDenialAudited(t *testing.T) {
	f := newFixture(t)
	n := "x"
	if _, err := f.svc.UpdateTenant(userIn(f.accA, idp.RoleViewer), "tenant-a", TenantPatch{Name: &n}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("got %v", err)
	}
	e := f.lastAudit(t, "tenant-a", "tenant.update")
	if e.Outcome != "failure" || e.Details["reason"] != "forbidden" || e.ActorType != ActorUser || e.ActorID != "usr_viewer" {
		t.Fatalf("audit = %+v", e)
	}
	before := len(f.audits(t, "tenant-b"))
	if _, err := f.svc.UpdateTenant(userIn(f.accA, idp.RoleOwner), "tenant-b", TenantPatch{Name: &n}); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
	if after := len(f.audits(t, "tenant-b")); after != before {
		t.Fatalf("a hidden tenant's audit log grew from %d to %d", before, after)
	}
}

// TestListTenantsByActor: each caller lists exactly what they can see.
func TestListTenantsByActor(t *testing.T) {
	f := newFixture(t)
	ids := func(ctx context.Context) []string {
		ts, total, err := f.svc.ListTenants(ctx, idp.Page{})
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, x := range ts {
			out = append(out, x.ID)
		}
		if total != len(out) {
			t.Fatalf("total %d for %d items", total, len(out))
		}
		return out
	}
	all := ids(cli(context.Background()))
	if len(all) != 4 { // admin, default, tenant-a, tenant-b
		t.Fatalf("cli sees %v", all)
	}
	a := ids(userIn(f.accA, idp.RoleViewer))
	if len(a) != 2 || !contains(a, "tenant-a") || !contains(a, f.boot.DefaultTenant.ID) {
		t.Fatalf("account A sees %v", a)
	}
	b := ids(userIn(f.accB, idp.RoleOwner))
	if len(b) != 1 || b[0] != "tenant-b" {
		t.Fatalf("account B sees %v", b)
	}
	m := ids(WithActor(context.Background(), Actor{Type: ActorClient, ID: "m", TenantID: "tenant-b"}))
	if len(m) != 1 || m[0] != "tenant-b" {
		t.Fatalf("machine token sees %v", m)
	}
	if _, _, err := f.svc.ListTenants(context.Background(), idp.Page{}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("no actor: %v", err)
	}
}
