package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestSelectTenant(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cases := []struct {
		name    string
		ctx     context.Context
		tenant  string
		wantErr error
	}{
		{"owner selects own tenant", userIn(f.accA, idp.RoleOwner), "tenant-a", nil},
		{"viewer may select (read is enough)", userIn(f.accA, idp.RoleViewer), "tenant-a", nil},
		{"another account's tenant is not found", userIn(f.accA, idp.RoleOwner), "tenant-b", idp.ErrNotFound},
		{"unknown tenant is not found", userIn(f.accA, idp.RoleOwner), "nope", idp.ErrNotFound},
		{"empty id is invalid", userIn(f.accA, idp.RoleOwner), "", idp.ErrInvalid},
		{"the CLI has no preferences", cli(ctx), "tenant-a", idp.ErrForbidden},
		{"no caller", ctx, "tenant-a", idp.ErrForbidden},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.svc.SelectTenant(c.ctx, c.tenant)
			if !errors.Is(err, c.wantErr) || (c.wantErr == nil) != (err == nil) {
				t.Fatalf("SelectTenant(%q) = %v, want %v", c.tenant, err, c.wantErr)
			}
			if err != nil {
				return
			}
			if res.ID != c.tenant || res.Issuer == "" {
				t.Fatalf("result = %+v", res)
			}
			got, err := f.svc.SelectedTenant(c.ctx)
			if err != nil || got != c.tenant {
				t.Fatalf("SelectedTenant = %q, %v; want %q", got, err, c.tenant)
			}
		})
	}
}

func TestSelectedTenant(t *testing.T) {
	f := newFixture(t)
	owner := userIn(f.accA, idp.RoleOwner)
	if got, err := f.svc.SelectedTenant(owner); err != nil || got != "" {
		t.Fatalf("before any selection: %q, %v", got, err)
	}
	if got, err := f.svc.SelectedTenant(cli(context.Background())); err != nil || got != "" {
		t.Fatalf("CLI: %q, %v", got, err)
	}
	if _, err := f.svc.SelectTenant(owner, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	// The same user, no longer a member of account A: the selection is
	// not readable any more and reads as none.
	outsider := WithActor(context.Background(), Actor{Type: ActorUser, ID: "usr_" + string(idp.RoleOwner),
		Memberships: []idp.AccountMember{{AccountID: f.accB, UserID: "usr_owner", Role: idp.RoleOwner}}})
	if got, err := f.svc.SelectedTenant(outsider); err != nil || got != "" {
		t.Fatalf("after leaving the account: %q, %v", got, err)
	}
	// A deleted tenant reads as none too.
	if err := f.svc.DeleteTenant(cli(context.Background()), "tenant-a"); err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.SelectedTenant(owner); err != nil || got != "" {
		t.Fatalf("after deletion: %q, %v", got, err)
	}
}
