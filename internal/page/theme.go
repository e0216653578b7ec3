package page

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"regexp"
	"strconv"

	"github.com/authalla/authalla/internal/idp"
)

// Colors is one colour scheme as the templates use it. Every value is a
// validated "#rrggbb", so it is safe inside the <style> element.
type Colors struct {
	Primary       string // primary_color: main buttons, links, focus ring
	OnPrimary     string // text on primary buttons, derived for contrast
	Secondary     string // secondary_color: secondary buttons, avatars
	SecondaryText string // secondary_button_text_color
	Background    string // background_color: the page
	Box           string // box_background_color: the card
	Text          string // text_color
}

// Theme is the light and dark scheme of a page (PRODUCT §5); the dark one
// applies under prefers-color-scheme: dark.
type Theme struct {
	Light Colors
	Dark  Colors
}

// DefaultLight and DefaultDark are used for every colour a tenant did not
// set (or set to something that is not "#rrggbb").
var (
	DefaultLight = idp.ThemeColors{
		PrimaryColor:             "#2563eb",
		SecondaryColor:           "#e2e8f0",
		SecondaryButtonTextColor: "#1e293b",
		BackgroundColor:          "#f1f5f9",
		BoxBackgroundColor:       "#ffffff",
		TextColor:                "#0f172a",
	}
	DefaultDark = idp.ThemeColors{
		PrimaryColor:             "#2563eb",
		SecondaryColor:           "#334155",
		SecondaryButtonTextColor: "#f1f5f9",
		BackgroundColor:          "#0b1120",
		BoxBackgroundColor:       "#111827",
		TextColor:                "#e5e7eb",
	}
)

var hexColor = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// pick returns c when it is a valid "#rrggbb" colour, else def.
func pick(c, def string) string {
	if hexColor.MatchString(c) {
		return c
	}
	return def
}

// resolveColors merges a tenant's colours over the defaults.
func resolveColors(c, def idp.ThemeColors) Colors {
	out := Colors{
		Primary:       pick(c.PrimaryColor, def.PrimaryColor),
		Secondary:     pick(c.SecondaryColor, def.SecondaryColor),
		SecondaryText: pick(c.SecondaryButtonTextColor, def.SecondaryButtonTextColor),
		Background:    pick(c.BackgroundColor, def.BackgroundColor),
		Box:           pick(c.BoxBackgroundColor, def.BoxBackgroundColor),
		Text:          pick(c.TextColor, def.TextColor),
	}
	out.OnPrimary = onColor(out.Primary)
	return out
}

// onColor picks white or near-black text for a background, whichever has
// the higher WCAG 2.x contrast ratio.
func onColor(bg string) string {
	l := luminance(bg)
	white := 1.05 / (l + 0.05)
	black := (l + 0.05) / (luminance("#111111") + 0.05)
	if white >= black {
		return "#ffffff"
	}
	return "#111111"
}

// luminance is the WCAG 2.x relative luminance of a "#rrggbb" colour.
func luminance(c string) float64 {
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

// loadTheme reads the tenant's theme; a missing theme or a store failure
// gives the defaults (a page must still render when branding cannot load).
func (r *Renderer) loadTheme(ctx context.Context, tenantID string) (Theme, string) {
	var th *idp.Theme
	if tenantID != "" && r.themes != nil {
		t, err := r.themes.GetTheme(ctx, tenantID)
		switch {
		case err == nil:
			th = t
		case !errors.Is(err, idp.ErrNotFound):
			r.log.WarnContext(ctx, "page: theme unavailable, using defaults", slog.String("tenant", tenantID), slog.Any("err", err))
		}
	}
	if th == nil {
		th = &idp.Theme{}
	}
	return Theme{Light: resolveColors(th.Light, DefaultLight), Dark: resolveColors(th.Dark, DefaultDark)}, th.LogoURL
}
