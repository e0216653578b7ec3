package manage

import (
	"context"
	"slices"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// anyID in a wanted change stands for a generated id.
const anyID = "<any>"

// TestMutationsPublishChanges: every committed write of something nodes
// cache announces what it changed (OnChange), and a refused write
// announces nothing.
func TestMutationsPublishChanges(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	var got []idp.Change
	f.svc.onChange = func(ch idp.Change) { got = append(got, ch) }
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Objects the steps below work on.
	web, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: "web", Name: "Web", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}})
	must(err)
	u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "u@example.com"})
	must(err)
	u2, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "v@example.com"})
	must(err)
	name := "Renamed"

	cases := []struct {
		name string
		do   func() error
		want []idp.Change
	}{
		{"create tenant", func() error {
			_, err := f.svc.CreateTenant(ctx, TenantInput{ID: "tenant-c", Name: "C"})
			return err
		}, []idp.Change{{Kind: idp.ChangeResourceServer, TenantID: "tenant-c", ID: anyID}, {Kind: idp.ChangeTenant, TenantID: "tenant-c"}}},
		{"update tenant", func() error {
			_, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{Name: &name})
			return err
		}, []idp.Change{{Kind: idp.ChangeTenant, TenantID: "tenant-a"}}},
		{"suspend tenant", func() error {
			_, err := f.svc.SuspendTenant(ctx, "tenant-a")
			return err
		}, []idp.Change{{Kind: idp.ChangeTenant, TenantID: "tenant-a"}}},
		{"resume tenant", func() error {
			_, err := f.svc.ResumeTenant(ctx, "tenant-a")
			return err
		}, []idp.Change{{Kind: idp.ChangeTenant, TenantID: "tenant-a"}}},
		{"refused: suspend the admin tenant", func() error {
			if _, err := f.svc.SuspendTenant(ctx, f.boot.AdminTenant.ID); err == nil {
				t.Error("the admin tenant was suspended")
			}
			return nil
		}, nil},
		{"delete tenant", func() error { return f.svc.DeleteTenant(ctx, "tenant-b") },
			[]idp.Change{{Kind: idp.ChangeTenant, TenantID: "tenant-b"}}},
		{"create client", func() error {
			_, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: "spa", Name: "SPA", Type: idp.ClientSPA, RedirectURIs: []string{"https://spa.example.com/cb"}})
			return err
		}, []idp.Change{{Kind: idp.ChangeClient, TenantID: "tenant-a", ID: "spa"}}},
		{"remove a redirect URI", func() error {
			_, err := f.svc.UpdateClient(ctx, "tenant-a", "spa", ClientPatch{AddRedirectURIs: []string{"https://spa.example.com/other"}, RemoveRedirectURIs: []string{"https://spa.example.com/cb"}})
			return err
		}, []idp.Change{{Kind: idp.ChangeClient, TenantID: "tenant-a", ID: "spa"}}},
		{"add a secret", func() error {
			_, err := f.svc.AddClientSecret(ctx, "tenant-a", "web")
			return err
		}, []idp.Change{{Kind: idp.ChangeClient, TenantID: "tenant-a", ID: "web"}}},
		{"delete a secret", func() error { return f.svc.DeleteClientSecret(ctx, "tenant-a", "web", web.Secret.ID) },
			[]idp.Change{{Kind: idp.ChangeClient, TenantID: "tenant-a", ID: "web"}}},
		{"delete client", func() error { return f.svc.DeleteClient(ctx, "tenant-a", "spa") },
			[]idp.Change{{Kind: idp.ChangeClient, TenantID: "tenant-a", ID: "spa"}, {Kind: idp.ChangeToken, TenantID: "tenant-a"}}},
		{"rotate keys", func() error {
			_, err := f.svc.RotateSigningKey(ctx, "tenant-a", true)
			return err
		}, []idp.Change{{Kind: idp.ChangeKeys, TenantID: "tenant-a"}}},
		{"update theme", func() error {
			c := "#112233"
			_, err := f.svc.UpdateTheme(ctx, "tenant-a", ThemePatch{Light: ColorsPatch{PrimaryColor: &c}})
			return err
		}, []idp.Change{{Kind: idp.ChangeTheme, TenantID: "tenant-a"}}},
		{"end a user's sessions", func() error {
			_, err := f.svc.RevokeUserSessions(ctx, "tenant-a", u2.ID)
			return err
		}, []idp.Change{{Kind: idp.ChangeUser, TenantID: "tenant-a", ID: u2.ID}}},
		{"suspend user", func() error {
			_, err := f.svc.SuspendUser(ctx, "tenant-a", u.ID)
			return err
		}, []idp.Change{{Kind: idp.ChangeUser, TenantID: "tenant-a", ID: u.ID}, {Kind: idp.ChangeUser, TenantID: "tenant-a", ID: u.ID}, {Kind: idp.ChangeToken, TenantID: "tenant-a"}}},
		{"delete user", func() error { return f.svc.DeleteUser(ctx, "tenant-a", u2.ID) },
			[]idp.Change{{Kind: idp.ChangeUser, TenantID: "tenant-a", ID: u2.ID}, {Kind: idp.ChangeToken, TenantID: "tenant-a"}}},
		{"refused: a viewer renames the tenant", func() error {
			_, err := f.svc.UpdateTenant(userIn(f.accA, idp.RoleViewer), "tenant-a", TenantPatch{Name: &name})
			if err == nil {
				t.Error("a viewer renamed the tenant")
			}
			return nil
		}, nil},
		{"dry run", func() error {
			_, err := f.svc.CreateClient(WithDryRun(ctx), "tenant-a", ClientInput{ID: "dry", Name: "Dry", Type: idp.ClientSPA, RedirectURIs: []string{"https://spa.example.com/cb"}})
			return err
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			must(c.do())
			if !slices.EqualFunc(got, c.want, func(g, w idp.Change) bool {
				return g == w || (w.ID == anyID && g.ID != "" && g.Kind == w.Kind && g.TenantID == w.TenantID)
			}) {
				t.Fatalf("published %v, want %v", got, c.want)
			}
		})
	}
}
