package admin

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// authMethods are the login methods a tenant can enable, as shown.
var authMethods = []struct{ Value, Label string }{
	{idp.AuthMethodMagicLink, "Email code and magic link"},
	{idp.AuthMethodPasskey, "Passkeys"},
	{idp.AuthMethodSocial, "Social login"},
	{idp.AuthMethodSSO, "Enterprise SSO"},
	{idp.AuthMethodPassword, "Password"},
}

// signingAlgs are the algorithms a tenant can sign with.
var signingAlgs = []string{idp.AlgES256, idp.AlgRS256, idp.AlgEdDSA}

type tenantListData struct {
	Tenants  []manage.TenantResult
	Total    int
	Accounts []string // accounts the administrator may create tenants in
	// Memberships are all the administrator's accounts, for the members
	// pages.
	Memberships []manage.MeMembership
}

// tenantList shows the tenants the administrator can see and the create
// form.
func (h *Handler) tenantList(c *call) error {
	ts, total, err := h.o.Manage.ListTenants(c.ctx, idp.Page{Limit: 200})
	if err != nil {
		return err
	}
	a, _ := manage.ActorFrom(c.ctx)
	var accounts []string
	for _, m := range a.Memberships {
		if (m.Role == idp.RoleOwner || m.Role == idp.RoleAdmin) && !slices.Contains(accounts, m.AccountID) {
			accounts = append(accounts, m.AccountID)
		}
	}
	d := tenantListData{Tenants: ts, Total: total, Accounts: accounts}
	if me, err := h.o.Manage.Me(c.ctx); err == nil {
		d.Memberships = me.Memberships
	}
	return h.show(c, "tenants", "Tenants", "tenants", d)
}

// tenantCreate creates a tenant and opens its settings.
func (h *Handler) tenantCreate(c *call) (string, error) {
	f := c.r.PostForm
	t, err := h.o.Manage.CreateTenant(c.ctx, manage.TenantInput{
		ID: strings.TrimSpace(f.Get("id")), Name: f.Get("name"), AccountID: f.Get("account_id"),
		AllowRegistration: f.Get("allow_registration") == "on",
	})
	if err != nil {
		return "", err
	}
	h.setFlash(c, "/admin/tenants/"+t.ID, &flash{Notice: fmt.Sprintf("Tenant %s created.", t.Name)})
	return "/admin/tenants/" + t.ID, nil
}

type tenantSettingsData struct {
	T       *manage.TenantResult
	Methods []struct{ Value, Label string }
	Algs    []string
}

// Has reports whether the tenant enables login method m.
func (d tenantSettingsData) Has(m string) bool { return d.T.HasAuthMethod(m) }

// Origins is the allowed-origins list, one per line.
func (d tenantSettingsData) Origins() string { return strings.Join(d.T.AllowedOrigins, "\n") }

// tenantSettings shows a tenant's settings form.
func (h *Handler) tenantSettings(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	return h.show(c, "tenant", c.tenant.Name+" settings", "settings", tenantSettingsData{T: c.tenant, Methods: authMethods, Algs: signingAlgs})
}

// tenantUpdate saves the settings form.
func (h *Handler) tenantUpdate(c *call) (string, error) {
	id := c.r.PathValue("tenant")
	f := c.r.PostForm
	name := f.Get("name")
	reg := f.Get("allow_registration") == "on"
	methods := f["auth_methods"]
	origins := lines(f.Get("allowed_origins"))
	alg := f.Get("signing_alg")
	p := manage.TenantPatch{Name: &name, AllowRegistration: &reg, AuthMethods: &methods, AllowedOrigins: &origins, SigningAlg: &alg}
	for _, fld := range []struct {
		name string
		dst  **int
	}{
		{"access_token_ttl", &p.AccessTokenTTL}, {"id_token_ttl", &p.IDTokenTTL},
		{"refresh_token_ttl", &p.RefreshTokenTTL}, {"refresh_absolute_ttl", &p.RefreshAbsoluteTTL},
		{"session_ttl", &p.SessionTTL}, {"session_idle_ttl", &p.SessionIdleTTL},
	} {
		n, err := strconv.Atoi(strings.TrimSpace(f.Get(fld.name)))
		if err != nil {
			return "", idp.Invalid(fld.name, "must be a whole number of seconds")
		}
		*fld.dst = &n
	}
	if _, err := h.o.Manage.UpdateTenant(c.ctx, id, p); err != nil {
		return "", err
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: "Settings saved."})
	return c.r.URL.Path, nil
}

// lines splits a textarea into its non-empty trimmed lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// ttlField is one lifetime input.
type ttlField struct{ Name, Label, Value string }

// TTLs are the tenant's lifetimes as form fields.
func (d tenantSettingsData) TTLs() []ttlField {
	t := d.T
	f := func(name, label string, v int) ttlField { return ttlField{name, label, strconv.Itoa(v)} }
	return []ttlField{
		f("access_token_ttl", "Access token", t.AccessTokenTTL),
		f("id_token_ttl", "ID token", t.IDTokenTTL),
		f("refresh_token_ttl", "Refresh token (idle)", t.RefreshTokenTTL),
		f("refresh_absolute_ttl", "Refresh token (absolute)", t.RefreshAbsoluteTTL),
		f("session_ttl", "Session", t.SessionTTL),
		f("session_idle_ttl", "Session idle", t.SessionIdleTTL),
	}
}

// tenantSuspend suspends a tenant after the administrator ticked the
// confirmation box (the form works without script): its issuer refuses
// every request until it is resumed here.
func (h *Handler) tenantSuspend(c *call) (string, error) {
	id := c.r.PathValue("tenant")
	c.back = "/admin/tenants/" + id
	if c.r.PostForm.Get("confirm") != "on" {
		return "", idp.Invalid("confirm", "Tick the box to confirm: every sign-in, token and key of this tenant stops being served.")
	}
	t, err := h.o.Manage.SuspendTenant(c.ctx, id)
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: fmt.Sprintf("Tenant %s suspended: its issuer refuses every request until you resume it.", t.Name)})
	return c.back, nil
}

// tenantResume lifts a suspension.
func (h *Handler) tenantResume(c *call) (string, error) {
	id := c.r.PathValue("tenant")
	c.back = "/admin/tenants/" + id
	t, err := h.o.Manage.ResumeTenant(c.ctx, id)
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: fmt.Sprintf("Tenant %s resumed: its issuer serves again.", t.Name)})
	return c.back, nil
}
