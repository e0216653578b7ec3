package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// testThemeAssets checks the uploaded branding images: put, replace, per
// kind, per tenant (tenant B never sees tenant A's image), delete, and the
// cascade from DeleteTenant.
func testThemeAssets(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR tenant A logo")
	t.Run("GetNone", func(t *testing.T) {
		_, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("PutGetReplace", func(t *testing.T) {
		must(t, s.PutThemeAsset(ctx, tenantA, idp.ThemeAssetLogo, "image/png", png, t0))
		got, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		must(t, err)
		wantEqual(t, got, &idp.ThemeAsset{TenantID: tenantA, Kind: idp.ThemeAssetLogo,
			ContentType: "image/png", Data: png, UpdatedAt: t0})

		jpeg := []byte("\xff\xd8\xff\xe0 replaced")
		at := t0.Add(time.Microsecond)
		must(t, s.PutThemeAsset(ctx, tenantA, idp.ThemeAssetLogo, "image/jpeg", jpeg, at))
		got, err = s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		must(t, err)
		wantEqual(t, got, &idp.ThemeAsset{TenantID: tenantA, Kind: idp.ThemeAssetLogo,
			ContentType: "image/jpeg", Data: jpeg, UpdatedAt: at})
	})
	t.Run("KindsAreSeparate", func(t *testing.T) {
		_, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetIcon)
		wantErr(t, err, idp.ErrNotFound)
		must(t, s.PutThemeAsset(ctx, tenantA, idp.ThemeAssetIcon, "image/png", png, t0))
		icon, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetIcon)
		must(t, err)
		logo, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		must(t, err)
		if icon.ContentType != "image/png" || logo.ContentType != "image/jpeg" {
			t.Fatalf("icon %s and logo %s: writing one kind changed the other", icon.ContentType, logo.ContentType)
		}
	})
	t.Run("PutUnknownTenant", func(t *testing.T) {
		wantErr(t, s.PutThemeAsset(ctx, "no-such-tenant", idp.ThemeAssetLogo, "image/png", png, t0), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		for _, kind := range []string{idp.ThemeAssetLogo, idp.ThemeAssetIcon} {
			_, err := s.GetThemeAsset(ctx, tenantB, kind)
			wantErr(t, err, idp.ErrNotFound)
		}
		// Deleting B's images leaves A's.
		must(t, s.DeleteThemeAssets(ctx, tenantB))
		_, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		must(t, err)
		// B's own image is B's, and A's is unchanged.
		must(t, s.PutThemeAsset(ctx, tenantB, idp.ThemeAssetLogo, "image/webp", []byte("RIFF b"), t0))
		a, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		must(t, err)
		if a.ContentType != "image/jpeg" || a.TenantID != tenantA {
			t.Fatalf("tenant A's logo changed when B saved one: %+v", a)
		}
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteThemeAssets(ctx, tenantA))
		for _, kind := range []string{idp.ThemeAssetLogo, idp.ThemeAssetIcon} {
			_, err := s.GetThemeAsset(ctx, tenantA, kind)
			wantErr(t, err, idp.ErrNotFound)
		}
		must(t, s.DeleteThemeAssets(ctx, tenantA)) // idempotent
		_, err := s.GetThemeAsset(ctx, tenantB, idp.ThemeAssetLogo)
		must(t, err)
	})
	t.Run("TenantCascade", func(t *testing.T) {
		must(t, s.PutThemeAsset(ctx, tenantA, idp.ThemeAssetLogo, "image/png", png, t0))
		must(t, s.DeleteTenant(ctx, tenantA))
		must(t, s.CreateTenant(ctx, tenant(tenantA, "acct-1")))
		_, err := s.GetThemeAsset(ctx, tenantA, idp.ThemeAssetLogo)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetThemeAsset(ctx, tenantB, idp.ThemeAssetLogo)
		must(t, err)
	})
}
