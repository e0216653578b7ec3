package page

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// brandStore is a fake store.Themes and store.ThemeAssets keyed by tenant.
type brandStore struct {
	themes map[string]*idp.Theme
	assets map[string]*idp.ThemeAsset // tenant + "/" + kind
	err    error
}

func (b *brandStore) GetTheme(_ context.Context, tenantID string) (*idp.Theme, error) {
	if th, ok := b.themes[tenantID]; ok {
		return th, nil
	}
	return nil, idp.ErrNotFound
}
func (*brandStore) PutTheme(context.Context, string, *idp.Theme) error { return nil }
func (*brandStore) DeleteTheme(context.Context, string) error          { return nil }
func (*brandStore) PutThemeAsset(context.Context, string, string, string, []byte, time.Time) error {
	return nil
}
func (*brandStore) DeleteThemeAssets(context.Context, string) error { return nil }
func (b *brandStore) GetThemeAsset(_ context.Context, tenantID, kind string) (*idp.ThemeAsset, error) {
	if b.err != nil {
		return nil, b.err
	}
	if a, ok := b.assets[tenantID+"/"+kind]; ok {
		return a, nil
	}
	return nil, idp.ErrNotFound
}

var (
	pngLogo = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR acme logo")
	webpIcn = []byte("RIFF\x10\x00\x00\x00WEBPVP8 acme icon")
	svgLogo = []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
)

// newBrandStore holds tenant acme's logo and icon, tenant other's
// theme without images, tenant gone's orphaned logo (its theme no longer
// points at it), tenant evil's logo of a type that is never served and
// tenant copycat, whose theme names acme's logo.
func newBrandStore() *brandStore {
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	return &brandStore{
		themes: map[string]*idp.Theme{
			"acme":  {LogoURL: BrandAssetPath(idp.ThemeAssetLogo, pngLogo), IconURL: BrandAssetPath(idp.ThemeAssetIcon, webpIcn)},
			"other": {LogoURL: "/assets/logo.svg"},
			"gone":  {},
			"evil":  {LogoURL: BrandAssetPath(idp.ThemeAssetLogo, svgLogo)},
			// copycat's theme names acme's logo but it has no image itself.
			"copycat": {LogoURL: BrandAssetPath(idp.ThemeAssetLogo, pngLogo)},
		},
		assets: map[string]*idp.ThemeAsset{
			"acme/logo": {TenantID: "acme", Kind: "logo", ContentType: "image/png", Data: pngLogo, UpdatedAt: at},
			"acme/icon": {TenantID: "acme", Kind: "icon", ContentType: "image/webp", Data: webpIcn, UpdatedAt: at},
			"gone/logo": {TenantID: "gone", Kind: "logo", ContentType: "image/png", Data: pngLogo, UpdatedAt: at},
			"evil/logo": {TenantID: "evil", Kind: "logo", ContentType: "image/svg+xml", Data: svgLogo, UpdatedAt: at},
		},
	}
}

// brandMux mounts the handler as internal/login does.
func brandMux(t *testing.T, st *brandStore) *http.ServeMux {
	t.Helper()
	r, err := New(st, Options{Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /assets/", r.Middleware(r.Assets()))
	mux.Handle("GET /assets/brand/{kind}", r.Middleware(r.BrandAssets(st)))
	return mux
}

// brandRequest asks for path on tenant id's host issuer.
func brandRequest(id, path string) *http.Request {
	req := httptest.NewRequest("GET", "https://"+id+".example.com"+path, nil)
	info := &tenant.Info{Tenant: &idp.Tenant{ID: id}, Issuer: "https://" + id + ".example.com", Secure: true}
	return req.WithContext(tenant.NewContext(req.Context(), info))
}

func TestBrandAssetsServe(t *testing.T) {
	mux := brandMux(t, newBrandStore())
	for _, tc := range []struct {
		name, tenant, path string
		ctype              string
		body               []byte
	}{
		{"logo", "acme", "/assets/brand/logo?v=" + BrandAssetVersion(pngLogo), "image/png", pngLogo},
		{"icon", "acme", "/assets/brand/icon", "image/webp", webpIcn},
		{"stale version still answers", "acme", "/assets/brand/logo?v=0000000000000000", "image/png", pngLogo},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, brandRequest(tc.tenant, tc.path))
			h := w.Header()
			if w.Code != http.StatusOK || w.Body.String() != string(tc.body) {
				t.Fatalf("status %d, body %q", w.Code, w.Body.String())
			}
			for k, want := range map[string]string{
				"Content-Type":            tc.ctype,
				"X-Content-Type-Options":  "nosniff",
				"Content-Security-Policy": "default-src 'none'",
				"ETag":                    `"` + BrandAssetVersion(tc.body) + `"`,
				"Cache-Control":           "public, max-age=300",
				"Pragma":                  "",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			// The ETag revalidates (RFC 9110 §13.1.2).
			req := brandRequest(tc.tenant, tc.path)
			req.Header.Set("If-None-Match", h.Get("ETag"))
			w = httptest.NewRecorder()
			mux.ServeHTTP(w, req)
			if w.Code != http.StatusNotModified || w.Body.Len() != 0 {
				t.Fatalf("If-None-Match: status %d, %d bytes", w.Code, w.Body.Len())
			}
		})
	}
}

func TestBrandAssetsNotFound(t *testing.T) {
	mux := brandMux(t, newBrandStore())
	for _, tc := range []struct{ name, tenant, path string }{
		{"another tenant's host", "other", "/assets/brand/logo?v=" + BrandAssetVersion(pngLogo)},
		{"theme names another tenant's image", "copycat", "/assets/brand/logo?v=" + BrandAssetVersion(pngLogo)},
		{"unknown tenant", "nobody", "/assets/brand/icon"},
		{"image no longer in the theme", "gone", "/assets/brand/logo"},
		{"stored type never served", "evil", "/assets/brand/logo"},
		{"unknown kind", "acme", "/assets/brand/banner"},
		{"nested path", "acme", "/assets/brand/logo/x"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			mux.ServeHTTP(w, brandRequest(tc.tenant, tc.path))
			if w.Code != http.StatusNotFound {
				t.Fatalf("status %d, want 404", w.Code)
			}
			if strings.HasPrefix(w.Header().Get("Content-Type"), "image/") || strings.Contains(w.Body.String(), "PNG") {
				t.Fatalf("404 carries an image: %v", w.Header())
			}
			if w.Header().Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("404 without nosniff")
			}
		})
	}
	// Without a resolved tenant nothing is served.
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, httptest.NewRequest("GET", "https://example.com/assets/brand/logo", nil))
	if w.Code != http.StatusNotFound {
		t.Fatalf("no tenant: status %d, want 404", w.Code)
	}
}

func TestBrandAssetsStoreFailure(t *testing.T) {
	st := newBrandStore()
	st.err = errors.New("db down")
	w := httptest.NewRecorder()
	brandMux(t, st).ServeHTTP(w, brandRequest("acme", "/assets/brand/logo"))
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Cache-Control") != "no-store" || strings.Contains(w.Body.String(), "db down") {
		t.Fatalf("status %d, cache %q, body %q", w.Code, w.Header().Get("Cache-Control"), w.Body.String())
	}
}

// TestBrandLogoOnIssuerPath: the layout's <img> resolves an uploaded logo
// against the issuer, so a path issuer loads its own tenant's image.
func TestBrandLogoOnIssuerPath(t *testing.T) {
	r, err := New(newBrandStore(), Options{Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	logo := BrandAssetPath(idp.ThemeAssetLogo, pngLogo)
	for _, tc := range []struct{ issuer, base, want string }{
		{"https://acme.example.com", "", logo},
		{"https://example.com/t/acme", "/t/acme", "/t/acme" + logo},
	} {
		w := httptest.NewRecorder()
		if err := r.Render(w, tenantRequest(tc.issuer, tc.base, true), 200, "error", "T", ErrorData{}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(w.Body.String(), `<img src="`+tc.want+`"`) {
			t.Errorf("issuer %s: no <img src=%q> in\n%s", tc.issuer, tc.want, w.Body.String())
		}
	}
}

func TestBrandAssetPath(t *testing.T) {
	p := BrandAssetPath(idp.ThemeAssetIcon, webpIcn)
	if !strings.HasPrefix(p, BrandAssetPrefix+"icon?v=") || len(p) != len(BrandAssetPrefix+"icon?v=")+16 {
		t.Fatalf("path = %q", p)
	}
	if p == BrandAssetPath(idp.ThemeAssetIcon, pngLogo) {
		t.Fatal("different images share a version")
	}
	if got := sameOriginURL(p, nil); got != p {
		t.Fatalf("sameOriginURL(%q) = %q", p, got)
	}
}
