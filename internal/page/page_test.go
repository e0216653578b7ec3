package page

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// themes is a fake store.Themes.
type themes struct {
	th  *idp.Theme
	err error
}

func (f themes) GetTheme(context.Context, string) (*idp.Theme, error) {
	if f.th == nil && f.err == nil {
		return nil, idp.ErrNotFound
	}
	return f.th, f.err
}
func (themes) PutTheme(context.Context, string, *idp.Theme) error { return nil }
func (themes) DeleteTheme(context.Context, string) error          { return nil }

func newRenderer(t *testing.T, th themes) *Renderer {
	t.Helper()
	r, err := New(th, Options{Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tenantRequest(issuer, basePath string, secure bool) *http.Request {
	req := httptest.NewRequest("GET", issuer+"/oauth2/login", nil)
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "acme", Name: "Acme <Corp>"}, Issuer: issuer, BasePath: basePath, Secure: secure}
	return req.WithContext(tenant.NewContext(req.Context(), info))
}

// quiet drops the renderer's expected warnings.
var quiet = slog.New(slog.DiscardHandler)

var cspNonce = regexp.MustCompile(`script-src 'nonce-([A-Za-z0-9_-]{22})'`)

func TestRenderHeadersAndNonce(t *testing.T) {
	r := newRenderer(t, themes{})
	for _, secure := range []bool{false, true} {
		w := httptest.NewRecorder()
		if err := r.Render(w, tenantRequest("https://acme.example.com", "", secure), http.StatusTeapot, "error", "T", ErrorData{Title: "T", Message: "M"}); err != nil {
			t.Fatal(err)
		}
		h := w.Header()
		m := cspNonce.FindStringSubmatch(h.Get("Content-Security-Policy"))
		if m == nil {
			t.Fatalf("CSP = %q", h.Get("Content-Security-Policy"))
		}
		want := "default-src 'none'; script-src 'nonce-" + m[1] + "'; style-src 'self' 'nonce-" + m[1] + "'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; frame-ancestors 'none'"
		if got := h.Get("Content-Security-Policy"); got != want {
			t.Fatalf("CSP = %q", got)
		}
		if w.Code != http.StatusTeapot || h.Get("X-Frame-Options") != "DENY" || h.Get("Referrer-Policy") != "no-referrer" ||
			h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Cache-Control") != "no-store" || h.Get("Cross-Origin-Opener-Policy") != "same-origin" {
			t.Fatalf("headers = %v", h)
		}
		if (h.Get("Strict-Transport-Security") != "") != secure {
			t.Fatalf("secure=%v HSTS=%q", secure, h.Get("Strict-Transport-Security"))
		}
		body := w.Body.String()
		if !strings.Contains(body, `<style nonce="`+m[1]+`">`) || !strings.Contains(body, `<script src="/assets/app.js?v=`) {
			t.Fatal("nonce not on the inline style or script")
		}
		if !strings.Contains(body, "Acme &lt;Corp&gt;") || strings.Contains(body, "<Corp>") {
			t.Fatal("tenant name not escaped")
		}
	}
}

func TestTheme(t *testing.T) {
	th := &idp.Theme{
		Light: idp.ThemeColors{PrimaryColor: "#ffcc00", TextColor: "red;}</style><script>alert(1)</script>", BackgroundColor: "#ABCDEF"},
		Dark:  idp.ThemeColors{PrimaryColor: "#101010", BoxBackgroundColor: "#123"},
	}
	r := newRenderer(t, themes{th: th})
	w := httptest.NewRecorder()
	if err := r.Render(w, tenantRequest("http://acme.example.test", "", false), 200, "error", "T", ErrorData{}); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	light, dark, ok := strings.Cut(body, "prefers-color-scheme: dark")
	if !ok {
		t.Fatal("no dark scheme")
	}
	for _, want := range []string{"--primary: #ffcc00;", "--on-primary: #111111;", "--bg: #ABCDEF;", "--text: " + DefaultLight.TextColor + ";"} {
		if !strings.Contains(light, want) {
			t.Errorf("light scheme lacks %q", want)
		}
	}
	for _, want := range []string{"--primary: #101010;", "--on-primary: #ffffff;", "--box: " + DefaultDark.BoxBackgroundColor + ";"} {
		if !strings.Contains(dark, want) {
			t.Errorf("dark scheme lacks %q", want)
		}
	}
	if strings.Contains(body, "alert(1)") {
		t.Fatal("an invalid colour reached the page")
	}
	// A store failure still renders, with the defaults.
	r = newRenderer(t, themes{err: errors.New("db down")})
	w = httptest.NewRecorder()
	if err := r.Render(w, tenantRequest("http://acme.example.test", "", false), 200, "error", "T", ErrorData{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(w.Body.String(), "--primary: "+DefaultLight.PrimaryColor+";") {
		t.Fatal("defaults not used when the theme cannot load")
	}
}

func TestOnColorContrast(t *testing.T) {
	tests := []struct{ bg, want string }{
		{"#000000", "#ffffff"}, {"#ffffff", "#111111"}, {"#2563eb", "#ffffff"}, {"#ffcc00", "#111111"}, {"#888888", "#111111"}, {"#767676", "#ffffff"},
	}
	for _, tc := range tests {
		if got := onColor(tc.bg); got != tc.want {
			t.Errorf("onColor(%s) = %s, want %s", tc.bg, got, tc.want)
		}
	}
}

func TestSameOriginURL(t *testing.T) {
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "acme"}, Issuer: "https://acme.example.com", Secure: true}
	tests := []struct{ in, want string }{
		{"/assets/logo.svg", "/assets/logo.svg"},
		{"https://acme.example.com/logo.png", "https://acme.example.com/logo.png"},
		{"https://cdn.example.net/logo.png", ""},
		{"//cdn.example.net/logo.png", ""},
		{"/\\cdn.example.net/logo.png", ""},
		{"javascript:alert(1)", ""},
		{"data:image/svg+xml,<svg/>", ""},
		{"https://user@acme.example.com/logo.png", ""},
		{"http://acme.example.com/logo.png", ""},
		{"", ""},
	}
	for _, tc := range tests {
		if got := sameOriginURL(tc.in, info); got != tc.want {
			t.Errorf("sameOriginURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLogoOnlyFromOwnOrigin(t *testing.T) {
	for logo, shown := range map[string]bool{"/assets/logo.svg": true, "https://tracker.example.net/l.png": false} {
		r := newRenderer(t, themes{th: &idp.Theme{LogoURL: logo}})
		w := httptest.NewRecorder()
		if err := r.Render(w, tenantRequest("https://acme.example.com", "", true), 200, "error", "T", ErrorData{}); err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(w.Body.String(), `<img src="`+logo+`"`); got != shown {
			t.Errorf("logo %q shown = %v, want %v", logo, got, shown)
		}
	}
}

func TestErrorPageAsPageRenderer(t *testing.T) {
	r := newRenderer(t, themes{})
	var _ httpx.PageRenderer = r.ErrorPage
	req := tenantRequest("https://acme.example.com", "", true)
	req = req.WithContext(httpx.WithPageRenderer(req.Context(), r.ErrorPage))
	w := httptest.NewRecorder()
	httpx.WriteError(w, req, &httpx.PageError{Status: 404, Title: "Not <found>", Message: "Gone & away"})
	body := w.Body.String()
	if w.Code != 404 || !strings.Contains(body, "<h1>Not &lt;found&gt;</h1>") || !strings.Contains(body, "Gone &amp; away") {
		t.Fatalf("%d %s", w.Code, body)
	}
	if w.Header().Get("X-Frame-Options") != "DENY" || w.Header().Get("Strict-Transport-Security") == "" {
		t.Fatal("error page without security headers")
	}
	// Without a tenant (unknown host) it still renders, without links into a tenant.
	req = httptest.NewRequest("GET", "http://nowhere.example/", nil)
	w = httptest.NewRecorder()
	r.ErrorPage(w, req, 404, "Not found", "No tenant here.")
	if w.Code != 404 || strings.Contains(w.Body.String(), "Go to the start page") {
		t.Fatalf("tenant-less error page: %d", w.Code)
	}
}

func TestErrorPageFallback(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)},
		"templates/error.html":  {Data: []byte(`{{define "content"}}{{.Data.NoSuchField}}{{end}}`)},
		"static/app.css":        {Data: []byte(`body{}`)},
	}
	r, err := New(nil, Options{FS: fsys, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	r.ErrorPage(w, httptest.NewRequest("GET", "/", nil), 500, "Broken", "Sorry")
	if w.Code != 500 || w.Body.String() != "Broken: Sorry\n" || w.Header().Get("Content-Security-Policy") == "" {
		t.Fatalf("fallback = %d %q %v", w.Code, w.Body.String(), w.Header())
	}
}

func TestNewRequiresErrorTemplate(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`{{define "layout"}}{{end}}`)},
		"static/app.css":        {Data: []byte(`body{}`)},
	}
	if _, err := New(nil, Options{FS: fsys}); err == nil {
		t.Fatal("New without error.html succeeded")
	}
}

func TestAssets(t *testing.T) {
	r := newRenderer(t, themes{})
	h := r.Middleware(r.Assets())
	css := r.assets["app.css"]
	tests := []struct {
		path, ctype, cache string
		status             int
	}{
		{"/assets/app.css?v=" + css.version, "text/css; charset=utf-8", "public, max-age=31536000, immutable", 200},
		{"/assets/app.css", "text/css; charset=utf-8", "public, max-age=300", 200},
		{"/assets/app.js", "text/javascript; charset=utf-8", "public, max-age=300", 200},
		{"/assets/missing.css", "", "", 404},
		{"/assets/../templates/layout.html", "", "", 404},
		{"/assets/", "", "", 404},
	}
	for _, tc := range tests {
		req := httptest.NewRequest("GET", "https://acme.example.com"+tc.path, nil)
		req.TLS = &tls.ConnectionState{}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != tc.status {
			t.Errorf("%s: status %d, want %d", tc.path, w.Code, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if w.Header().Get("Content-Type") != tc.ctype || w.Header().Get("Cache-Control") != tc.cache ||
			w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Cross-Origin-Resource-Policy") != "same-origin" {
			t.Errorf("%s: headers %v", tc.path, w.Header())
		}
	}
	// Conditional requests are answered 304.
	req := httptest.NewRequest("GET", "/assets/app.css", nil)
	req.Header.Set("If-None-Match", `"`+css.version+`"`)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusNotModified {
		t.Fatalf("If-None-Match = %d", w.Code)
	}
}

func TestStaticAssetsAreSelfContained(t *testing.T) {
	// SECURITY-TESTS 29: the stylesheet and script fetch nothing from
	// anywhere (no @import, url() or fetch to another origin).
	r := newRenderer(t, themes{})
	for name, a := range r.assets {
		s := string(a.body)
		for _, bad := range []string{"@import", "url(", "http://", "https://", "fetch(", "XMLHttpRequest"} {
			if strings.Contains(s, bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}

func TestMiddlewareInstallsCSRFAndRenderer(t *testing.T) {
	r := newRenderer(t, themes{})
	var token string
	h := r.Middleware(httpx.Handle(func(w http.ResponseWriter, req *http.Request) error {
		token = httpx.CSRFToken(w, req)
		return &httpx.PageError{Status: 418, Title: "Short and stout", Message: "Here is my handle"}
	}))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, tenantRequest("https://acme.example.com", "", true))
	if token == "" {
		t.Fatal("no CSRF configuration installed")
	}
	if w.Code != 418 || !strings.Contains(w.Body.String(), "<h1>Short and stout</h1>") {
		t.Fatalf("error page not rendered as HTML: %d", w.Code)
	}
	var c *http.Cookie
	for _, x := range w.Result().Cookies() {
		c = x
	}
	if c == nil || c.Name != "__Host-authalla_csrf" || !c.Secure || !c.HttpOnly || c.Path != "/" || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("CSRF cookie = %+v", c)
	}
	// A path issuer scopes the cookie to its path.
	w = httptest.NewRecorder()
	h.ServeHTTP(w, tenantRequest("http://localhost:8080/t/acme", "/t/acme", false))
	c = w.Result().Cookies()[0]
	if c.Name != "authalla_csrf-acme" || c.Path != "/t/acme/" || c.Secure {
		t.Fatalf("path issuer CSRF cookie = %+v", c)
	}
}

// TestEveryPageParses parses every embedded page template: New defers
// parsing to the first render, so a broken template must fail here
// rather than on a user's request.
func TestEveryPageParses(t *testing.T) {
	r := newRenderer(t, themes{})
	if len(r.pages) < 2 {
		t.Fatalf("found %d page templates", len(r.pages))
	}
	for name, parse := range r.pages {
		if _, err := parse(); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBrokenPageFailsOnRender(t *testing.T) {
	fsys := fstest.MapFS{
		"templates/layout.html": {Data: []byte(`{{define "layout"}}{{template "content" .}}{{end}}`)},
		"templates/error.html":  {Data: []byte(`{{define "content"}}x{{end}}`)},
		"templates/bad.html":    {Data: []byte(`{{define "content"}}{{if}}{{end}}`)},
		"static/app.css":        {Data: []byte(`body{}`)},
	}
	r, err := New(nil, Options{FS: fsys, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	err = r.Render(w, httptest.NewRequest("GET", "/", nil), 200, "bad", "Bad", nil)
	if err == nil || !strings.Contains(err.Error(), "parse templates/bad.html") {
		t.Fatalf("Render of a broken template = %v", err)
	}
	if w.Code != 200 || w.Body.Len() != 0 {
		t.Fatalf("a broken template wrote %d %q", w.Code, w.Body.String())
	}
}
