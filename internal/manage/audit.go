package manage

import (
	"context"
	"errors"

	"github.com/authalla/authalla/internal/idp"
)

// Audit outcomes.
const (
	outcomeSuccess = "success"
	outcomeFailure = "failure"
)

// audit appends one audit record for an operation on tenantID. opErr is
// the operation's result: nil records a success, an error a failure whose
// reason is only the error's kind (never its text, which may quote input).
// details must never hold a secret. A record that cannot be written is
// logged, not returned: the change it describes is already committed. A
// dry run (WithDryRun) changes nothing and so records nothing, not even a
// refusal.
func (s *Service) audit(ctx context.Context, a Actor, tenantID, action, objType, objID string, opErr error, details map[string]string) {
	if tenantID == "" || dryRun(ctx) {
		return
	}
	id, err := s.random.ID("aud_")
	if err != nil {
		s.log.ErrorContext(ctx, "audit: no random id", "action", action, "err", err)
		return
	}
	e := &idp.AuditEvent{
		TenantID:   tenantID,
		ID:         id,
		Time:       s.clock.Now(),
		ActorType:  a.Type,
		ActorID:    a.ID,
		Action:     action,
		ObjectType: objType,
		ObjectID:   objID,
		Outcome:    outcomeSuccess,
		RequestID:  a.RequestID,
		ClientIP:   a.ClientIP,
		Details:    details,
	}
	if opErr != nil {
		e.Outcome = outcomeFailure
		d := map[string]string{"reason": reason(opErr)}
		var ve *idp.ValidationError
		if errors.As(opErr, &ve) {
			d["field"] = ve.Field
		}
		for k, v := range details {
			d[k] = v
		}
		e.Details = d
	}
	if err := s.store.AppendAudit(ctx, e); err != nil {
		s.log.ErrorContext(ctx, "audit: record not written", "tenant", tenantID, "action", action, "object_id", objID, "err", err)
	}
}

// reason names an error's kind for an audit record.
func reason(err error) string {
	switch {
	case errors.Is(err, idp.ErrInvalid):
		return "invalid"
	case errors.Is(err, idp.ErrConflict):
		return "conflict"
	case errors.Is(err, idp.ErrNotFound):
		return "not_found"
	case errors.Is(err, idp.ErrForbidden):
		return "forbidden"
	case errors.Is(err, idp.ErrUnavailable):
		return "unavailable"
	}
	return "error"
}

// auditDenied records a refused write on a tenant the caller can see (a
// viewer trying to change something). Tenants the caller cannot see get no
// record: they are reported as not found.
func (s *Service) auditDenied(ctx context.Context, a Actor, tenantID, action, objType, objID string, err error) {
	if errors.Is(err, idp.ErrForbidden) && a.Type != "" {
		s.audit(ctx, a, tenantID, action, objType, objID, err, nil)
	}
}
