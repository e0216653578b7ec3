package manage

import (
	"context"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// Tenant suspension. A suspended tenant's issuer refuses every request —
// hosted pages, the protocol endpoints, discovery, JWKS and its own
// management API (package tenant answers before any handler runs) — so
// that tokens it issued stop being accepted by introspection and userinfo
// and resource servers get no new keys. Nothing the tenant owns is
// changed: resuming it brings back its users, clients, keys and the tokens
// that have not expired. Administrators keep managing it through the admin
// tenant (Admin UI, REST API with X-Tenant-ID, MCP, CLI), which cannot be
// suspended.

// SuspendTenant suspends a tenant. Owners and admins of its account may;
// a viewer and a machine token (which would lock itself out) may not. The
// admin tenant cannot be suspended. Suspending a suspended tenant changes
// nothing and keeps its suspended_at.
func (s *Service) SuspendTenant(ctx context.Context, tenantID string) (*TenantResult, error) {
	return s.setTenantStatus(ctx, tenantID, idp.TenantSuspended)
}

// ResumeTenant lifts a suspension: the tenant's issuer serves again at
// once, on every node. Resuming an active tenant changes nothing.
func (s *Service) ResumeTenant(ctx context.Context, tenantID string) (*TenantResult, error) {
	return s.setTenantStatus(ctx, tenantID, idp.TenantActive)
}

func (s *Service) setTenantStatus(ctx context.Context, tenantID string, status idp.TenantStatus) (*TenantResult, error) {
	action, verb := "tenant.resume", "resume"
	if status == idp.TenantSuspended {
		action, verb = "tenant.suspend", "suspend"
	}
	a, cur, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "tenant", tenantID, err)
		return nil, err
	}
	if a.Type == ActorClient {
		err := fmt.Errorf("manage: a machine token cannot %s its tenant: %w", verb, idp.ErrForbidden)
		s.auditDenied(ctx, a, tenantID, action, "tenant", tenantID, err)
		return nil, err
	}
	if cur.Admin && status == idp.TenantSuspended {
		err := idp.Invalid("tenant_id", "the admin tenant cannot be suspended: administrators sign in through it")
		s.audit(ctx, a, tenantID, action, "tenant", tenantID, err, nil)
		return nil, err
	}
	t := *cur
	previous := t.Status
	if previous == "" {
		previous = idp.TenantActive
	}
	if previous != status {
		now := s.clock.Now()
		t.Status, t.UpdatedAt, t.SuspendedAt = status, now, nil
		if status == idp.TenantSuspended {
			t.SuspendedAt = &now
		}
	}
	if dryRun(ctx) {
		return &TenantResult{Tenant: &t, Issuer: s.Issuer(&t)}, nil
	}
	if previous != status {
		if err := s.store.SetTenantStatus(ctx, tenantID, t.Status, t.SuspendedAt, t.UpdatedAt); err != nil {
			s.audit(ctx, a, tenantID, action, "tenant", tenantID, err, nil)
			return nil, fmt.Errorf("manage: %s tenant: %w", verb, err)
		}
	}
	// Every node drops its cached tenant (the resolver, which refuses a
	// suspended tenant's requests) and the tenant's OAuth caches. It is
	// announced even when nothing changed: idempotent, and it heals a node
	// that missed the first announcement.
	s.changed(idp.ChangeTenant, tenantID, "")
	s.audit(ctx, a, tenantID, action, "tenant", tenantID, nil, map[string]string{
		"status": string(t.Status), "previous_status": string(previous)})
	return &TenantResult{Tenant: &t, Issuer: s.Issuer(&t)}, nil
}
