package manage

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"regexp"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
)

// brandPath is the form SetThemeImage gives LogoURL and IconURL: an
// issuer-relative path with a 16-hex-digit content version.
var brandPath = regexp.MustCompile(`^/assets/brand/(logo|icon)\?v=[0-9a-f]{16}$`)

// TestSetThemeImageStoresAsset: an upload is kept in the store as the
// tenant's theme asset and the theme points at it with a same-origin,
// content-versioned path; a new upload changes the version; the other
// tenant is untouched; a reset removes the images.
func TestSetThemeImageStoresAsset(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	img := pngBytes(t)
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, image.NewGray(image.Rect(0, 0, 4, 4)), nil); err != nil {
		t.Fatal(err)
	}
	other := image.NewRGBA(image.Rect(0, 0, 4, 4))
	other.Set(0, 0, color.RGBA{B: 255, A: 255})
	for _, tc := range []struct {
		name, kind, ct string
		data           []byte
		wantType       string
	}{
		{"png logo", ImageLogo, "image/png", img, "image/png"},
		{"jpeg icon, no claimed type", ImageIcon, "", jb.Bytes(), "image/jpeg"},
		{"logo replaced", ImageLogo, "image/jpeg; charset=binary", jb.Bytes(), "image/jpeg"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f.clock.Advance(time.Second) // one newest audit event per case
			res, err := f.svc.SetThemeImage(ctx, "tenant-a", tc.kind, tc.ct, tc.data)
			if err != nil {
				t.Fatal(err)
			}
			got := res.Theme.LogoURL
			if tc.kind == ImageIcon {
				got = res.Theme.IconURL
			}
			if !brandPath.MatchString(got) || got != page.BrandAssetPath(tc.kind, tc.data) {
				t.Fatalf("%s url = %q, want the same-origin path %q", tc.kind, got, page.BrandAssetPath(tc.kind, tc.data))
			}
			saved, err := f.svc.GetTheme(ctx, "tenant-a")
			if err != nil {
				t.Fatal(err)
			}
			if saved.LogoURL != res.Theme.LogoURL || saved.IconURL != res.Theme.IconURL {
				t.Fatalf("saved theme %+v differs from the result %+v", saved, res.Theme)
			}
			a, err := f.st.GetThemeAsset(context.Background(), "tenant-a", tc.kind)
			if err != nil {
				t.Fatal(err)
			}
			if a.ContentType != tc.wantType || !bytes.Equal(a.Data, tc.data) || !a.UpdatedAt.Equal(f.clock.Now()) {
				t.Fatalf("stored asset = %s %d bytes at %v", a.ContentType, len(a.Data), a.UpdatedAt)
			}
			if e := f.lastAudit(t, "tenant-a", "theme.update"); e.Outcome != outcomeSuccess || e.Details["fields"] != tc.kind+"_url" {
				t.Fatalf("audit = %+v", e)
			}
		})
	}
	if page.BrandAssetPath(ImageLogo, img) == page.BrandAssetPath(ImageLogo, jb.Bytes()) {
		t.Fatal("different images have the same version")
	}
	for _, kind := range []string{ImageLogo, ImageIcon} {
		if _, err := f.st.GetThemeAsset(context.Background(), "tenant-b", kind); !errors.Is(err, idp.ErrNotFound) {
			t.Fatalf("tenant-b %s: %v, want not found", kind, err)
		}
	}
	if _, err := f.svc.ResetTheme(ctx, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	for _, kind := range []string{ImageLogo, ImageIcon} {
		if _, err := f.st.GetThemeAsset(context.Background(), "tenant-a", kind); !errors.Is(err, idp.ErrNotFound) {
			t.Fatalf("%s after reset: %v, want not found", kind, err)
		}
	}
}

// TestSetThemeImageRights: a caller who may not change the theme stores
// nothing, and an invalid image stores nothing.
func TestSetThemeImageRights(t *testing.T) {
	f := newFixture(t)
	img := pngBytes(t)
	for _, tc := range []struct {
		name string
		ctx  context.Context
		data []byte
		want error
	}{
		{"viewer", userIn(f.accA, idp.RoleViewer), img, idp.ErrForbidden},
		{"other account", userIn(f.accB, idp.RoleOwner), img, idp.ErrNotFound},
		{"nobody", context.Background(), img, idp.ErrForbidden},
		{"svg", cli(context.Background()), []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`), idp.ErrInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.SetThemeImage(tc.ctx, "tenant-a", ImageLogo, "", tc.data); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := f.st.GetThemeAsset(context.Background(), "tenant-a", ImageLogo); !errors.Is(err, idp.ErrNotFound) {
				t.Fatalf("an image was stored: %v", err)
			}
		})
	}
}
