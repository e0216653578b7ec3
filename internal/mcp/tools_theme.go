package mcp

import (
	"fmt"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

type colorsPatch struct {
	PrimaryColor             *string `json:"primary_color,omitempty" jsonschema:"#rrggbb: buttons and links (the brand colour)."`
	SecondaryColor           *string `json:"secondary_color,omitempty" jsonschema:"#rrggbb: secondary buttons."`
	SecondaryButtonTextColor *string `json:"secondary_button_text_color,omitempty" jsonschema:"#rrggbb: text on secondary buttons."`
	BackgroundColor          *string `json:"background_color,omitempty" jsonschema:"#rrggbb: page background."`
	BoxBackgroundColor       *string `json:"box_background_color,omitempty" jsonschema:"#rrggbb: background of the login box."`
	TextColor                *string `json:"text_color,omitempty" jsonschema:"#rrggbb: body text."`
}

func (p *colorsPatch) manage() manage.ColorsPatch {
	if p == nil {
		return manage.ColorsPatch{}
	}
	return manage.ColorsPatch{PrimaryColor: p.PrimaryColor, SecondaryColor: p.SecondaryColor,
		SecondaryButtonTextColor: p.SecondaryButtonTextColor, BackgroundColor: p.BackgroundColor,
		BoxBackgroundColor: p.BoxBackgroundColor, TextColor: p.TextColor}
}

type updateThemeIn struct {
	TenantID        string       `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Light           *colorsPatch `json:"light,omitempty" jsonschema:"Colours of the light scheme to change."`
	Dark            *colorsPatch `json:"dark,omitempty" jsonschema:"Colours of the dark scheme to change."`
	LogoURL         *string      `json:"logo_url,omitempty" jsonschema:"A same-origin path of an uploaded image, or an empty string to remove the logo. Upload new images in the Admin UI or with PUT /api/v1/theme/logo."`
	IconURL         *string      `json:"icon_url,omitempty" jsonschema:"As logo_url, for the small icon."`
	DefaultLanguage *string      `json:"default_language,omitempty" jsonschema:"Default language of the login pages, e.g. en or pt-BR."`
	DryRun          bool         `json:"dry_run,omitempty" jsonschema:"Validate and show the change (and contrast warnings) without saving."`
}

type themeOut struct {
	TenantID     string        `json:"tenant_id"`
	Theme        view.Theme    `json:"theme"`
	LoginPageURL string        `json:"login_page_url" jsonschema:"The tenant's hosted login page, where the branding shows."`
	DryRun       bool          `json:"dry_run,omitempty"`
	Changes      []fieldChange `json:"changes,omitempty" jsonschema:"Each field that changed (or, in a dry run, would change)."`
	verb         string
}

func (o themeOut) summary() string {
	s := fmt.Sprintf("Branding of tenant %s %s: primary %s (light) / %s (dark).", o.TenantID, o.verb, o.Theme.Light.PrimaryColor, o.Theme.Dark.PrimaryColor)
	if o.DryRun {
		s = "Dry run, nothing was saved: " + s
	}
	if len(o.Theme.Warnings) > 0 {
		s += " Contrast warnings: " + strings.Join(o.Theme.Warnings, "; ") + "."
	}
	return s + " Preview: " + o.LoginPageURL
}

func (s *Server) registerThemeTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "get_theme", Title: "Get branding", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Returns the branding of a tenant's hosted login pages: light and dark colour schemes, logo, icon, default language, and contrast warnings. Call it before update_theme to see the current values.",
	}, s.getTheme)
	addTool(s, srv, toolDef{
		Name: "update_theme", Title: "Update branding", Scope: ScopeWrite, Idempotent: true,
		Description: "Changes the branding of a tenant's hosted login pages; only the fields you pass change. Colours are #rrggbb, per scheme (light and dark: set both so the pages match the brand in either). Returns the theme, the changed fields, contrast warnings (below WCAG AA: choose darker or lighter colours and call again) and the login page URL where it shows.",
	}, s.updateTheme)
}

func (s *Server) getTheme(c *call, in tenantIn) (themeOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return themeOut{}, err
	}
	t, err := s.manage.GetTenant(c.ctx, id)
	if err != nil {
		return themeOut{}, err
	}
	th, err := s.manage.GetTheme(c.ctx, id)
	if err != nil {
		return themeOut{}, err
	}
	return themeOut{TenantID: id, Theme: view.NewTheme(th, t.DefaultLanguage, manage.ContrastWarnings(th)),
		LoginPageURL: t.Issuer + "/oauth2/login", verb: "is"}, nil
}

func (s *Server) updateTheme(c *call, in updateThemeIn) (themeOut, error) {
	before, err := s.getTheme(c, tenantIn{TenantID: in.TenantID})
	if err != nil {
		return themeOut{}, err
	}
	res, err := s.manage.UpdateTheme(c.dryRunCtx(in.DryRun), before.TenantID, manage.ThemePatch{
		Light: in.Light.manage(), Dark: in.Dark.manage(),
		LogoURL: in.LogoURL, IconURL: in.IconURL, DefaultLanguage: in.DefaultLanguage,
	})
	if err != nil {
		return themeOut{}, err
	}
	out := themeOut{TenantID: before.TenantID, Theme: view.NewTheme(res.Theme, res.DefaultLanguage, res.Warnings),
		LoginPageURL: before.LoginPageURL, DryRun: in.DryRun, verb: "updated"}
	out.Changes = diff(before.Theme, out.Theme, "updated_at", "warnings")
	if in.DryRun {
		out.verb = "would be updated"
	}
	return out, nil
}
