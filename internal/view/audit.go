package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// AuditEvent is one audit record.
type AuditEvent struct {
	ID         string            `json:"id"`
	Time       time.Time         `json:"time"`
	ActorType  string            `json:"actor_type"`
	ActorID    string            `json:"actor_id"`
	Action     string            `json:"action"`
	ObjectType string            `json:"object_type,omitempty"`
	ObjectID   string            `json:"object_id,omitempty"`
	Outcome    string            `json:"outcome" jsonschema:"success or failure (a refusal records its reason in details)."`
	RequestID  string            `json:"request_id,omitempty"`
	ClientIP   string            `json:"client_ip,omitempty"`
	Details    map[string]string `json:"details,omitempty"`
}

// NewAuditEvents shows audit records in the order given.
func NewAuditEvents(es []idp.AuditEvent) []AuditEvent {
	out := make([]AuditEvent, len(es))
	for i, e := range es {
		out[i] = AuditEvent{ID: e.ID, Time: e.Time, ActorType: e.ActorType, ActorID: e.ActorID, Action: e.Action,
			ObjectType: e.ObjectType, ObjectID: e.ObjectID, Outcome: e.Outcome, RequestID: e.RequestID, ClientIP: e.ClientIP, Details: e.Details}
	}
	return out
}
