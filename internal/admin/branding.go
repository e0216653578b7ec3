package admin

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/tenant"
)

// colorField is one colour input of the branding form.
type colorField struct {
	Name  string // form field, e.g. "light.primary_color"
	Key   string // CSS variable the preview drives, e.g. "primary"
	Label string
	Value string
}

type brandingData struct {
	Light, Dark []colorField
	Language    string
	Logo        string // the saved logo (same-origin path or data URL)
	Warnings    []string
	MaxKiB      int
	initial     string
	preview     string // Logo as the Admin UI can load it (see previewLogo)
}

// LogoURL is the saved logo for the preview's <img>: a same-origin path
// or a PNG/JPEG/WebP data URL (what manage accepts), else nothing.
// html/template would replace a data: URL, hence template.URL after the
// check.
func (d brandingData) LogoURL() template.URL {
	l := d.preview
	for _, p := range []string{"data:image/png;base64,", "data:image/jpeg;base64,", "data:image/webp;base64,"} {
		if strings.HasPrefix(l, p) && !strings.ContainsAny(l, "\"'<> \t\r\n") {
			return template.URL(l)
		}
	}
	if strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") && !strings.ContainsAny(l, "\\\"'<> \t\r\n") {
		return template.URL(l)
	}
	return ""
}

// Schemes are the two preview modes.
func (d brandingData) Schemes() []string { return []string{"light", "dark"} }

// Initial is the preview's brand mark when there is no logo.
func (d brandingData) Initial() string { return d.initial }

func colorFields(scheme string, c idp.ThemeColors) []colorField {
	return []colorField{
		{scheme + ".primary_color", "primary", "Primary (buttons, links)", c.PrimaryColor},
		{scheme + ".secondary_color", "secondary", "Secondary button", c.SecondaryColor},
		{scheme + ".secondary_button_text_color", "secondary-text", "Secondary button text", c.SecondaryButtonTextColor},
		{scheme + ".background_color", "bg", "Page background", c.BackgroundColor},
		{scheme + ".box_background_color", "box", "Box background", c.BoxBackgroundColor},
		{scheme + ".text_color", "text", "Text", c.TextColor},
	}
}

// brandingShow shows the branding editor with its live preview.
func (h *Handler) brandingShow(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	th, err := h.o.Manage.GetTheme(c.ctx, c.tenant.ID)
	if err != nil {
		return err
	}
	d := brandingData{
		Light: colorFields("light", th.Light), Dark: colorFields("dark", th.Dark),
		Language: c.tenant.DefaultLanguage, Logo: th.LogoURL, MaxKiB: manage.MaxThemeImage >> 10,
		initial: page.Initial(c.tenant.Name),
	}
	d.preview = previewLogo(th.LogoURL, c.tenant.Issuer, c.r)
	if c.flash != nil {
		d.Warnings = c.flash.Items
	} else {
		d.Warnings = manage.ContrastWarnings(th)
	}
	return h.show(c, "branding", "Branding", "branding", d)
}

// previewLogo is the saved logo as the Admin UI can load it. An uploaded
// logo's URL is relative to the tenant's issuer (page.BrandAssetPath):
// on the Admin UI's own origin it would name the admin tenant's image, so
// it is resolved against the tenant's issuer, and kept only when that
// issuer shares the Admin UI's origin (the pages' CSP allows img-src
// 'self'); otherwise the preview shows the initial instead.
func previewLogo(logo, issuer string, r *http.Request) string {
	if !strings.HasPrefix(logo, page.BrandAssetPrefix) {
		return logo
	}
	u, err := url.Parse(issuer)
	info, ok := tenant.FromContext(r.Context())
	if err != nil || !ok || u.Scheme+"://"+u.Host != info.Origin() {
		return ""
	}
	return strings.TrimSuffix(u.Path, "/") + logo
}

// brandingSave saves the colours, the language and any uploaded images.
func (h *Handler) brandingSave(c *call) (string, error) {
	tid := c.r.PathValue("tenant")
	f := c.r.PostForm
	field := func(name string) *string {
		if _, ok := f[name]; !ok {
			return nil
		}
		v := strings.TrimSpace(f.Get(name))
		return &v
	}
	colors := func(s string) manage.ColorsPatch {
		return manage.ColorsPatch{
			PrimaryColor: field(s + ".primary_color"), SecondaryColor: field(s + ".secondary_color"),
			SecondaryButtonTextColor: field(s + ".secondary_button_text_color"), BackgroundColor: field(s + ".background_color"),
			BoxBackgroundColor: field(s + ".box_background_color"), TextColor: field(s + ".text_color"),
		}
	}
	p := manage.ThemePatch{Light: colors("light"), Dark: colors("dark"), DefaultLanguage: field("default_language")}
	if f.Get("remove_logo") == "on" {
		empty := ""
		p.LogoURL = &empty
	}
	res, err := h.o.Manage.UpdateTheme(c.ctx, tid, p)
	if err != nil {
		return "", err
	}
	for _, kind := range []string{manage.ImageLogo, manage.ImageIcon} {
		data, ctype, err := upload(c.r, kind)
		if err != nil {
			return "", err
		}
		if data == nil {
			continue
		}
		if res, err = h.o.Manage.SetThemeImage(c.ctx, tid, kind, ctype, data); err != nil {
			return "", err
		}
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: "Branding saved. The hosted pages use it now.", Items: res.Warnings})
	return c.r.URL.Path, nil
}

// upload reads the optional file field kind, at most one byte more than
// manage accepts (so that manage reports the size).
func upload(r *http.Request, kind string) ([]byte, string, error) {
	if r.MultipartForm == nil {
		return nil, "", nil
	}
	file, hdr, err := r.FormFile(kind)
	if errors.Is(err, http.ErrMissingFile) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", idp.Invalid(kind+"_url", "the upload could not be read")
	}
	defer func(f multipart.File) { _ = f.Close() }(file)
	if hdr.Size == 0 {
		return nil, "", nil
	}
	data, err := io.ReadAll(io.LimitReader(file, manage.MaxThemeImage+1))
	if err != nil {
		return nil, "", fmt.Errorf("admin: read upload: %w", err)
	}
	ctype := hdr.Header.Get("Content-Type")
	if ctype == "application/octet-stream" {
		ctype = "" // the browser did not know; manage sniffs the bytes
	}
	return data, ctype, nil
}

// brandingReset returns the tenant to the default branding.
func (h *Handler) brandingReset(c *call) (string, error) {
	tid := c.r.PathValue("tenant")
	c.back = "/admin/tenants/" + tid + "/branding"
	if _, err := h.o.Manage.ResetTheme(c.ctx, tid); err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: "Branding reset to the defaults."})
	return c.back, nil
}
