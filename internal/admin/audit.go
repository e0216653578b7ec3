package admin

import (
	"github.com/authalla/authalla/internal/idp"
)

type auditData struct {
	Events []idp.AuditEvent
	Total  int
	Action string
	Actor  string
}

// auditList shows a tenant's audit log, newest first, filtered by action
// and actor.
func (h *Handler) auditList(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	q := c.r.URL.Query()
	d := auditData{Action: q.Get("action"), Actor: q.Get("actor")}
	var err error
	d.Events, d.Total, err = h.o.Manage.ListAudit(c.ctx, c.tenant.ID, idp.AuditQuery{Action: d.Action, ActorID: d.Actor, Page: idp.Page{Limit: 100}})
	if err != nil {
		return err
	}
	return h.show(c, "audit", "Audit log", "audit", d)
}
