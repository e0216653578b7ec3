package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testTenants(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("CreateGet", func(t *testing.T) {
		want := tenant("tenant-c", "acct-1")
		want.Name, want.SigningAlg = "Tenant C", idp.AlgES256
		want.AuthMethods = []string{idp.AuthMethodMagicLink, idp.AuthMethodPasskey}
		must(t, s.CreateTenant(ctx, want))
		got, err := s.GetTenant(ctx, "tenant-c")
		must(t, err)
		wantEqual(t, got, want)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		wantErr(t, s.CreateTenant(ctx, tenant(tenantA, "acct-1")), idp.ErrConflict)
	})
	t.Run("GetNotFound", func(t *testing.T) {
		_, err := s.GetTenant(ctx, "no-such-tenant")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("Update", func(t *testing.T) {
		before, err := s.GetTenant(ctx, tenantB)
		must(t, err)
		upd := *before
		upd.Name, upd.AllowRegistration, upd.AccessTokenTTL = "Renamed", false, 300
		upd.AllowedOrigins = nil
		upd.UpdatedAt = t0.Add(1 * time.Microsecond)
		// Immutable fields are ignored.
		upd.AccountID, upd.Admin, upd.CreatedAt = "acct-other", true, t0.Add(-1*time.Microsecond)
		must(t, s.UpdateTenant(ctx, &upd))
		got, err := s.GetTenant(ctx, tenantB)
		must(t, err)
		want := upd
		want.AccountID, want.Admin, want.CreatedAt = before.AccountID, false, before.CreatedAt
		wantEqual(t, got, &want)
	})
	t.Run("UpdateNotFound", func(t *testing.T) {
		wantErr(t, s.UpdateTenant(ctx, tenant("no-such-tenant", "")), idp.ErrNotFound)
	})
	t.Run("UpdateCrossTenant", func(t *testing.T) {
		a, err := s.GetTenant(ctx, tenantA)
		must(t, err)
		upd := tenant(tenantB, "acct-1")
		upd.Name = "B only"
		must(t, s.UpdateTenant(ctx, upd))
		after, err := s.GetTenant(ctx, tenantA)
		must(t, err)
		wantEqual(t, after, a)
	})
	t.Run("SetStatus", func(t *testing.T) {
		before, err := s.GetTenant(ctx, tenantB)
		must(t, err)
		wantEqual(t, before.Status, idp.TenantActive)
		at := t0.Add(2 * time.Microsecond)
		must(t, s.SetTenantStatus(ctx, tenantB, idp.TenantSuspended, &at, at))
		got, err := s.GetTenant(ctx, tenantB)
		must(t, err)
		want := *before
		want.Status, want.SuspendedAt, want.UpdatedAt = idp.TenantSuspended, &at, at
		wantEqual(t, got, &want)
		// A settings update neither reads nor writes the status: one based
		// on a copy read before the suspension does not lift it.
		stale := *before
		stale.Name = "Renamed while suspended"
		must(t, s.UpdateTenant(ctx, &stale))
		got, err = s.GetTenant(ctx, tenantB)
		must(t, err)
		wantEqual(t, got.Status, idp.TenantSuspended)
		wantEqual(t, got.SuspendedAt, &at)
		wantEqual(t, got.Name, "Renamed while suspended")
		// Listing shows it too.
		all, _, err := s.ListTenants(ctx, "", idp.Page{})
		must(t, err)
		for _, x := range all {
			if x.ID == tenantB {
				wantEqual(t, x.Status, idp.TenantSuspended)
			}
		}
		later := at.Add(time.Microsecond)
		must(t, s.SetTenantStatus(ctx, tenantB, idp.TenantActive, nil, later))
		got, err = s.GetTenant(ctx, tenantB)
		must(t, err)
		wantEqual(t, got.Status, idp.TenantActive)
		wantEqual(t, got.SuspendedAt, (*time.Time)(nil))
		wantEqual(t, got.UpdatedAt, later)
		must(t, s.UpdateTenant(ctx, before)) // back to the state the later cases expect
	})
	t.Run("SetStatusNotFound", func(t *testing.T) {
		wantErr(t, s.SetTenantStatus(ctx, "no-such-tenant", idp.TenantSuspended, &t0, t0), idp.ErrNotFound)
	})
	t.Run("SetStatusCrossTenant", func(t *testing.T) {
		must(t, s.SetTenantStatus(ctx, tenantA, idp.TenantSuspended, &t0, t0))
		b, err := s.GetTenant(ctx, tenantB)
		must(t, err)
		wantEqual(t, b.Status, idp.TenantActive)
		must(t, s.SetTenantStatus(ctx, tenantA, idp.TenantActive, nil, t0))
	})
	t.Run("CreateSuspended", func(t *testing.T) {
		x := tenant("tenant-s", "acct-3")
		x.Status, x.SuspendedAt = idp.TenantSuspended, &t0
		must(t, s.CreateTenant(ctx, x))
		got, err := s.GetTenant(ctx, "tenant-s")
		must(t, err)
		wantEqual(t, got, x)
		must(t, s.DeleteTenant(ctx, "tenant-s"))
	})
	t.Run("AdminTenant", func(t *testing.T) {
		_, err := s.AdminTenant(ctx)
		wantErr(t, err, idp.ErrNotFound)
		admin := tenant("admin", "")
		admin.Admin = true
		must(t, s.CreateTenant(ctx, admin))
		got, err := s.AdminTenant(ctx)
		must(t, err)
		wantEqual(t, got, admin)
		second := tenant("admin-2", "")
		second.Admin = true
		wantErr(t, s.CreateTenant(ctx, second), idp.ErrConflict)
	})
	t.Run("List", func(t *testing.T) {
		must(t, s.CreateTenant(ctx, tenant("other-1", "acct-2")))
		must(t, s.CreateTenant(ctx, tenant("other-0", "acct-2")))
		all, total, err := s.ListTenants(ctx, "", idp.Page{})
		must(t, err)
		ids := tenantIDs(all)
		wantEqual(t, ids, []string{"admin", "other-0", "other-1", tenantA, tenantB, "tenant-c"})
		wantEqual(t, total, 6)

		got, total, err := s.ListTenants(ctx, "acct-2", idp.Page{})
		must(t, err)
		wantEqual(t, tenantIDs(got), []string{"other-0", "other-1"})
		wantEqual(t, total, 2)

		got, total, err = s.ListTenants(ctx, "", idp.Page{Limit: 2, Offset: 2})
		must(t, err)
		wantEqual(t, tenantIDs(got), []string{"other-1", tenantA})
		wantEqual(t, total, 6)

		got, total, err = s.ListTenants(ctx, "acct-none", idp.Page{})
		must(t, err)
		wantEqual(t, len(got), 0)
		wantEqual(t, total, 0)
	})
	t.Run("DeleteNotFound", func(t *testing.T) {
		wantErr(t, s.DeleteTenant(ctx, "no-such-tenant"), idp.ErrNotFound)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteTenant(ctx, "other-0"))
		_, err := s.GetTenant(ctx, "other-0")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetTenant(ctx, "other-1")
		must(t, err)
	})
}

func tenantIDs(ts []idp.Tenant) []string {
	var out []string
	for _, t := range ts {
		out = append(out, t.ID)
	}
	return out
}

func testThemes(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	theme := func(primary string) *idp.Theme {
		return &idp.Theme{
			TenantID: tenantA,
			Light: idp.ThemeColors{PrimaryColor: primary, SecondaryColor: "#222222",
				SecondaryButtonTextColor: "#333333", BackgroundColor: "#ffffff",
				BoxBackgroundColor: "#fafafa", TextColor: "#111111"},
			Dark:    idp.ThemeColors{PrimaryColor: "#aaaaaa", TextColor: "#eeeeee"},
			LogoURL: "https://cdn.example.com/logo.svg", IconURL: "https://cdn.example.com/icon.png",
			UpdatedAt: t0,
		}
	}
	t.Run("GetNone", func(t *testing.T) {
		_, err := s.GetTheme(ctx, tenantA)
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("PutGetReplace", func(t *testing.T) {
		must(t, s.PutTheme(ctx, tenantA, theme("#0055ff")))
		got, err := s.GetTheme(ctx, tenantA)
		must(t, err)
		wantEqual(t, got, theme("#0055ff"))
		next := theme("#ff5500")
		next.LogoURL, next.UpdatedAt = "", t0.Add(1*time.Microsecond)
		must(t, s.PutTheme(ctx, tenantA, next))
		got, err = s.GetTheme(ctx, tenantA)
		must(t, err)
		wantEqual(t, got, next)
	})
	t.Run("PutUnknownTenant", func(t *testing.T) {
		wantErr(t, s.PutTheme(ctx, "no-such-tenant", theme("#000000")), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetTheme(ctx, tenantB)
		wantErr(t, err, idp.ErrNotFound)
		must(t, s.DeleteTheme(ctx, tenantB))
		_, err = s.GetTheme(ctx, tenantA)
		must(t, err)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteTheme(ctx, tenantA))
		_, err := s.GetTheme(ctx, tenantA)
		wantErr(t, err, idp.ErrNotFound)
		must(t, s.DeleteTheme(ctx, tenantA)) // none saved: no error
	})
}

func testAccounts(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("CreateGet", func(t *testing.T) {
		want := &idp.Account{ID: "acct-2", Name: "Second", CreatedAt: t0}
		must(t, s.CreateAccount(ctx, want))
		got, err := s.GetAccount(ctx, "acct-2")
		must(t, err)
		wantEqual(t, got, want)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		wantErr(t, s.CreateAccount(ctx, &idp.Account{ID: "acct-1", CreatedAt: t0}), idp.ErrConflict)
	})
	t.Run("GetNotFound", func(t *testing.T) {
		_, err := s.GetAccount(ctx, "acct-none")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("Members", func(t *testing.T) {
		m1 := &idp.AccountMember{AccountID: "acct-1", UserID: "admin-user-1", Role: idp.RoleOwner, CreatedAt: t0}
		m2 := &idp.AccountMember{AccountID: "acct-1", UserID: "admin-user-2", Role: idp.RoleViewer, CreatedAt: t0.Add(1 * time.Microsecond)}
		m3 := &idp.AccountMember{AccountID: "acct-2", UserID: "admin-user-1", Role: idp.RoleAdmin, CreatedAt: t0.Add(2 * time.Microsecond)}
		for _, m := range []*idp.AccountMember{m1, m2, m3} {
			must(t, s.PutAccountMember(ctx, m))
		}
		got, err := s.ListAccountMembers(ctx, "acct-1")
		must(t, err)
		wantEqual(t, got, []idp.AccountMember{*m1, *m2})

		// Put again updates the role and keeps the membership's age.
		must(t, s.PutAccountMember(ctx, &idp.AccountMember{AccountID: "acct-1", UserID: "admin-user-2",
			Role: idp.RoleAdmin, CreatedAt: t0.Add(99 * time.Microsecond)}))
		got, err = s.ListAccountMembers(ctx, "acct-1")
		must(t, err)
		want2 := *m2
		want2.Role = idp.RoleAdmin
		wantEqual(t, got, []idp.AccountMember{*m1, want2})

		mine, err := s.ListMemberships(ctx, "admin-user-1")
		must(t, err)
		wantEqual(t, mine, []idp.AccountMember{*m1, *m3})

		wantErr(t, s.PutAccountMember(ctx, &idp.AccountMember{AccountID: "acct-none", UserID: "x",
			Role: idp.RoleOwner, CreatedAt: t0}), idp.ErrNotFound)

		must(t, s.DeleteAccountMember(ctx, "acct-1", "admin-user-1"))
		wantErr(t, s.DeleteAccountMember(ctx, "acct-1", "admin-user-1"), idp.ErrNotFound)
		mine, err = s.ListMemberships(ctx, "admin-user-1")
		must(t, err)
		wantEqual(t, mine, []idp.AccountMember{*m3})
		none, err := s.ListAccountMembers(ctx, "acct-none")
		must(t, err)
		wantEqual(t, len(none), 0)
	})
}
