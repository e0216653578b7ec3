package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// testDynamicClients covers the fields of self-registered clients and the
// purge of those that never obtained a grant (RFC 7591 registrations that
// were abandoned).
func testDynamicClients(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	dynamic := func(tenantID, id string, created time.Time) *idp.Client {
		c := &idp.Client{
			TenantID: tenantID, ID: id, Name: "Assistant", Type: idp.ClientNative,
			RedirectURIs: []string{"http://127.0.0.1/callback"}, ThirdParty: true, RequireConsent: true,
			RefreshGraceSeconds: 60, Dynamic: true, RegistrationTokenHash: []byte{1, 2, 3, 4},
			ClientURI: "https://assistant.example.com", CreatedAt: created, UpdatedAt: created,
		}
		must(t, s.CreateClient(ctx, tenantID, c))
		return c
	}
	old := t0.Add(-48 * time.Hour)
	t.Run("Fields", func(t *testing.T) {
		want := dynamic(tenantA, "dyn-fields", t0)
		got, err := s.GetClient(ctx, tenantA, want.ID)
		must(t, err)
		wantEqual(t, got, want)
		got.RegistrationTokenHash, got.ClientURI, got.UpdatedAt = nil, "", t0.Add(time.Minute)
		must(t, s.UpdateClient(ctx, tenantA, got))
		again, err := s.GetClient(ctx, tenantA, want.ID)
		must(t, err)
		wantEqual(t, again, got)
	})
	t.Run("DeleteUnused", func(t *testing.T) {
		dynamic(tenantA, "dyn-old-unused", old)
		dynamic(tenantB, "dyn-old-unused", old)
		dynamic(tenantA, "dyn-recent", t0)
		used := dynamic(tenantA, "dyn-old-used", old)
		code := f.codeValue(tenantA)
		code.ClientID = used.ID
		must(t, s.CreateAuthCode(ctx, tenantA, code))
		g := f.grantValue(tenantA)
		g.ClientID = used.ID
		must(t, s.RedeemAuthCode(ctx, tenantA, code.Hash, t0, store.Issue{Grant: g}))
		// An old client that was not registered dynamically stays.
		must(t, s.CreateClient(ctx, tenantB, &idp.Client{TenantID: tenantB, ID: "static-old", Name: "Static",
			Type: idp.ClientWeb, CreatedAt: old, UpdatedAt: old}))

		n, err := s.DeleteUnusedDynamicClients(ctx, t0.Add(-24*time.Hour))
		must(t, err)
		wantEqual(t, n, int64(2))
		for _, gone := range []struct{ tenant, id string }{{tenantA, "dyn-old-unused"}, {tenantB, "dyn-old-unused"}} {
			_, err := s.GetClient(ctx, gone.tenant, gone.id)
			wantErr(t, err, idp.ErrNotFound)
		}
		for _, kept := range []struct{ tenant, id string }{{tenantA, "dyn-recent"}, {tenantA, "dyn-old-used"}, {tenantB, "static-old"}, {tenantA, clientID}} {
			_, err := s.GetClient(ctx, kept.tenant, kept.id)
			must(t, err)
		}
		n, err = s.DeleteUnusedDynamicClients(ctx, t0.Add(-24*time.Hour))
		must(t, err)
		wantEqual(t, n, int64(0))
	})
}

// testAdminPreferences covers an administrator's saved settings.
func testAdminPreferences(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetAdminPreferences(ctx, "no-such-user")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("PutGetReplace", func(t *testing.T) {
		p := &idp.AdminPreferences{UserID: "admin-1", DefaultTenantID: tenantA, UpdatedAt: t0}
		must(t, s.PutAdminPreferences(ctx, p))
		got, err := s.GetAdminPreferences(ctx, "admin-1")
		must(t, err)
		wantEqual(t, got, p)
		p2 := &idp.AdminPreferences{UserID: "admin-1", DefaultTenantID: tenantB, UpdatedAt: t0.Add(time.Hour)}
		must(t, s.PutAdminPreferences(ctx, p2))
		got, err = s.GetAdminPreferences(ctx, "admin-1")
		must(t, err)
		wantEqual(t, got, p2)
		_, err = s.GetAdminPreferences(ctx, "admin-2")
		wantErr(t, err, idp.ErrNotFound)
	})
}
