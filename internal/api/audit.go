package api

import (
	"net/http"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) listAudit(r *http.Request, c *call) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	q := r.URL.Query()
	aq := idp.AuditQuery{Action: q.Get("action"), ActorID: q.Get("actor"), Page: p}
	for _, f := range []struct {
		name string
		dst  **time.Time
	}{{"since", &aq.Since}, {"until", &aq.Until}} {
		v := q.Get(f.name)
		if v == "" {
			continue
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, idp.Invalid(f.name, "must be an RFC 3339 time such as 2026-01-02T15:04:05Z")
		}
		*f.dst = &t
	}
	es, total, err := h.manage.ListAudit(c.ctx, c.tenant, aq)
	if err != nil {
		return nil, err
	}
	return list("audit_events", view.NewAuditEvents(es), total, p), nil
}
