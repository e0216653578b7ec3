package mcp

// Tenant status tools: suspend_tenant and resume_tenant, over
// manage.SuspendTenant and manage.ResumeTenant (the REST API's
// POST /api/v1/tenants/{id}/suspend and /resume).

import (
	"fmt"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/view"
)

func (s *Server) registerTenantStatusTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "suspend_tenant", Title: "Suspend tenant", Scope: ScopeAdmin, Destructive: true, Idempotent: true,
		Description: `Suspends a tenant: at once, on every server, its issuer refuses every request — sign-in pages, the token endpoint, userinfo, discovery and JWKS — and its tokens stop being active at introspection. Users, apps and signing keys are kept; resume_tenant brings everything back. The admin tenant cannot be suspended.
Only call it after the user of this assistant agreed, with confirm: true (dry_run: true previews without confirm).`,
	}, s.suspendTenant)
	addTool(s, srv, toolDef{
		Name: "resume_tenant", Title: "Resume tenant", Scope: ScopeWrite, Idempotent: true,
		Description: "Lifts a tenant's suspension: its issuer serves again at once, on every server, with its users, apps, signing keys and unexpired tokens as they were. Resuming an active tenant changes nothing. dry_run: true previews.",
	}, s.resumeTenant)
}

// suspendTenantIn is suspend_tenant's input.
type suspendTenantIn struct {
	TenantID string `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Confirm  bool   `json:"confirm,omitempty" jsonschema:"Must be true: the user of this assistant agreed that the tenant's apps stop working until it is resumed. Not needed with dry_run."`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"Check and show the suspension without making it."`
}

// resumeTenantIn is resume_tenant's input.
type resumeTenantIn struct {
	TenantID string `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	DryRun   bool   `json:"dry_run,omitempty" jsonschema:"Check and show the change without making it."`
}

func (s *Server) suspendTenant(c *call, in suspendTenantIn) (tenantOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return tenantOut{}, err
	}
	if !in.Confirm && !in.DryRun {
		// Ask for confirmation only for a suspension that would succeed.
		t, err := s.manage.SuspendTenant(c.dryRunCtx(true), id)
		if err != nil {
			return tenantOut{}, err
		}
		return tenantOut{}, toolError(fmt.Sprintf("This will suspend tenant %s (%s): every app signing in with %s stops working until resume_tenant. Ask the user to confirm, then call this tool again with confirm: true.", t.ID, t.Name, t.Issuer))
	}
	t, err := s.manage.SuspendTenant(c.dryRunCtx(in.DryRun), id)
	if err != nil {
		return tenantOut{}, err
	}
	out := tenantOut{Tenant: view.NewTenant(t), DryRun: in.DryRun, verb: "is suspended: its issuer refuses every request",
		Next: "resume_tenant lifts the suspension."}
	if in.DryRun {
		out.verb, out.Next = "would be suspended", ""
	}
	return out, nil
}

func (s *Server) resumeTenant(c *call, in resumeTenantIn) (tenantOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return tenantOut{}, err
	}
	t, err := s.manage.ResumeTenant(c.dryRunCtx(in.DryRun), id)
	if err != nil {
		return tenantOut{}, err
	}
	out := tenantOut{Tenant: view.NewTenant(t), DryRun: in.DryRun, verb: "is active: its issuer serves again"}
	if in.DryRun {
		out.verb = "would be active again"
	}
	return out, nil
}
