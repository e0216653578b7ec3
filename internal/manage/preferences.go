package manage

import (
	"context"
	"errors"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// SelectTenant makes tenantID the caller's selected tenant: the one the
// MCP server's tools work on when a call names none. Only an administrator
// (a user actor) has preferences, and only a tenant they can read can be
// selected (another account's tenant is idp.ErrNotFound, as everywhere).
// The choice is stored, so it holds across stateless requests and
// sessions. It changes nothing a tenant owns, so it is not audited.
func (s *Service) SelectTenant(ctx context.Context, tenantID string) (*TenantResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.Type != ActorUser {
		return nil, fmt.Errorf("manage: only administrators select a tenant: %w", idp.ErrForbidden)
	}
	_, t, err := s.authorize(ctx, tenantID, read)
	if err != nil {
		return nil, err
	}
	p := &idp.AdminPreferences{UserID: a.ID, DefaultTenantID: t.ID, UpdatedAt: s.clock.Now()}
	if err := s.store.PutAdminPreferences(ctx, p); err != nil {
		return nil, fmt.Errorf("manage: save preferences: %w", err)
	}
	return &TenantResult{Tenant: t, Issuer: s.Issuer(t)}, nil
}

// SelectedTenant returns the caller's selected tenant id, or "" when they
// selected none or can no longer read it (the tenant was deleted or they
// left its account). Callers other than administrators have none.
func (s *Service) SelectedTenant(ctx context.Context) (string, error) {
	a, err := actor(ctx)
	if err != nil {
		return "", err
	}
	if a.Type != ActorUser {
		return "", nil
	}
	p, err := s.store.GetAdminPreferences(ctx, a.ID)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		return "", nil
	case err != nil:
		return "", fmt.Errorf("manage: preferences: %w", err)
	case p.DefaultTenantID == "":
		return "", nil
	}
	_, _, err = s.authorize(ctx, p.DefaultTenantID, read)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	}
	return p.DefaultTenantID, nil
}
