package mcp

import (
	"fmt"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

type meIn struct{}

type accountView struct {
	AccountID   string `json:"account_id"`
	AccountName string `json:"account_name,omitempty"`
	Role        string `json:"role" jsonschema:"owner or admin may change the account's tenants; viewer may only read."`
}

type meOut struct {
	UserID         string        `json:"user_id"`
	Email          string        `json:"email"`
	Name           string        `json:"name,omitempty"`
	Accounts       []accountView `json:"accounts"`
	SelectedTenant string        `json:"selected_tenant,omitempty"`
	Scopes         []string      `json:"scopes" jsonschema:"The MCP scopes this session was granted."`
}

func (o meOut) summary() string {
	var roles []string
	for _, a := range o.Accounts {
		roles = append(roles, fmt.Sprintf("%s in %s", a.Role, nameOr(a.AccountName, a.AccountID)))
	}
	s := fmt.Sprintf("Signed in as %s (%s).", o.Email, strings.Join(roles, ", "))
	if o.SelectedTenant != "" {
		return s + " Selected tenant: " + o.SelectedTenant + "."
	}
	return s + " No tenant selected: call list_tenants, then select_tenant."
}

type listTenantsIn struct {
	pageArgs
}

type listTenantsOut struct {
	Tenants        []view.Tenant `json:"tenants"`
	Total          int           `json:"total"`
	SelectedTenant string        `json:"selected_tenant,omitempty"`
}

func (o listTenantsOut) summary() string {
	ids := make([]string, len(o.Tenants))
	for i, t := range o.Tenants {
		ids[i] = t.ID
		if t.ID == o.SelectedTenant {
			ids[i] += " (selected)"
		}
	}
	return fmt.Sprintf("%d of %d tenants: %s.", len(o.Tenants), o.Total, strings.Join(ids, ", "))
}

type createTenantIn struct {
	ID                string   `json:"id,omitempty" jsonschema:"Permanent tenant id: lowercase letters, digits and hyphens; it becomes part of the issuer URL. Omit it to generate one."`
	Name              string   `json:"name" jsonschema:"Display name shown on the login pages."`
	AccountID         string   `json:"account_id,omitempty" jsonschema:"Account that will own the tenant; needed only when you are owner or admin of several (see get_me)."`
	AllowRegistration bool     `json:"allow_registration,omitempty" jsonschema:"Whether new users may sign up themselves."`
	AuthMethods       []string `json:"auth_methods,omitempty" jsonschema:"Login methods, e.g. [\"magic_link\"] (the default)."`
	AllowedOrigins    []string `json:"allowed_origins,omitempty" jsonschema:"Browser origins (scheme://host[:port]) allowed to call the token endpoint from JavaScript (CORS), e.g. a single-page app's origin."`
	SigningAlg        string   `json:"signing_alg,omitempty" jsonschema:"RS256 (default), ES256 or EdDSA."`
	DefaultLanguage   string   `json:"default_language,omitempty" jsonschema:"Default language of the login pages, e.g. en or pt-BR."`
	Select            bool     `json:"select,omitempty" jsonschema:"Also make the new tenant the selected one."`
	DryRun            bool     `json:"dry_run,omitempty" jsonschema:"Validate and show the tenant that would be created, without creating it."`
}

type tenantOut struct {
	Tenant   view.Tenant   `json:"tenant"`
	DryRun   bool          `json:"dry_run,omitempty"`
	Selected bool          `json:"selected,omitempty"`
	Changes  []fieldChange `json:"changes,omitempty" jsonschema:"For updates: each field that changed (or, in a dry run, would change)."`
	Next     string        `json:"next,omitempty"`
	verb     string
}

func (o tenantOut) summary() string {
	s := fmt.Sprintf("Tenant %s (%q, issuer %s) %s.", o.Tenant.ID, o.Tenant.Name, o.Tenant.Issuer, o.verb)
	if o.DryRun {
		s = "Dry run, nothing was changed: " + s
	}
	if len(o.Changes) > 0 {
		var fs []string
		for _, c := range o.Changes {
			fs = append(fs, c.Field)
		}
		s += " Fields: " + strings.Join(fs, ", ") + "."
	}
	if o.Next != "" {
		s += " " + o.Next
	}
	return s
}

type tenantIn struct {
	TenantID string `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
}

type selectTenantIn struct {
	TenantID string `json:"tenant_id" jsonschema:"Id of the tenant to work on, from list_tenants."`
}

type updateTenantIn struct {
	TenantID           string    `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Name               *string   `json:"name,omitempty" jsonschema:"New display name."`
	AllowRegistration  *bool     `json:"allow_registration,omitempty" jsonschema:"Whether new users may sign up themselves."`
	AuthMethods        *[]string `json:"auth_methods,omitempty" jsonschema:"Replaces the login methods."`
	AccessTokenTTL     *int      `json:"access_token_ttl,omitempty" jsonschema:"Access-token lifetime in seconds (60 to 86400)."`
	IDTokenTTL         *int      `json:"id_token_ttl,omitempty" jsonschema:"ID-token lifetime in seconds (60 to 86400)."`
	RefreshTokenTTL    *int      `json:"refresh_token_ttl,omitempty" jsonschema:"Refresh-token idle lifetime in seconds."`
	RefreshAbsoluteTTL *int      `json:"refresh_absolute_ttl,omitempty" jsonschema:"Refresh-token absolute lifetime in seconds."`
	SessionTTL         *int      `json:"session_ttl,omitempty" jsonschema:"Login-session lifetime in seconds."`
	SessionIdleTTL     *int      `json:"session_idle_ttl,omitempty" jsonschema:"Login-session idle timeout in seconds."`
	EmailFromName      *string   `json:"email_from_name,omitempty" jsonschema:"Sender name of the tenant's emails."`
	EmailFromAddress   *string   `json:"email_from_address,omitempty" jsonschema:"Sender address of the tenant's emails."`
	DefaultLanguage    *string   `json:"default_language,omitempty" jsonschema:"Default language of the login pages, e.g. en or pt-BR."`
	DryRun             bool      `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

type originsIn struct {
	TenantID string   `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Origins  []string `json:"origins" jsonschema:"Origins in the form scheme://host[:port] with no path, e.g. http://localhost:5173."`
	DryRun   bool     `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

type removeOriginsIn struct {
	TenantID string   `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Origins  []string `json:"origins" jsonschema:"Origins to remove, as listed in the tenant's allowed_origins."`
	DryRun   bool     `json:"dry_run,omitempty" jsonschema:"Show the change without making it (no confirm needed)."`
	Confirm  bool     `json:"confirm,omitempty" jsonschema:"Set to true only after the user agreed: browser apps on these origins stop working."`
}

func (s *Server) registerTenantTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "get_me", Title: "Who am I", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Returns the signed-in administrator: email, the accounts they belong to with their role in each (owner and admin may change an account's tenants, viewer may only read), the selected tenant and the granted MCP scopes. Call it first; then list_tenants.",
	}, s.getMe)
	addTool(s, srv, toolDef{
		Name: "list_tenants", Title: "List tenants", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Lists the tenants you can manage (each is a separate identity provider with its own issuer URL, users, apps and branding), with the selected one marked. Use select_tenant to choose the one the other tools work on, or create_tenant if there is none for this project.",
	}, s.listTenants)
	addTool(s, srv, toolDef{
		Name: "create_tenant", Title: "Create tenant", Scope: ScopeWrite,
		Description: "Creates a tenant: a new identity provider with its own issuer URL, signing key, users and apps. Use one tenant per product or environment. Returns the tenant and its issuer; pass select: true to make it the selected tenant, then create_client for the app.",
	}, s.createTenant)
	addTool(s, srv, toolDef{
		Name: "select_tenant", Title: "Select tenant", Scope: ScopeRead, Idempotent: true,
		Description: "Remembers the tenant the other tools work on when they are called without tenant_id. The choice is saved for your account, so it holds in later sessions too. Returns the selected tenant.",
	}, s.selectTenant)
	addTool(s, srv, toolDef{
		Name: "get_tenant", Title: "Get tenant", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Returns a tenant's settings: issuer, login methods, allowed origins (CORS), signing algorithm, token and session lifetimes, email sender, default language. For the endpoint URLs an app needs, call get_tenant_endpoints.",
	}, s.getTenant)
	addTool(s, srv, toolDef{
		Name: "update_tenant", Title: "Update tenant", Scope: ScopeWrite, Idempotent: true,
		Description: "Changes a tenant's settings; only the fields you pass change. Returns the tenant and the list of changed fields. Allowed origins have their own tools (add_allowed_origins, remove_allowed_origins); branding is update_theme; signing keys are rotate_signing_keys.",
	}, s.updateTenant)
	addTool(s, srv, toolDef{
		Name: "add_allowed_origins", Title: "Add allowed origins", Scope: ScopeWrite, Idempotent: true,
		Description: "Adds browser origins that may call the tenant's token, userinfo and revocation endpoints from JavaScript (CORS), e.g. a single-page app at http://localhost:5173. Needed for SPAs using PKCE in the browser; not for server-side apps. Returns the tenant with its allowed_origins.",
	}, s.addAllowedOrigins)
	addTool(s, srv, toolDef{
		Name: "remove_allowed_origins", Title: "Remove allowed origins", Scope: ScopeAdmin, Destructive: true, Idempotent: true,
		Description: "Removes browser origins from the tenant's allowed origins (CORS): single-page apps on them can no longer get tokens. Requires confirm: true after the user agreed; dry_run: true shows the change first.",
	}, s.removeAllowedOrigins)
}

func (s *Server) getMe(c *call, _ meIn) (meOut, error) {
	me, err := s.manage.Me(c.ctx)
	if err != nil {
		return meOut{}, err
	}
	out := meOut{Accounts: []accountView{}, Scopes: view.NonNil(c.claims.Scopes())}
	if me.User != nil {
		out.UserID, out.Email, out.Name = me.User.ID, me.User.Email, me.User.Name
	}
	for _, m := range me.Memberships {
		out.Accounts = append(out.Accounts, accountView{AccountID: m.AccountID, AccountName: m.AccountName, Role: string(m.Role)})
	}
	if out.SelectedTenant, err = s.manage.SelectedTenant(c.ctx); err != nil {
		return meOut{}, err
	}
	return out, nil
}

func (s *Server) listTenants(c *call, in listTenantsIn) (listTenantsOut, error) {
	ts, total, err := s.manage.ListTenants(c.ctx, in.page())
	if err != nil {
		return listTenantsOut{}, err
	}
	out := listTenantsOut{Tenants: make([]view.Tenant, len(ts)), Total: total}
	for i := range ts {
		out.Tenants[i] = view.NewTenant(&ts[i])
	}
	if out.SelectedTenant, err = s.manage.SelectedTenant(c.ctx); err != nil {
		return listTenantsOut{}, err
	}
	return out, nil
}

func (s *Server) createTenant(c *call, in createTenantIn) (tenantOut, error) {
	t, err := s.manage.CreateTenant(c.dryRunCtx(in.DryRun), manage.TenantInput{
		ID: in.ID, AccountID: in.AccountID, Name: in.Name, AllowRegistration: in.AllowRegistration,
		AuthMethods: in.AuthMethods, AllowedOrigins: in.AllowedOrigins, SigningAlg: in.SigningAlg,
		DefaultLanguage: in.DefaultLanguage,
	})
	if err != nil {
		return tenantOut{}, err
	}
	out := tenantOut{Tenant: view.NewTenant(t), DryRun: in.DryRun, verb: "created"}
	if in.DryRun {
		out.verb = "would be created"
		return out, nil
	}
	if in.Select {
		if _, err := s.manage.SelectTenant(c.ctx, t.ID); err != nil {
			return tenantOut{}, err
		}
		out.Selected = true
		out.Next = "It is now the selected tenant. Next: create_client for the app."
	} else {
		out.Next = "Next: select_tenant to work on it, then create_client."
	}
	return out, nil
}

func (s *Server) selectTenant(c *call, in selectTenantIn) (tenantOut, error) {
	t, err := s.manage.SelectTenant(c.ctx, in.TenantID)
	if err != nil {
		return tenantOut{}, err
	}
	return tenantOut{Tenant: view.NewTenant(t), Selected: true, verb: "is now selected",
		Next: "Tools called without tenant_id now work on it."}, nil
}

func (s *Server) getTenant(c *call, in tenantIn) (tenantOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return tenantOut{}, err
	}
	t, err := s.manage.GetTenant(c.ctx, id)
	if err != nil {
		return tenantOut{}, err
	}
	return tenantOut{Tenant: view.NewTenant(t), verb: "found"}, nil
}

func (s *Server) updateTenant(c *call, in updateTenantIn) (tenantOut, error) {
	return s.patchTenant(c, in.TenantID, in.DryRun, manage.TenantPatch{
		Name: in.Name, AllowRegistration: in.AllowRegistration, AuthMethods: in.AuthMethods,
		AccessTokenTTL: in.AccessTokenTTL, IDTokenTTL: in.IDTokenTTL,
		RefreshTokenTTL: in.RefreshTokenTTL, RefreshAbsoluteTTL: in.RefreshAbsoluteTTL,
		SessionTTL: in.SessionTTL, SessionIdleTTL: in.SessionIdleTTL,
		EmailFromName: in.EmailFromName, EmailFromAddress: in.EmailFromAddress, DefaultLanguage: in.DefaultLanguage,
	})
}

func (s *Server) addAllowedOrigins(c *call, in originsIn) (tenantOut, error) {
	if len(in.Origins) == 0 {
		return tenantOut{}, toolError("Pass at least one origin in origins.")
	}
	return s.patchTenant(c, in.TenantID, in.DryRun, manage.TenantPatch{AddAllowedOrigins: in.Origins})
}

func (s *Server) removeAllowedOrigins(c *call, in removeOriginsIn) (tenantOut, error) {
	if len(in.Origins) == 0 {
		return tenantOut{}, toolError("Pass at least one origin in origins.")
	}
	if !in.Confirm && !in.DryRun {
		return tenantOut{}, needConfirm("stop browser apps on " + strings.Join(in.Origins, ", ") + " from getting tokens")
	}
	return s.patchTenant(c, in.TenantID, in.DryRun, manage.TenantPatch{RemoveAllowedOrigins: in.Origins})
}

// patchTenant applies p to the tenant (the explicit or selected one) and
// reports the fields that changed.
func (s *Server) patchTenant(c *call, tenantID string, dryRun bool, p manage.TenantPatch) (tenantOut, error) {
	id, err := c.tenant(tenantID)
	if err != nil {
		return tenantOut{}, err
	}
	before, err := s.manage.GetTenant(c.ctx, id)
	if err != nil {
		return tenantOut{}, err
	}
	after, err := s.manage.UpdateTenant(c.dryRunCtx(dryRun), id, p)
	if err != nil {
		return tenantOut{}, err
	}
	out := tenantOut{Tenant: view.NewTenant(after), DryRun: dryRun, verb: "updated"}
	out.Changes = diff(view.NewTenant(before), out.Tenant, "updated_at")
	if dryRun {
		out.verb = "would be updated"
	}
	if len(out.Changes) == 0 {
		out.verb = "unchanged (the values were already set)"
	}
	return out, nil
}

// nameOr returns name, or id when name is empty.
func nameOr(name, id string) string {
	if name != "" {
		return name
	}
	return id
}
