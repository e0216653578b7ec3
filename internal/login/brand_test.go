package login

import (
	"net/http"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
)

// TestBrandLogoServedFromOwnIssuer: an uploaded logo (stored as
// internal/manage's SetThemeImage stores it) is linked by the hosted login
// page and served from the tenant's own host and path issuer, with the
// image headers; another tenant's host or path answers 404.
func TestBrandLogoServedFromOwnIssuer(t *testing.T) {
	e := newEnv(t, envOptions{})
	logo := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR acme's logo")
	if err := e.store.PutThemeAsset(e.ctx, acme, idp.ThemeAssetLogo, "image/png", logo, e.clock.Now()); err != nil {
		t.Fatal(err)
	}
	rel := page.BrandAssetPath(idp.ThemeAssetLogo, logo)
	if err := e.store.PutTheme(e.ctx, acme, &idp.Theme{TenantID: acme, LogoURL: rel, UpdatedAt: e.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, origin, issuer, other string
		img                         string // the <img src> the login page must carry
	}{
		{"host issuer", "http://acme.example.test", "http://acme.example.test", "http://globex.example.test", rel},
		{"path issuer", "http://example.test", "http://example.test/t/acme", "http://example.test/t/globex", "/t/acme" + rel},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := e.browser()
			lp := b.get(tc.issuer + "/oauth2/login")
			if lp.StatusCode != http.StatusOK || !strings.Contains(lp.body, `<img src="`+tc.img+`"`) {
				t.Fatalf("login page %d lacks <img src=%q>:\n%.1200s", lp.StatusCode, tc.img, lp.body)
			}
			img := b.get(tc.origin + tc.img)
			h := img.Header
			if img.StatusCode != http.StatusOK || img.body != string(logo) || h.Get("Content-Type") != "image/png" ||
				h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Content-Security-Policy") != "default-src 'none'" ||
				h.Get("ETag") != `"`+page.BrandAssetVersion(logo)+`"` || h.Get("Cache-Control") != "public, max-age=300" {
				t.Fatalf("GET %s: %d %v %q", tc.origin+tc.img, img.StatusCode, h, img.body)
			}
			if r := b.get(tc.other + "/assets/brand/logo?v=" + page.BrandAssetVersion(logo)); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "PNG") {
				t.Fatalf("another tenant's issuer: %d %q, want 404", r.StatusCode, r.body)
			}
			if lp := b.get(tc.other + "/oauth2/login"); strings.Contains(lp.body, "/assets/brand/") {
				t.Fatal("another tenant's login page links a branding image")
			}
		})
	}
}
