package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Colors is one colour scheme of a tenant's branding (#rrggbb values).
type Colors struct {
	PrimaryColor             string `json:"primary_color" jsonschema:"Buttons and links."`
	SecondaryColor           string `json:"secondary_color" jsonschema:"Secondary buttons."`
	SecondaryButtonTextColor string `json:"secondary_button_text_color" jsonschema:"Text on secondary buttons."`
	BackgroundColor          string `json:"background_color" jsonschema:"Page background."`
	BoxBackgroundColor       string `json:"box_background_color" jsonschema:"Background of the login box."`
	TextColor                string `json:"text_color" jsonschema:"Body text."`
}

// Theme is a tenant's branding of its login pages.
type Theme struct {
	Light           Colors `json:"light" jsonschema:"Colours when the visitor's system uses a light scheme."`
	Dark            Colors `json:"dark" jsonschema:"Colours when the visitor's system uses a dark scheme."`
	LogoURL         string `json:"logo_url,omitempty"`
	IconURL         string `json:"icon_url,omitempty"`
	DefaultLanguage string `json:"default_language,omitempty"`
	// Warnings name colour pairs below WCAG 2.x AA contrast (4.5:1, WCAG
	// 2.1 success criterion 1.4.3).
	Warnings  []string   `json:"warnings" jsonschema:"Colour pairs whose contrast is below WCAG AA (4.5:1); they are saved anyway, but should be fixed."`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
}

// NewTheme shows a theme with the tenant's default language and the
// contrast warnings of the last check; a theme never saved has no
// updated_at.
func NewTheme(th *idp.Theme, lang string, warnings []string) Theme {
	v := Theme{Light: Colors(th.Light), Dark: Colors(th.Dark), LogoURL: th.LogoURL, IconURL: th.IconURL,
		DefaultLanguage: lang, Warnings: NonNil(warnings)}
	if !th.UpdatedAt.IsZero() {
		at := th.UpdatedAt
		v.UpdatedAt = &at
	}
	return v
}
