package admin

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/http"
	"strings"
	"sync"

	"github.com/authalla/authalla/internal/page"
)

// renderer renders the Admin UI pages: templates/admin_layout.html with
// one templates/admin_{page}.html each. Templates use no functions, only
// the view's methods (internal/page parses these files too).
type renderer struct {
	// pages parses each page on its first render (an idle server holds
	// only the pages an administrator opened; TestEveryAdminPageParses
	// parses them all).
	pages  map[string]func() (*template.Template, error)
	assets map[string]string // name → /assets/ URL with its version
	random io.Reader
}

func newRenderer(fsys fs.FS, random io.Reader) (*renderer, error) {
	names, err := fs.Glob(fsys, "templates/admin_*.html")
	if err != nil {
		return nil, fmt.Errorf("admin: templates: %w", err)
	}
	r := &renderer{pages: map[string]func() (*template.Template, error){}, assets: map[string]string{}, random: random}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/admin_"), ".html")
		if name == "layout" {
			continue
		}
		r.pages[name] = sync.OnceValues(func() (*template.Template, error) {
			t, err := template.New(name).Option("missingkey=error").ParseFS(fsys, "templates/admin_layout.html", n)
			if err != nil {
				return nil, fmt.Errorf("admin: parse %s: %w", n, err)
			}
			return t, nil
		})
	}
	// The same versioning as internal/page's /assets/ handler, which
	// serves these files: the first 16 hex digits of their SHA-256.
	for _, a := range []string{"admin.css", "admin.js"} {
		b, err := fs.ReadFile(fsys, "static/"+a)
		if err != nil {
			return nil, fmt.Errorf("admin: asset %s: %w", a, err)
		}
		sum := sha256.Sum256(b)
		r.assets[a] = "/assets/" + a + "?v=" + hex.EncodeToString(sum[:8])
	}
	return r, nil
}

// render writes page name with status; v is completed with the nonce and
// the assets. The page is rendered to a buffer first, so a template
// failure becomes a clean error page.
func (r *renderer) render(w http.ResponseWriter, status int, name string, v *view) error {
	parse, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("admin: no template %q", name)
	}
	t, err := parse()
	if err != nil {
		return err
	}
	b := make([]byte, 16)
	if _, err := io.ReadFull(r.random, b); err != nil {
		return fmt.Errorf("admin: nonce: %w", err)
	}
	v.Nonce = base64.RawURLEncoding.EncodeToString(b)
	v.CSS, v.JS = r.assets["admin.css"], r.assets["admin.js"]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "admin_layout", v); err != nil {
		return fmt.Errorf("admin: render %s: %w", name, err)
	}
	page.SetSecurityHeaders(w.Header(), v.Nonce, v.secure)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}
