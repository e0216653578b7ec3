package manage

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestEnsureAdminUIClient(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	login := "https://login.example.com" + AdminUICallbackPath
	preferred := f.svc.Issuer(f.boot.AdminTenant.Tenant) + AdminUICallbackPath
	c, err := f.svc.EnsureAdminUIClient(ctx, []string{login, preferred})
	if err != nil {
		t.Fatal(err)
	}
	if c.Type != idp.ClientSPA || !slices.Contains(c.RedirectURIs, login) || !slices.Contains(c.RedirectURIs, preferred) ||
		!slices.Contains(c.PostLogoutRedirectURIs, "https://login.example.com"+AdminUISignedOutPath) {
		t.Fatalf("client = %+v", c)
	}
	n := len(f.audits(t, f.boot.AdminTenant.ID))
	if _, err := f.svc.EnsureAdminUIClient(ctx, []string{login, preferred}); err != nil {
		t.Fatal(err)
	}
	if len(f.audits(t, f.boot.AdminTenant.ID)) != n {
		t.Fatal("a call that changed nothing was audited")
	}
	if _, err := f.svc.EnsureAdminUIClient(ctx, []string{"http://evil.example/admin/callback"}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("non-https redirect: %v, want invalid", err)
	}
	if _, err := f.svc.EnsureAdminUIClient(userIn(f.accA, idp.RoleOwner), []string{login}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("an administrator: %v, want forbidden", err)
	}
}
