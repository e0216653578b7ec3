package manage

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
)

func ptr[T any](v T) *T { return &v }

func pngBytes(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGetThemeDefaults(t *testing.T) {
	f := newFixture(t)
	th, err := f.svc.GetTheme(cli(context.Background()), "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	if th.Light != page.DefaultLight || th.Dark != page.DefaultDark || th.LogoURL != "" {
		t.Fatalf("theme without a saved one = %+v, want the page defaults", th)
	}
}

func TestUpdateThemeValidation(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	cases := []struct {
		name  string
		patch ThemePatch
		field string // "" = accepted
	}{
		{"primary ok", ThemePatch{Light: ColorsPatch{PrimaryColor: ptr("#AA0000")}}, ""},
		{"short hex", ThemePatch{Light: ColorsPatch{PrimaryColor: ptr("#abc")}}, "light.primary_color"},
		{"named colour", ThemePatch{Dark: ColorsPatch{TextColor: ptr("red")}}, "dark.text_color"},
		{"css injection", ThemePatch{Light: ColorsPatch{BackgroundColor: ptr("#ffffff;}body{")}}, "light.background_color"},
		{"logo path", ThemePatch{LogoURL: ptr("/assets/logo.png")}, ""},
		{"logo other origin", ThemePatch{LogoURL: ptr("https://evil.example/logo.png")}, "logo_url"},
		{"logo protocol-relative", ThemePatch{LogoURL: ptr("//evil.example/logo.png")}, "logo_url"},
		{"logo javascript", ThemePatch{LogoURL: ptr("javascript:alert(1)")}, "logo_url"},
		{"icon svg data", ThemePatch{IconURL: ptr("data:image/svg+xml;base64,PHN2Zy8+")}, "icon_url"},
		{"logo cleared", ThemePatch{LogoURL: ptr("")}, ""},
		{"language", ThemePatch{DefaultLanguage: ptr("pt-BR")}, ""},
		{"bad language", ThemePatch{DefaultLanguage: ptr("english!")}, "default_language"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.svc.UpdateTheme(ctx, "tenant-a", tc.patch)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ve *idp.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
			}
		})
	}
	th, err := f.svc.GetTheme(ctx, "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	if th.Light.PrimaryColor != "#aa0000" || th.Light.TextColor != page.DefaultLight.TextColor || th.Dark != page.DefaultDark {
		t.Fatalf("only the given fields must change: %+v", th)
	}
	ten, _ := f.svc.GetTenant(ctx, "tenant-a")
	if ten.DefaultLanguage != "pt-BR" {
		t.Fatalf("default language = %q", ten.DefaultLanguage)
	}
	if !hasAudit(f.audits(t, "tenant-a"), func(e idp.AuditEvent) bool {
		return e.Action == "theme.update" && e.Outcome == outcomeFailure && e.Details["field"] == "default_language"
	}) {
		t.Fatal("the refused language change is not audited")
	}
}

func TestContrastWarnings(t *testing.T) {
	if w := ContrastWarnings(DefaultTheme("x")); len(w) != 0 {
		t.Fatalf("defaults warn: %v", w)
	}
	if r := ContrastRatio("#000000", "#ffffff"); r < 20.99 || r > 21.01 {
		t.Fatalf("black on white = %v, want 21", r)
	}
	f := newFixture(t)
	res, err := f.svc.UpdateTheme(cli(context.Background()), "tenant-a", ThemePatch{
		Light: ColorsPatch{TextColor: ptr("#777777"), BackgroundColor: ptr("#ffffff"), BoxBackgroundColor: ptr("#000000")},
	})
	if err != nil {
		t.Fatal(err)
	}
	// #777777 on white is 4.48:1 and on black 4.69:1: one warning.
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "light mode: text on the page background") {
		t.Fatalf("warnings = %q", res.Warnings)
	}
}

func TestResetThemeAndImage(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	img := pngBytes(t)
	res, err := f.svc.SetThemeImage(ctx, "tenant-a", ImageLogo, "image/png", img)
	if err != nil {
		t.Fatal(err)
	}
	if res.Theme.LogoURL != page.BrandAssetPath(ImageLogo, img) {
		t.Fatalf("logo = %.40q", res.Theme.LogoURL)
	}
	for _, tc := range []struct {
		name, kind, ct string
		data           []byte
	}{
		{"svg", ImageIcon, "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"html", ImageLogo, "image/png", []byte("<html><script>alert(1)</script>")},
		{"too large", ImageLogo, "image/png", append(img, make([]byte, MaxThemeImage)...)},
		{"type mismatch", ImageLogo, "image/jpeg", img},
		{"bad kind", "banner", "image/png", img},
		{"empty", ImageLogo, "image/png", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.SetThemeImage(ctx, "tenant-a", tc.kind, tc.ct, tc.data); !errors.Is(err, idp.ErrInvalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
		})
	}
	if _, err := f.svc.UpdateTheme(ctx, "tenant-a", ThemePatch{Dark: ColorsPatch{PrimaryColor: ptr("#123456")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ResetTheme(ctx, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	th, _ := f.svc.GetTheme(ctx, "tenant-a")
	if th.Dark != page.DefaultDark || th.LogoURL != "" {
		t.Fatalf("after reset = %+v", th)
	}
	if e := f.lastAudit(t, "tenant-a", "theme.reset"); e.Outcome != outcomeSuccess || e.ActorType != ActorCLI {
		t.Fatalf("reset audit = %+v", e)
	}
}

func TestThemeRights(t *testing.T) {
	f := newFixture(t)
	patch := ThemePatch{Light: ColorsPatch{PrimaryColor: ptr("#112233")}}
	cases := []struct {
		name           string
		ctx            context.Context
		tenant         string
		readErr, upErr error
	}{
		{"owner", userIn(f.accA, idp.RoleOwner), "tenant-a", nil, nil},
		{"admin", userIn(f.accA, idp.RoleAdmin), "tenant-a", nil, nil},
		{"viewer", userIn(f.accA, idp.RoleViewer), "tenant-a", nil, idp.ErrForbidden},
		{"other account", userIn(f.accB, idp.RoleOwner), "tenant-a", idp.ErrNotFound, idp.ErrNotFound},
		{"machine token of another tenant", WithActor(context.Background(), Actor{Type: ActorClient, ID: "c", TenantID: "tenant-b"}), "tenant-a", idp.ErrNotFound, idp.ErrNotFound},
		{"nobody", context.Background(), "tenant-a", idp.ErrForbidden, idp.ErrForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := f.svc.GetTheme(tc.ctx, tc.tenant); !errIs(err, tc.readErr) {
				t.Fatalf("get: %v, want %v", err, tc.readErr)
			}
			if _, err := f.svc.UpdateTheme(tc.ctx, tc.tenant, patch); !errIs(err, tc.upErr) {
				t.Fatalf("update: %v, want %v", err, tc.upErr)
			}
			if _, err := f.svc.ResetTheme(tc.ctx, tc.tenant); !errIs(err, tc.upErr) {
				t.Fatalf("reset: %v, want %v", err, tc.upErr)
			}
		})
	}
	if !hasAudit(f.audits(t, "tenant-a"), func(e idp.AuditEvent) bool {
		return e.Action == "theme.reset" && e.ActorID == "usr_viewer" && e.Outcome == outcomeFailure && e.Details["reason"] == "forbidden"
	}) {
		t.Fatal("the viewer's refused reset is not audited")
	}
	if hasAudit(f.audits(t, "tenant-a"), func(e idp.AuditEvent) bool { return e.ActorID == "c" }) {
		t.Fatal("a caller that cannot see the tenant left an audit record in it")
	}
}

func errIs(err, want error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

func hasAudit(es []idp.AuditEvent, match func(idp.AuditEvent) bool) bool {
	for _, e := range es {
		if match(e) {
			return true
		}
	}
	return false
}
