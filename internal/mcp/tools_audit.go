package mcp

import (
	"fmt"
	"strings"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/view"
)

type auditIn struct {
	TenantID string `json:"tenant_id,omitempty" jsonschema:"Tenant id. Omit it to use the selected tenant (see select_tenant)."`
	Action   string `json:"action,omitempty" jsonschema:"Only this action, e.g. client.create, client.update, theme.update, user.suspend."`
	Actor    string `json:"actor,omitempty" jsonschema:"Only events by this actor id (a user id or client id)."`
	Since    string `json:"since,omitempty" jsonschema:"RFC 3339 time: only events at or after it, e.g. 2026-05-01T00:00:00Z."`
	Until    string `json:"until,omitempty" jsonschema:"RFC 3339 time: only events at or before it."`
	pageArgs
}

type auditOut struct {
	TenantID string            `json:"tenant_id"`
	Events   []view.AuditEvent `json:"audit_events"`
	Total    int               `json:"total"`
}

func (o auditOut) summary() string {
	if len(o.Events) == 0 {
		return fmt.Sprintf("No audit events of tenant %s match.", o.TenantID)
	}
	var lines []string
	for i, e := range o.Events {
		if i == 5 {
			lines = append(lines, "…")
			break
		}
		lines = append(lines, fmt.Sprintf("%s %s %s %s by %s", e.Time.Format(time.RFC3339), e.Action, e.ObjectID, e.Outcome, e.ActorID))
	}
	return fmt.Sprintf("%d of %d audit events of tenant %s, newest first: %s.", len(o.Events), o.Total, o.TenantID, strings.Join(lines, "; "))
}

func (s *Server) registerAuditTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "list_audit_events", Title: "List audit events", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Lists a tenant's audit log, newest first: every management change (who, what, which object, outcome) without secrets. Filter by action, actor or time range; page with limit and offset. Use it to check what changed recently or why something stopped working.",
	}, s.listAudit)
}

func (s *Server) listAudit(c *call, in auditIn) (auditOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return auditOut{}, err
	}
	q := idp.AuditQuery{Action: strings.TrimSpace(in.Action), ActorID: strings.TrimSpace(in.Actor), Page: in.page()}
	for _, f := range []struct {
		name string
		v    string
		dst  **time.Time
	}{{"since", in.Since, &q.Since}, {"until", in.Until, &q.Until}} {
		if f.v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, f.v)
		if err != nil {
			return auditOut{}, idp.Invalid(f.name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		*f.dst = &t
	}
	es, total, err := s.manage.ListAudit(c.ctx, id, q)
	if err != nil {
		return auditOut{}, err
	}
	return auditOut{TenantID: id, Events: view.NewAuditEvents(es), Total: total}, nil
}
