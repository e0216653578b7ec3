package admin_test

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
)

// multipartPost posts fields and one file as a browser form would.
func multipartPost(t *testing.T, c *http.Client, u string, fields map[string]string, field, filename, ctype string, data []byte) *http.Response {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		_ = w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+field+`"; filename="`+filename+`"`)
	h.Set("Content-Type", ctype)
	fw, _ := w.CreatePart(h)
	_, _ = fw.Write(data)
	_ = w.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	req.Header.Set("Origin", "null")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestBrandingLogoUpload: a PNG logo is stored and shown by the tenant's
// hosted login page from its own issuer (/assets/brand/logo); an SVG is
// refused with a field error.
func TestBrandingLogoUpload(t *testing.T) {
	s := newStack(t)
	c := browser(t)
	s.signIn(t, c, "admin@example.com")
	def := s.boot.DefaultTenant.ID
	path := s.url + "/admin/tenants/" + def + "/branding"
	p := s.do(t, c, http.MethodGet, path, nil)
	csrf := formValues(t, p.body, "/admin/tenants/"+def+"/branding").Get("csrf_token")
	// The preview shows the sign-in, sign-up, PIN and passkey-offer cards
	// in both colour schemes.
	for _, card := range []string{"Sign in", "Create your account", "Check your email", "Sign in faster next time"} {
		if n := strings.Count(p.body, `class="pv-h">`+card+"<"); n != 2 {
			t.Errorf("preview card %q appears %d times, want 2 (light and dark)", card, n)
		}
	}

	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	resp := multipartPost(t, c, path, map[string]string{"csrf_token": csrf}, "logo", "logo.svg", "image/svg+xml", svg)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("svg upload: %d, want 303", resp.StatusCode)
	}
	p = s.do(t, c, http.MethodGet, path, nil)
	if !strings.Contains(p.body, "SVG is not accepted") || !strings.Contains(p.body, `class="err"`) {
		t.Fatal("the SVG refusal is not shown as a field error")
	}
	if th, _ := s.manage.GetTheme(s.cli, def); th.LogoURL != "" {
		t.Fatal("an SVG logo was stored")
	}

	img := image.NewRGBA(image.Rect(0, 0, 8, 8))
	img.Set(2, 2, color.RGBA{G: 200, A: 255})
	var logo bytes.Buffer
	_ = png.Encode(&logo, img)
	csrf = formValues(t, p.body, "/admin/tenants/"+def+"/branding").Get("csrf_token")
	resp = multipartPost(t, c, path, map[string]string{"csrf_token": csrf, "light.primary_color": "#0f766e"}, "logo", "logo.png", "image/png", logo.Bytes())
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("png upload: %d, want 303", resp.StatusCode)
	}
	lp := s.do(t, browser(t), http.MethodGet, s.url+"/t/"+def+"/oauth2/login", nil)
	if !strings.Contains(lp.body, `<img src="/t/`+def+`/assets/brand/logo?v=`) || !strings.Contains(lp.body, "--primary: #0f766e;") {
		t.Fatalf("the hosted login page does not show the logo and colour:\n%.1500s", lp.body)
	}
	if p = s.do(t, c, http.MethodGet, path, nil); !strings.Contains(p.body, `<img src="/t/`+def+`/assets/brand/logo?v=`) {
		t.Fatal("the branding preview does not load the tenant's own logo")
	}
	if img := s.do(t, browser(t), http.MethodGet, s.url+"/t/"+def+"/assets/brand/logo", nil); img.status != http.StatusOK || img.body != logo.String() {
		t.Fatalf("the uploaded logo is not served: %d", img.status)
	}
}
