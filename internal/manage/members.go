package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Member is an administrator of an account with their role.
type Member struct {
	AccountID string
	User      *idp.User // a user of the admin tenant
	Role      idp.AccountRole
	CreatedAt time.Time
}

// accountAccess checks that the caller may see account accountID (any
// member, the CLI, the system) and, with need == write, manage its
// members (owners only). An account the caller does not belong to is
// idp.ErrNotFound.
func (s *Service) accountAccess(ctx context.Context, accountID string, need access) (Actor, error) {
	a, err := actor(ctx)
	if err != nil {
		return a, err
	}
	if a.Type == ActorClient {
		return a, fmt.Errorf("manage: account %q: %w", accountID, idp.ErrNotFound)
	}
	if !a.privileged() {
		r := a.role(accountID)
		if r == "" {
			return a, fmt.Errorf("manage: account %q: %w", accountID, idp.ErrNotFound)
		}
		if need == write && r != idp.RoleOwner {
			return a, fmt.Errorf("manage: only owners manage the administrators of an account: %w", idp.ErrForbidden)
		}
	}
	if _, err := s.store.GetAccount(ctx, accountID); err != nil {
		return a, fmt.Errorf("manage: account %q: %w", accountID, err)
	}
	return a, nil
}

// AccountMembers lists an account's administrators, owners first.
func (s *Service) AccountMembers(ctx context.Context, accountID string) ([]Member, error) {
	if _, err := s.accountAccess(ctx, accountID, read); err != nil {
		return nil, err
	}
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		return nil, fmt.Errorf("manage: admin tenant: %w", err)
	}
	ms, err := s.store.ListAccountMembers(ctx, accountID)
	if err != nil {
		return nil, fmt.Errorf("manage: members: %w", err)
	}
	out := make([]Member, 0, len(ms))
	for _, m := range ms {
		u, err := s.store.GetUser(ctx, admin.ID, m.UserID)
		if errors.Is(err, idp.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("manage: member: %w", err)
		}
		out = append(out, Member{AccountID: accountID, User: u, Role: m.Role, CreatedAt: m.CreatedAt})
	}
	slices.SortFunc(out, func(x, y Member) int {
		if d := rank(y.Role) - rank(x.Role); d != 0 {
			return d
		}
		return strings.Compare(x.User.Email, y.User.Email)
	})
	return out, nil
}

// AddAccountMember gives the administrator with email the role in the
// account (owners only). An unknown email becomes a new user of the admin
// tenant, who then signs in to the Admin UI with an emailed code; a
// member's role is changed. The record goes to the admin tenant's log.
func (s *Service) AddAccountMember(ctx context.Context, accountID, email string, role idp.AccountRole) (*Member, error) {
	const action = "account.member.add"
	a, err := s.accountAccess(ctx, accountID, write)
	admin, aerr := s.store.AdminTenant(ctx)
	if aerr != nil {
		return nil, fmt.Errorf("manage: admin tenant: %w", aerr)
	}
	if err != nil {
		s.auditDenied(ctx, a, admin.ID, action, "account", accountID, err)
		return nil, err
	}
	if rank(role) == 0 {
		return nil, idp.Invalid("role", "must be owner, admin or viewer")
	}
	if email, err = normalizeEmail("email", email); err != nil {
		return nil, err
	}
	u, err := s.store.GetUserByEmail(ctx, admin.ID, email)
	if errors.Is(err, idp.ErrNotFound) {
		id, err := s.random.ID("usr_")
		if err != nil {
			return nil, err
		}
		now := s.clock.Now()
		u = &idp.User{TenantID: admin.ID, ID: id, Email: email, Status: idp.UserActive, CreatedAt: now, UpdatedAt: now}
		if err := s.store.CreateUser(ctx, admin.ID, u); err != nil {
			return nil, fmt.Errorf("manage: new administrator: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("manage: administrator: %w", err)
	} else if role != idp.RoleOwner {
		// Demoting the last owner would leave nobody to manage members.
		if err := s.keepAnOwner(ctx, accountID, u.ID); err != nil {
			return nil, err
		}
	}
	m := &idp.AccountMember{AccountID: accountID, UserID: u.ID, Role: role, CreatedAt: s.clock.Now()}
	if err := s.store.PutAccountMember(ctx, m); err != nil {
		s.audit(ctx, a, admin.ID, action, "account", accountID, err, nil)
		return nil, fmt.Errorf("manage: add member: %w", err)
	}
	s.audit(ctx, a, admin.ID, action, "account", accountID, nil, map[string]string{"user_id": u.ID, "role": string(role)})
	return &Member{AccountID: accountID, User: u, Role: role, CreatedAt: m.CreatedAt}, nil
}

// RemoveAccountMember removes an administrator from the account (owners
// only). The last owner cannot be removed. Their user stays (they may
// belong to other accounts); their Admin UI session loses the account at
// its next request.
func (s *Service) RemoveAccountMember(ctx context.Context, accountID, userID string) error {
	const action = "account.member.remove"
	a, err := s.accountAccess(ctx, accountID, write)
	admin, aerr := s.store.AdminTenant(ctx)
	if aerr != nil {
		return fmt.Errorf("manage: admin tenant: %w", aerr)
	}
	if err != nil {
		s.auditDenied(ctx, a, admin.ID, action, "account", accountID, err)
		return err
	}
	if err := s.keepAnOwner(ctx, accountID, userID); err != nil {
		return err
	}
	if err := s.store.DeleteAccountMember(ctx, accountID, userID); err != nil {
		return fmt.Errorf("manage: remove member: %w", err)
	}
	s.audit(ctx, a, admin.ID, action, "account", accountID, nil, map[string]string{"user_id": userID})
	return nil
}

// keepAnOwner refuses a change that would leave the account without an
// owner once userID stops being one.
func (s *Service) keepAnOwner(ctx context.Context, accountID, userID string) error {
	ms, err := s.store.ListAccountMembers(ctx, accountID)
	if err != nil {
		return fmt.Errorf("manage: members: %w", err)
	}
	for _, m := range ms {
		if m.Role == idp.RoleOwner && m.UserID != userID {
			return nil
		}
	}
	for _, m := range ms {
		if m.UserID == userID && m.Role == idp.RoleOwner {
			return idp.Invalid("user_id", "an account needs at least one owner")
		}
	}
	return nil
}
