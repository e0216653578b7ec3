package manage

import (
	"context"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// ListAudit lists a tenant's audit events, newest first, with the total.
func (s *Service) ListAudit(ctx context.Context, tenantID string, q idp.AuditQuery) ([]idp.AuditEvent, int, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, 0, err
	}
	var err error
	if q.Page, err = clampPage(q.Page); err != nil {
		return nil, 0, err
	}
	if q.Since != nil && q.Until != nil && q.Until.Before(*q.Since) {
		return nil, 0, idp.Invalid("until", "must not be before since")
	}
	es, total, err := s.store.ListAudit(ctx, tenantID, q)
	if err != nil {
		return nil, 0, fmt.Errorf("manage: list audit events: %w", err)
	}
	return es, total, nil
}
