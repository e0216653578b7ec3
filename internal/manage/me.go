package manage

import (
	"context"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// MeResult describes the caller of the management surfaces.
type MeResult struct {
	// Type is ActorUser or ActorClient (also cli/system for local use).
	Type string
	// User is the administrator (ActorUser only).
	User *idp.User
	// Memberships are the administrator's accounts and roles.
	Memberships []MeMembership
	// Client is the machine client (ActorClient only).
	Client *idp.Client
	// Tenant is the machine client's tenant (ActorClient only).
	Tenant *TenantResult
}

// MeMembership is one account of an administrator with their role.
type MeMembership struct {
	AccountID   string
	AccountName string
	Role        idp.AccountRole
}

// Me returns the caller of ctx as the management API shows it.
func (s *Service) Me(ctx context.Context) (*MeResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	out := &MeResult{Type: a.Type}
	switch a.Type {
	case ActorUser:
		admin, err := s.store.AdminTenant(ctx)
		if err != nil {
			return nil, fmt.Errorf("manage: admin tenant: %w", err)
		}
		if out.User, err = s.store.GetUser(ctx, admin.ID, a.ID); err != nil {
			return nil, fmt.Errorf("manage: administrator: %w", err)
		}
		for _, m := range a.Memberships {
			mm := MeMembership{AccountID: m.AccountID, Role: m.Role}
			if acc, err := s.store.GetAccount(ctx, m.AccountID); err == nil {
				mm.AccountName = acc.Name
			}
			out.Memberships = append(out.Memberships, mm)
		}
	case ActorClient:
		c, err := s.store.GetClient(ctx, a.TenantID, a.ID)
		if err != nil {
			return nil, fmt.Errorf("manage: client: %w", err)
		}
		out.Client = c
		t, err := s.store.GetTenant(ctx, a.TenantID)
		if err != nil {
			return nil, fmt.Errorf("manage: tenant: %w", err)
		}
		out.Tenant = &TenantResult{Tenant: t, Issuer: s.Issuer(t)}
	}
	return out, nil
}
