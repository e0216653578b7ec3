package sqlstore

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

const auditCols = `tenant_id, id, occurred_at, actor_type, actor_id, action, object_type, object_id,
	outcome, request_id, client_ip, details`

// AppendAudit appends an event; idp.ErrNotFound if its tenant is absent,
// idp.ErrConflict on a duplicate id.
func (s *Store) AppendAudit(ctx context.Context, e *idp.AuditEvent) error {
	_, err := s.writer().exec(ctx, `INSERT INTO audit_events (`+auditCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.TenantID, e.ID, e.Time, e.ActorType, e.ActorID, e.Action, e.ObjectType, e.ObjectID,
		e.Outcome, e.RequestID, e.ClientIP, jsonMap(e.Details))
	return s.wrap("append audit", err)
}

// ListAudit lists a tenant's events, newest first, filtered by action,
// actor and time (Since inclusive, Until exclusive), with the total before
// paging.
func (s *Store) ListAudit(ctx context.Context, tenantID string, aq idp.AuditQuery) ([]idp.AuditEvent, int, error) {
	limit, offset := page(aq.Limit, aq.Offset)
	where, args := ` WHERE tenant_id = ?`, []any{tenantID}
	if aq.Action != "" {
		where, args = where+` AND action = ?`, append(args, aq.Action)
	}
	if aq.ActorID != "" {
		where, args = where+` AND actor_id = ?`, append(args, aq.ActorID)
	}
	if aq.Since != nil {
		where, args = where+` AND occurred_at >= ?`, append(args, *aq.Since)
	}
	if aq.Until != nil {
		where, args = where+` AND occurred_at < ?`, append(args, *aq.Until)
	}
	d := s.reader()
	var total int
	if err := d.row(ctx, `SELECT COUNT(*) FROM audit_events`+where, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("list audit", err)
	}
	rows, err := d.query(ctx, `SELECT `+auditCols+` FROM audit_events`+where+`
		ORDER BY occurred_at DESC, id DESC LIMIT ? OFFSET ?`, append(args, limit, offset)...)
	if err != nil {
		return nil, 0, s.wrap("list audit", err)
	}
	defer rows.Close()
	var out []idp.AuditEvent
	for rows.Next() {
		var e idp.AuditEvent
		if err := rows.Scan(&e.TenantID, &e.ID, ts(&e.Time), &e.ActorType, &e.ActorID, &e.Action,
			&e.ObjectType, &e.ObjectID, &e.Outcome, &e.RequestID, &e.ClientIP, jsonOf(&e.Details)); err != nil {
			return nil, 0, s.wrap("list audit", err)
		}
		out = append(out, e)
	}
	return out, total, s.wrap("list audit", rows.Err())
}
