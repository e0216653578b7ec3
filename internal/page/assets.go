package page

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

// asset is one embedded static file, kept in memory.
type asset struct {
	body    []byte
	ctype   string
	version string // first 16 hex digits of its SHA-256
}

// contentTypes maps the extensions we ship to their media types; files of
// other types are not served.
var contentTypes = map[string]string{
	".css":   "text/css; charset=utf-8",
	".js":    "text/javascript; charset=utf-8",
	".svg":   "image/svg+xml",
	".png":   "image/png",
	".ico":   "image/x-icon",
	".woff2": "font/woff2",
}

// loadAssets reads every file directly under static/.
func loadAssets(fsys fs.FS) (map[string]asset, error) {
	entries, err := fs.ReadDir(fsys, "static")
	if err != nil {
		return nil, fmt.Errorf("page: static assets: %w", err)
	}
	out := map[string]asset{}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		ct, ok := contentTypes[path.Ext(e.Name())]
		if !ok {
			continue
		}
		b, err := fs.ReadFile(fsys, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("page: static asset %s: %w", e.Name(), err)
		}
		sum := sha256.Sum256(b)
		out[e.Name()] = asset{body: b, ctype: ct, version: hex.EncodeToString(sum[:8])}
	}
	return out, nil
}

// assetPath is the same-origin URL of a static file under the issuer's base
// path, versioned by content so it can be cached for a year.
func (r *Renderer) assetPath(base, name string) string {
	a, ok := r.assets[name]
	if !ok {
		return base + "/assets/" + name
	}
	return base + "/assets/" + name + "?v=" + a.version
}

// Assets serves the embedded static files at /assets/{name} (relative to
// the issuer, so a tenant's pages load them from its own host and path).
// A request carrying the current ?v= version is cacheable for a year and
// immutable; any other for five minutes.
func (r *Renderer) Assets() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		name, ok := strings.CutPrefix(req.URL.Path, "/assets/")
		a, found := r.assets[name]
		if !ok || !found || strings.Contains(name, "/") {
			http.NotFound(w, req)
			return
		}
		h := w.Header()
		h.Del("Content-Security-Policy")
		h.Del("Pragma")
		h.Set("Content-Type", a.ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("ETag", `"`+a.version+`"`)
		if req.URL.Query().Get("v") == a.version {
			h.Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			h.Set("Cache-Control", "public, max-age=300")
		}
		http.ServeContent(w, req, name, time.Time{}, bytes.NewReader(a.body))
	})
}
