package manage

import (
	"context"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// Actor types.
const (
	ActorCLI    = "cli"    // the local CLI, working on the database directly
	ActorSystem = "system" // the server itself (bootstrap, maintenance)
	ActorUser   = "user"   // an administrator: a user of the admin tenant
	ActorClient = "client" // a machine token of a backend client
)

// Actor is the caller of a management operation.
type Actor struct {
	// Type is one of ActorCLI, ActorSystem, ActorUser, ActorClient.
	Type string
	// ID is the user id, client id, or a fixed name for cli/system.
	ID string
	// Memberships are the accounts a "user" actor belongs to, with roles.
	Memberships []idp.AccountMember
	// TenantID limits a "client" actor (machine token) to its own tenant.
	TenantID string
	// RequestID and ClientIP are copied into audit records when set.
	RequestID string
	ClientIP  string
}

type actorKey struct{}

// WithActor returns ctx carrying the caller a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the caller carried by ctx.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.Type != ""
}

// privileged reports whether the actor may do everything (the local CLI
// and the server itself).
func (a Actor) privileged() bool { return a.Type == ActorCLI || a.Type == ActorSystem }

// role returns the actor's role in account, or "" when not a member.
func (a Actor) role(accountID string) idp.AccountRole {
	if accountID == "" {
		return ""
	}
	var best idp.AccountRole
	for _, m := range a.Memberships {
		if m.AccountID == accountID && rank(m.Role) > rank(best) {
			best = m.Role
		}
	}
	return best
}

func rank(r idp.AccountRole) int {
	switch r {
	case idp.RoleOwner:
		return 3
	case idp.RoleAdmin:
		return 2
	case idp.RoleViewer:
		return 1
	}
	return 0
}

// canWrite reports whether role allows changes.
func canWrite(r idp.AccountRole) bool { return r == idp.RoleOwner || r == idp.RoleAdmin }

// access is what an operation needs on a tenant.
type access int

const (
	read access = iota
	write
)

// actor returns the caller or idp.ErrForbidden when there is none.
func actor(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok {
		return Actor{}, fmt.Errorf("manage: no caller identity: %w", idp.ErrForbidden)
	}
	switch a.Type {
	case ActorCLI, ActorSystem, ActorUser, ActorClient:
		return a, nil
	}
	return Actor{}, fmt.Errorf("manage: unknown caller type: %w", idp.ErrForbidden)
}

// authorize loads tenant tenantID and checks that the caller may read it
// (need == read) or change what it owns (need == write). A tenant the
// caller cannot see is reported as idp.ErrNotFound, never as forbidden, so
// that tenant ids cannot be probed; a viewer asking to write gets
// idp.ErrForbidden.
func (s *Service) authorize(ctx context.Context, tenantID string, need access) (Actor, *idp.Tenant, error) {
	a, err := actor(ctx)
	if err != nil {
		return a, nil, err
	}
	if tenantID == "" {
		return a, nil, idp.Invalid("tenant_id", "required")
	}
	// A client actor is bound to its tenant: answer before touching the
	// store so that other tenants' existence is not revealed by timing.
	if a.Type == ActorClient && a.TenantID != tenantID {
		return a, nil, fmt.Errorf("manage: tenant %q: %w", tenantID, idp.ErrNotFound)
	}
	t, err := s.store.GetTenant(ctx, tenantID)
	if err != nil {
		return a, nil, fmt.Errorf("manage: tenant %q: %w", tenantID, err)
	}
	switch a.Type {
	case ActorCLI, ActorSystem, ActorClient:
		return a, t, nil
	case ActorUser:
		r := a.role(t.AccountID)
		if r == "" {
			return a, nil, fmt.Errorf("manage: tenant %q: %w", tenantID, idp.ErrNotFound)
		}
		if need == write && !canWrite(r) {
			return a, nil, fmt.Errorf("manage: role %s may not change tenant %q: %w", r, tenantID, idp.ErrForbidden)
		}
		return a, t, nil
	}
	return a, nil, idp.ErrForbidden
}
