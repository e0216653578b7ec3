package manage

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
)

// DefaultTheme returns the branding a tenant has before it saves one. The
// colours are internal/page's DefaultLight and DefaultDark, so that the
// hosted pages and the management surfaces agree on a single set.
func DefaultTheme(tenantID string) *idp.Theme {
	return &idp.Theme{TenantID: tenantID, Light: page.DefaultLight, Dark: page.DefaultDark}
}

// ColorsPatch changes some colours of one scheme; nil fields stay as they
// are. Every value must be "#rrggbb".
type ColorsPatch struct {
	PrimaryColor             *string
	SecondaryColor           *string
	SecondaryButtonTextColor *string
	BackgroundColor          *string
	BoxBackgroundColor       *string
	TextColor                *string
}

// ThemePatch changes a tenant's branding; nil fields stay as they are.
type ThemePatch struct {
	Light ColorsPatch
	Dark  ColorsPatch
	// LogoURL and IconURL are same-origin paths ("/…"; SetThemeImage
	// stores issuer-relative page.BrandAssetPath ones), image data URLs
	// (as themes saved before theme assets hold them), or "" to remove
	// the image.
	LogoURL *string
	IconURL *string
	// DefaultLanguage is the tenant's default page language (a BCP 47 tag).
	DefaultLanguage *string
}

// ThemeResult is a tenant's branding after a change, with the default
// language and the WCAG 2.x AA contrast warnings of its colours.
type ThemeResult struct {
	Theme           *idp.Theme
	DefaultLanguage string
	// Warnings name colour pairs whose contrast ratio is below 4.5:1
	// (WCAG 2.x success criterion 1.4.3). They do not block saving.
	Warnings []string
}

// Image kinds for SetThemeImage.
const (
	ImageLogo = idp.ThemeAssetLogo
	ImageIcon = idp.ThemeAssetIcon
)

// MaxThemeImage is the largest logo or icon accepted, in bytes.
const MaxThemeImage = 256 << 10

// themeImageTypes are the accepted image media types. SVG is refused: it
// is a document that can carry script.
var themeImageTypes = []string{"image/png", "image/jpeg", "image/webp"}

var hexColorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// GetTheme returns the tenant's branding, the defaults filling every
// colour it did not save.
func (s *Service) GetTheme(ctx context.Context, tenantID string) (*idp.Theme, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	return s.theme(ctx, tenantID)
}

// theme loads the saved theme merged over the defaults.
func (s *Service) theme(ctx context.Context, tenantID string) (*idp.Theme, error) {
	th := DefaultTheme(tenantID)
	saved, err := s.store.GetTheme(ctx, tenantID)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		return th, nil
	case err != nil:
		return nil, fmt.Errorf("manage: theme: %w", err)
	}
	mergeColors(&th.Light, saved.Light)
	mergeColors(&th.Dark, saved.Dark)
	th.LogoURL, th.IconURL, th.UpdatedAt = saved.LogoURL, saved.IconURL, saved.UpdatedAt
	return th, nil
}

// mergeColors copies the valid colours of src over dst.
func mergeColors(dst *idp.ThemeColors, src idp.ThemeColors) {
	set := func(d *string, v string) {
		if hexColorPattern.MatchString(v) {
			*d = strings.ToLower(v)
		}
	}
	set(&dst.PrimaryColor, src.PrimaryColor)
	set(&dst.SecondaryColor, src.SecondaryColor)
	set(&dst.SecondaryButtonTextColor, src.SecondaryButtonTextColor)
	set(&dst.BackgroundColor, src.BackgroundColor)
	set(&dst.BoxBackgroundColor, src.BoxBackgroundColor)
	set(&dst.TextColor, src.TextColor)
}

// applyColors validates and applies p to c; field names are prefixed
// with scheme ("light." or "dark.").
func applyColors(c *idp.ThemeColors, p ColorsPatch, scheme string, changed *[]string) error {
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{
		{"primary_color", &c.PrimaryColor, p.PrimaryColor},
		{"secondary_color", &c.SecondaryColor, p.SecondaryColor},
		{"secondary_button_text_color", &c.SecondaryButtonTextColor, p.SecondaryButtonTextColor},
		{"background_color", &c.BackgroundColor, p.BackgroundColor},
		{"box_background_color", &c.BoxBackgroundColor, p.BoxBackgroundColor},
		{"text_color", &c.TextColor, p.TextColor},
	} {
		if f.v == nil {
			continue
		}
		v := strings.TrimSpace(*f.v)
		if !hexColorPattern.MatchString(v) {
			return idp.Invalid(scheme+"."+f.name, "must be a colour in the form #rrggbb")
		}
		*f.dst = strings.ToLower(v)
		*changed = append(*changed, scheme+"."+f.name)
	}
	return nil
}

// UpdateTheme applies p: only the given fields change. Colours must be
// "#rrggbb"; images must be same-origin. Contrast below WCAG AA is
// reported in the result's Warnings, not refused.
func (s *Service) UpdateTheme(ctx context.Context, tenantID string, p ThemePatch) (*ThemeResult, error) {
	const action = "theme.update"
	a, t, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "theme", tenantID, err)
		return nil, err
	}
	th, err := s.theme(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	var changed []string
	if err := applyColors(&th.Light, p.Light, "light", &changed); err != nil {
		s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
		return nil, err
	}
	if err := applyColors(&th.Dark, p.Dark, "dark", &changed); err != nil {
		s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
		return nil, err
	}
	for _, f := range []struct {
		name string
		dst  *string
		v    *string
	}{{"logo_url", &th.LogoURL, p.LogoURL}, {"icon_url", &th.IconURL, p.IconURL}} {
		if f.v == nil {
			continue
		}
		if err := validThemeImageURL(f.name, *f.v); err != nil {
			s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
			return nil, err
		}
		*f.dst = *f.v
		changed = append(changed, f.name)
	}
	lang := t.DefaultLanguage
	if p.DefaultLanguage != nil {
		lang = strings.TrimSpace(*p.DefaultLanguage)
		if !validLanguage(lang) {
			err := idp.Invalid("default_language", "not a language tag such as en or pt-BR")
			s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
			return nil, err
		}
	}
	now := s.clock.Now()
	th.UpdatedAt = now
	if dryRun(ctx) {
		return &ThemeResult{Theme: th, DefaultLanguage: lang, Warnings: ContrastWarnings(th)}, nil
	}
	if err := s.store.PutTheme(ctx, tenantID, th); err != nil {
		s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
		return nil, fmt.Errorf("manage: save theme: %w", err)
	}
	s.changed(idp.ChangeTheme, tenantID, "")
	if lang != t.DefaultLanguage {
		nt := *t
		nt.DefaultLanguage, nt.UpdatedAt = lang, now
		if err := s.store.UpdateTenant(ctx, &nt); err != nil {
			s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
			return nil, fmt.Errorf("manage: default language: %w", err)
		}
		s.changed(idp.ChangeTenant, tenantID, "")
		changed = append(changed, "default_language")
	}
	s.audit(ctx, a, tenantID, action, "theme", tenantID, nil, map[string]string{"fields": strings.Join(changed, " ")})
	return &ThemeResult{Theme: th, DefaultLanguage: lang, Warnings: ContrastWarnings(th)}, nil
}

// ResetTheme removes the tenant's saved branding: the defaults apply again.
// The default language is left as it is.
func (s *Service) ResetTheme(ctx context.Context, tenantID string) (*ThemeResult, error) {
	const action = "theme.reset"
	a, t, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "theme", tenantID, err)
		return nil, err
	}
	if dryRun(ctx) {
		th := DefaultTheme(tenantID)
		return &ThemeResult{Theme: th, DefaultLanguage: t.DefaultLanguage, Warnings: ContrastWarnings(th)}, nil
	}
	if err := s.store.DeleteTheme(ctx, tenantID); err != nil {
		s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
		return nil, fmt.Errorf("manage: reset theme: %w", err)
	}
	if err := s.store.DeleteThemeAssets(ctx, tenantID); err != nil {
		s.audit(ctx, a, tenantID, action, "theme", tenantID, err, nil)
		return nil, fmt.Errorf("manage: reset theme images: %w", err)
	}
	s.changed(idp.ChangeTheme, tenantID, "")
	s.audit(ctx, a, tenantID, action, "theme", tenantID, nil, nil)
	th := DefaultTheme(tenantID)
	return &ThemeResult{Theme: th, DefaultLanguage: t.DefaultLanguage, Warnings: ContrastWarnings(th)}, nil
}

// SetThemeImage stores an uploaded logo or icon (kind ImageLogo or
// ImageIcon). The bytes must sniff (http.DetectContentType) as PNG, JPEG
// or WebP — SVG is refused because it can carry script — and be at most
// MaxThemeImage. contentType is the uploader's claim; it must agree with
// the sniffed type. The image is kept in the store as a theme asset and
// the theme points at it with an issuer-relative path
// (page.BrandAssetPath, e.g. "/assets/brand/logo?v=<content hash>"), which
// the hosted pages serve from the tenant's own host or path issuer.
func (s *Service) SetThemeImage(ctx context.Context, tenantID, kind, contentType string, data []byte) (*ThemeResult, error) {
	field := kind + "_url"
	if kind != ImageLogo && kind != ImageIcon {
		return nil, idp.Invalid("kind", "must be logo or icon")
	}
	mt, err := sniffThemeImage(field, data)
	if err != nil {
		return nil, err
	}
	if ct := strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]); ct != "" && !strings.EqualFold(ct, mt) {
		return nil, idp.Invalid(field, fmt.Sprintf("the file is %s, not %s", mt, ct))
	}
	// Authorize before anything is written; UpdateTheme checks again.
	const action = "theme.update"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "theme", tenantID, err)
		return nil, err
	}
	// In a dry run the image is not stored; UpdateTheme below reports the
	// theme pointing at it without saving either.
	if !dryRun(ctx) {
		if err := s.store.PutThemeAsset(ctx, tenantID, kind, mt, data, s.clock.Now()); err != nil {
			s.audit(ctx, a, tenantID, action, "theme", tenantID, err, map[string]string{"fields": field})
			return nil, fmt.Errorf("manage: save theme %s: %w", kind, err)
		}
		s.changed(idp.ChangeTheme, tenantID, kind)
	}
	u := page.BrandAssetPath(kind, data)
	p := ThemePatch{}
	if kind == ImageLogo {
		p.LogoURL = &u
	} else {
		p.IconURL = &u
	}
	return s.UpdateTheme(ctx, tenantID, p)
}

// sniffThemeImage checks an image's size and sniffed type.
func sniffThemeImage(field string, data []byte) (string, error) {
	if len(data) == 0 {
		return "", idp.Invalid(field, "the file is empty")
	}
	if len(data) > MaxThemeImage {
		return "", idp.Invalid(field, fmt.Sprintf("the file is larger than %d KiB", MaxThemeImage>>10))
	}
	mt := http.DetectContentType(data)
	if !contains(themeImageTypes, mt) {
		return "", idp.Invalid(field, "must be a PNG, JPEG or WebP image (SVG is not accepted)")
	}
	return mt, nil
}

// validThemeImageURL accepts "", a same-origin absolute path, or an image
// data URL of an accepted type and size.
func validThemeImageURL(field, v string) error {
	switch {
	case v == "":
		return nil
	case strings.HasPrefix(v, "data:"):
		mt, b64, ok := strings.Cut(strings.TrimPrefix(v, "data:"), ";base64,")
		if !ok || !contains(themeImageTypes, mt) {
			return idp.Invalid(field, "a data URL must be a base64 PNG, JPEG or WebP image")
		}
		data, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return idp.Invalid(field, "the data URL is not valid base64")
		}
		got, err := sniffThemeImage(field, data)
		if err != nil {
			return err
		}
		if got != mt {
			return idp.Invalid(field, "the data URL's type does not match its content")
		}
		return nil
	}
	if len(v) > maxURILen || !utf8.ValidString(v) || !strings.HasPrefix(v, "/") || strings.HasPrefix(v, "//") ||
		strings.ContainsAny(v, "\\ \t\r\n\"'<>") {
		return idp.Invalid(field, "must be a path on the tenant's own host, such as /assets/logo.png")
	}
	for _, r := range v {
		if r < 0x20 || r == 0x7f {
			return idp.Invalid(field, "must not contain control characters")
		}
	}
	return nil
}

// aaRatio is WCAG 2.x AA's minimum contrast for normal text (SC 1.4.3).
const aaRatio = 4.5

// ContrastWarnings lists the colour pairs of th whose contrast ratio is
// below WCAG AA (4.5:1): text on the page background, text on the card,
// the button text on the primary colour (the hosted pages pick white or
// near-black, whichever contrasts more) and the secondary button's text.
func ContrastWarnings(th *idp.Theme) []string {
	var out []string
	for _, sc := range []struct {
		name string
		c    idp.ThemeColors
	}{{"light", th.Light}, {"dark", th.Dark}} {
		c := sc.c
		for _, pair := range []struct {
			what   string
			fg, bg string
		}{
			{"text on the page background", c.TextColor, c.BackgroundColor},
			{"text on the box background", c.TextColor, c.BoxBackgroundColor},
			{"button text on the primary colour", onPrimary(c.PrimaryColor), c.PrimaryColor},
			{"secondary button text on the secondary colour", c.SecondaryButtonTextColor, c.SecondaryColor},
		} {
			if !hexColorPattern.MatchString(pair.fg) || !hexColorPattern.MatchString(pair.bg) {
				continue
			}
			if r := ContrastRatio(pair.fg, pair.bg); r < aaRatio {
				out = append(out, fmt.Sprintf("%s mode: %s has a contrast ratio of %.2f:1, below the WCAG AA minimum of 4.5:1", sc.name, pair.what, r))
			}
		}
	}
	return out
}

// ContrastRatio is the WCAG 2.x contrast ratio of two "#rrggbb" colours:
// (L1 + 0.05) / (L2 + 0.05) with L1 the lighter relative luminance.
func ContrastRatio(a, b string) float64 {
	la, lb := relLuminance(a), relLuminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// onPrimary is the text colour the hosted pages put on a primary button:
// white or #111111, whichever contrasts more (as internal/page does).
func onPrimary(primary string) string {
	if !hexColorPattern.MatchString(primary) {
		return "#ffffff"
	}
	if ContrastRatio("#ffffff", primary) >= ContrastRatio("#111111", primary) {
		return "#ffffff"
	}
	return "#111111"
}

// relLuminance is the WCAG 2.x relative luminance of "#rrggbb".
func relLuminance(c string) float64 {
	ch := func(s string) float64 {
		v, _ := strconv.ParseUint(s, 16, 8)
		x := float64(v) / 255
		if x <= 0.04045 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(c[1:3]) + 0.7152*ch(c[3:5]) + 0.0722*ch(c[5:7])
}
