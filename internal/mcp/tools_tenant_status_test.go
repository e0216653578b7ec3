package mcp_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
)

// statusOut is the part of suspend_tenant's and resume_tenant's output the
// tests read.
type statusOut struct {
	Tenant struct {
		ID          string     `json:"id"`
		Status      string     `json:"status"`
		SuspendedAt *time.Time `json:"suspended_at"`
	} `json:"tenant"`
	DryRun bool `json:"dry_run"`
}

// TestSuspendResumeTenantTools: suspend_tenant asks for confirm, previews
// with dry_run, needs mcp:admin and an owner or admin of the tenant's
// account; the suspended tenant's issuer refuses discovery while MCP (on
// the admin tenant) keeps working; resume_tenant brings it back.
func TestSuspendResumeTenantTools(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	discovery := func() int {
		t.Helper()
		resp, err := http.Get(s.url + "/t/tenant-a/.well-known/openid-configuration")
		must(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	stored := func() idp.TenantStatus {
		t.Helper()
		tn, err := s.manage.GetTenant(s.cli, "tenant-a")
		must(t, err)
		return tn.Status
	}
	args := func(kv ...any) map[string]any {
		m := map[string]any{"tenant_id": "tenant-a"}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}

	if msg := toolErr(t, cs, "suspend_tenant", args()); !strings.Contains(msg, "confirm: true") || !strings.Contains(msg, "resume_tenant") {
		t.Fatalf("suspend without confirm: %q", msg)
	}
	var out statusOut
	ok(t, cs, "suspend_tenant", args("dry_run", true), &out)
	if !out.DryRun || out.Tenant.Status != "suspended" || stored() != idp.TenantActive {
		t.Fatalf("dry run: %+v, stored %s", out, stored())
	}
	// Refused callers: a viewer, another account's owner.
	for _, c := range []struct {
		name, token, want string
	}{
		{"viewer", s.mcpToken(t, s.vic), "Denied"},
		{"another account's owner", s.mcpToken(t, s.bob), "Not found"},
	} {
		if msg := toolErr(t, s.connect(t, c.token), "suspend_tenant", args("confirm", true)); !strings.Contains(msg, c.want) {
			t.Errorf("%s: %q, want %q", c.name, msg, c.want)
		}
	}
	// Without mcp:admin the endpoint answers 403 insufficient_scope.
	writer := s.connect(t, s.mcpToken(t, s.root, "mcp:read", "mcp:write"))
	if _, err := writer.CallTool(t.Context(), &mcpsdk.CallToolParams{Name: "suspend_tenant", Arguments: args("confirm", true)}); err == nil || !strings.Contains(err.Error(), "Forbidden") {
		t.Errorf("without mcp:admin: %v", err)
	}
	if stored() != idp.TenantActive || discovery() != http.StatusOK {
		t.Fatalf("refused calls suspended the tenant")
	}

	out = statusOut{}
	ok(t, cs, "suspend_tenant", args("confirm", true), &out)
	if out.DryRun || out.Tenant.Status != "suspended" || out.Tenant.SuspendedAt == nil || stored() != idp.TenantSuspended {
		t.Fatalf("suspend: %+v", out)
	}
	if got := discovery(); got != http.StatusForbidden {
		t.Fatalf("discovery of the suspended tenant: %d, want 403", got)
	}
	// MCP keeps reading it.
	var got statusOut
	ok(t, cs, "get_tenant", args(), &got)
	if got.Tenant.Status != "suspended" {
		t.Fatalf("get_tenant: %+v", got)
	}

	ok(t, cs, "resume_tenant", args("dry_run", true), &out)
	if !out.DryRun || out.Tenant.Status != "active" || stored() != idp.TenantSuspended {
		t.Fatalf("resume dry run: %+v", out)
	}
	out = statusOut{}
	ok(t, cs, "resume_tenant", args(), &out)
	if out.Tenant.Status != "active" || out.Tenant.SuspendedAt != nil || stored() != idp.TenantActive || discovery() != http.StatusOK {
		t.Fatalf("resume: %+v", out)
	}
}
