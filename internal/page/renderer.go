package page

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
	"github.com/authalla/authalla/web"
)

// Options configure a Renderer.
type Options struct {
	// FS holds templates/ and static/; web.FS when nil.
	FS fs.FS
	// Random is the source of CSP nonces; crypto/rand when nil.
	Random io.Reader
	// Log receives render failures; slog.Default() when nil.
	Log *slog.Logger
}

// Renderer renders the hosted pages. Each template is parsed once, on its
// first render (a restart answers its first request sooner and an idle
// server holds only the pages it served; TestEveryPageParses parses them
// all); it is safe for concurrent use.
type Renderer struct {
	themes store.Themes
	// pages parses each page's template on its first call.
	pages  map[string]func() (*template.Template, error)
	assets map[string]asset
	random io.Reader
	log    *slog.Logger
}

// New finds every page template (templates/*.html, each combined with
// templates/layout.html, parsed on first use) and loads the static assets. themes may be nil, in
// which case every page uses the default theme.
func New(themes store.Themes, opts Options) (*Renderer, error) {
	if opts.FS == nil {
		opts.FS = web.FS
	}
	if opts.Random == nil {
		opts.Random = rand.Reader
	}
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	names, err := fs.Glob(opts.FS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("page: templates: %w", err)
	}
	r := &Renderer{themes: themes, pages: map[string]func() (*template.Template, error){}, random: opts.Random, log: opts.Log}
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		fsys := opts.FS
		r.pages[name] = sync.OnceValues(func() (*template.Template, error) {
			t, err := template.New(name).Option("missingkey=error").ParseFS(fsys, "templates/layout.html", n)
			if err != nil {
				return nil, fmt.Errorf("page: parse %s: %w", n, err)
			}
			return t, nil
		})
	}
	if _, ok := r.pages["error"]; !ok {
		return nil, fmt.Errorf("page: templates/error.html is missing")
	}
	if r.assets, err = loadAssets(opts.FS); err != nil {
		return nil, err
	}
	return r, nil
}

// View is what every template sees: the page's own Data plus the layout's
// needs. Templates call its methods for links, assets and CSRF fields.
type View struct {
	Title      string
	Data       any
	Nonce      string
	Theme      Theme
	TenantName string
	// Logo is a same-origin logo URL or an image data URL, or "". It is
	// a template.URL because html/template would otherwise replace a
	// data: URL; only sameOriginURL's checked values are put here.
	Logo      template.URL
	Lang      string
	HasTenant bool

	w        http.ResponseWriter
	r        *http.Request
	info     *tenant.Info
	renderer *Renderer
}

// Path returns p under the issuer's base path (same-origin link).
func (v *View) Path(p string) string {
	if v.info == nil {
		return p
	}
	return v.info.Path(p)
}

// Asset returns the versioned URL of a static file.
func (v *View) Asset(name string) string {
	base := ""
	if v.info != nil {
		base = v.info.BasePath
	}
	return v.renderer.assetPath(base, name)
}

// CSRF returns this page's anti-forgery form value (setting the token
// cookie if the browser has none).
func (v *View) CSRF() string { return httpx.CSRFToken(v.w, v.r) }

// CSRFField is the hidden field's name.
func (v *View) CSRFField() string { return httpx.CSRFField }

// Initial is the first letter of the tenant's name, for the brand mark.
func (v *View) Initial() string { return Initial(v.TenantName) }

// Initial returns the first letter or digit of s, or "?".
func Initial(s string) string {
	for _, c := range s {
		if unicode.IsLetter(c) || unicode.IsDigit(c) {
			return string(c)
		}
	}
	return "?"
}

// Render writes the page template name with status. data is available to
// the template as .Data; title names the page in <title>. The page is
// rendered into a buffer first, so a template error becomes a clean error
// instead of half a page; only then are the headers (with a fresh CSP
// nonce) and the body written.
func (r *Renderer) Render(w http.ResponseWriter, req *http.Request, status int, name, title string, data any) error {
	parse, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("page: no template %q", name)
	}
	t, err := parse()
	if err != nil {
		return err
	}
	nonce, err := r.nonce()
	if err != nil {
		return err
	}
	v := &View{Title: title, Data: data, Nonce: nonce, Lang: "en", TenantName: "Authalla", w: w, r: req, renderer: r}
	secure := req.TLS != nil
	tenantID := ""
	if info, ok := tenant.FromContext(req.Context()); ok {
		v.info, v.HasTenant, secure, tenantID = info, true, info.Secure, info.Tenant.ID
		if info.Tenant.Name != "" {
			v.TenantName = info.Tenant.Name
		}
	}
	var logo string
	v.Theme, logo = r.loadTheme(req.Context(), tenantID)
	v.Logo = template.URL(brandAssetURL(sameOriginURL(logo, v.info), v.info))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("page: render %s: %w", name, err)
	}
	h := w.Header()
	SetSecurityHeaders(h, nonce, secure)
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Del("Content-Length")
	w.WriteHeader(status)
	_, err = w.Write(buf.Bytes())
	return err
}

// ErrorData is the error template's data.
type ErrorData struct {
	Title   string
	Message string
}

// ErrorPage writes an HTML error page; it matches httpx.PageRenderer. If
// the template itself fails, it falls back to plain text with the same
// headers.
func (r *Renderer) ErrorPage(w http.ResponseWriter, req *http.Request, status int, title, message string) {
	if err := r.Render(w, req, status, "error", title, ErrorData{Title: title, Message: message}); err != nil {
		r.log.ErrorContext(req.Context(), "page: error page failed", slog.String("request_id", httpx.RequestID(req.Context())), slog.Any("err", err))
		SetSecurityHeaders(w.Header(), "", req.TLS != nil)
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, title+": "+message+"\n")
	}
}

// nonce returns 128 random bits, base64url: the CSP3 §2.3.1 base64-value
// grammar allows "-" and "_", and unlike "+" they need no escaping in HTML.
func (r *Renderer) nonce() (string, error) {
	b := make([]byte, 16)
	if _, err := io.ReadFull(r.random, b); err != nil {
		return "", fmt.Errorf("page: nonce: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// sameOriginURL keeps a branding URL only when it is served from the
// issuer's own origin (SECURITY-TESTS 29): a path starting with a single
// "/", or an absolute URL on the issuer's origin. Anything else gives "".
func sameOriginURL(s string, info *tenant.Info) string {
	if isImageDataURL(s) {
		return s
	}
	if s == "" || len(s) > 2048 || !utf8.ValidString(s) || strings.ContainsAny(s, "\\\r\n\t ") {
		return ""
	}
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") {
		return s
	}
	if info == nil {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	if u.Scheme+"://"+u.Host != info.Origin() {
		return ""
	}
	return s
}

// maxImageDataURL bounds an inline logo: 256 KiB of image in base64 plus
// its prefix.
const maxImageDataURL = 350 << 10

// isImageDataURL reports whether s is a base64 data: URL of a PNG, JPEG
// or WebP image, the form internal/manage stores uploaded logos in. It is
// part of the page itself (no request leaves the origin) and the CSP
// allows it (img-src 'self' data:). SVG is never accepted: it can carry
// script.
func isImageDataURL(s string) bool {
	if len(s) > maxImageDataURL {
		return false
	}
	for _, p := range []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"} {
		if rest, ok := strings.CutPrefix(s, p); ok {
			return rest != "" && strings.Trim(rest, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=") == ""
		}
	}
	return false
}
