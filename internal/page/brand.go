package page

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// BrandAssetPrefix starts the issuer-relative path of a tenant's uploaded
// branding image. A theme URL with this prefix is resolved against the
// issuer's base path when a page is rendered, so a path issuer
// ("/t/{id}") loads its own tenant's image, never another's.
const BrandAssetPrefix = "/assets/brand/"

// brandImageTypes are the media types a branding image is served as; the
// management layer accepts only these (SVG is refused: it can carry script).
var brandImageTypes = map[string]bool{"image/png": true, "image/jpeg": true, "image/webp": true}

// BrandAssetVersion is the cache-busting version of an image: the first
// 16 hex digits of its SHA-256. It is also the image's ETag.
func BrandAssetVersion(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// BrandAssetPath is the issuer-relative URL of the tenant's image of kind
// (idp.ThemeAssetLogo or idp.ThemeAssetIcon) with content data, e.g.
// "/assets/brand/logo?v=0123456789abcdef". A new upload changes the
// version, so browsers fetch it again despite caching.
func BrandAssetPath(kind string, data []byte) string {
	return BrandAssetPrefix + kind + "?v=" + BrandAssetVersion(data)
}

// brandCSP forbids everything to the image response itself: opened
// directly, it can run nothing and load nothing.
const brandCSP = "default-src 'none'"

// BrandAssets serves GET /assets/brand/{kind}: the uploaded logo or icon
// of the tenant the request resolved to, read from assets. It answers 404
// when the tenant has none (or the kind is unknown), so one tenant's host
// or path can never show another tenant's image; an image the tenant's
// theme no longer points at is not served either. The response carries the
// stored media type with nosniff, a CSP of default-src 'none', an ETag
// (conditional requests answer 304) and five minutes of caching; pages
// link it with a ?v= content version, so a new upload is fetched at once.
func (r *Renderer) BrandAssets(assets store.ThemeAssets) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", brandCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Del("Pragma")
		kind := req.PathValue("kind")
		info, ok := tenant.FromContext(req.Context())
		if !ok || assets == nil || (kind != idp.ThemeAssetLogo && kind != idp.ThemeAssetIcon) {
			http.NotFound(w, req)
			return
		}
		used, err := r.brandAssetInUse(req.Context(), info.Tenant.ID, kind)
		var a *idp.ThemeAsset
		if err == nil && used {
			a, err = assets.GetThemeAsset(req.Context(), info.Tenant.ID, kind)
		}
		switch {
		case err == nil && !used, errors.Is(err, idp.ErrNotFound):
			http.NotFound(w, req)
			return
		case err != nil:
			r.log.WarnContext(req.Context(), "page: branding image unavailable",
				slog.String("tenant", info.Tenant.ID), slog.String("kind", kind), slog.Any("err", err))
			h.Set("Cache-Control", "no-store")
			http.Error(w, "branding image unavailable", http.StatusServiceUnavailable)
			return
		}
		ct := strings.ToLower(a.ContentType)
		if !brandImageTypes[ct] {
			// Never serve a stored type the upload checks would refuse.
			http.NotFound(w, req)
			return
		}
		h.Set("Content-Type", ct)
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("ETag", `"`+BrandAssetVersion(a.Data)+`"`)
		h.Set("Cache-Control", "public, max-age=300")
		// ServeContent answers If-None-Match with 304 and HEAD without a body.
		http.ServeContent(w, req, "", a.UpdatedAt, bytes.NewReader(a.Data))
	})
}

// brandAssetInUse reports whether the tenant's saved theme points at its
// uploaded image of kind: an image the tenant removed from its theme is
// no longer served.
func (r *Renderer) brandAssetInUse(ctx context.Context, tenantID, kind string) (bool, error) {
	if r.themes == nil {
		return false, nil
	}
	th, err := r.themes.GetTheme(ctx, tenantID)
	if errors.Is(err, idp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	u := th.LogoURL
	if kind == idp.ThemeAssetIcon {
		u = th.IconURL
	}
	return strings.HasPrefix(u, BrandAssetPrefix+kind+"?") || u == BrandAssetPrefix+kind, nil
}

// brandAssetURL resolves a theme URL made by BrandAssetPath against the
// issuer's base path; other URLs are returned unchanged.
func brandAssetURL(s string, info *tenant.Info) string {
	if info == nil || !strings.HasPrefix(s, BrandAssetPrefix) {
		return s
	}
	return info.Path(s)
}
