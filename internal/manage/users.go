package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// UserInput creates a user.
type UserInput struct {
	Email         string
	Name          string
	Picture       string
	EmailVerified bool
	// Status defaults to active.
	Status idp.UserStatus
}

// UserPatch changes a user; nil fields stay as they are. A changed email
// is unverified unless EmailVerified says otherwise.
type UserPatch struct {
	Email         *string
	Name          *string
	Picture       *string
	EmailVerified *bool
	// Status to suspended also ends the user's sessions and refresh tokens.
	Status *idp.UserStatus
}

const maxUserNameLen = 200

// validateUser normalises and checks u.
func validateUser(u *idp.User) error {
	var err error
	if u.Email, err = normalizeEmail("email", u.Email); err != nil {
		return err
	}
	u.Name = strings.TrimSpace(u.Name)
	if u.Name != "" {
		if u.Name, err = validName("name", u.Name, maxUserNameLen); err != nil {
			return err
		}
	}
	if u.Picture != "" {
		p, err := url.Parse(u.Picture)
		if err != nil || p.Scheme != "https" || p.Host == "" || p.User != nil || len(u.Picture) > maxURILen {
			return idp.Invalid("picture", "must be an https URL")
		}
	}
	if u.Status == "" {
		u.Status = idp.UserActive
	}
	if !u.Status.Valid() {
		return idp.Invalid("status", fmt.Sprintf("%q is not active, inactive or suspended", u.Status))
	}
	return nil
}

// CreateUser creates a user in a tenant.
func (s *Service) CreateUser(ctx context.Context, tenantID string, in UserInput) (*idp.User, error) {
	const action = "user.create"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", "", err)
		return nil, err
	}
	id, err := s.random.ID("usr_")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	u := &idp.User{
		TenantID: tenantID, ID: id, Email: in.Email, Name: in.Name, Picture: in.Picture,
		EmailVerified: in.EmailVerified, Status: in.Status, CreatedAt: now, UpdatedAt: now,
	}
	if err := validateUser(u); err != nil {
		s.audit(ctx, a, tenantID, action, "user", "", err, nil)
		return nil, err
	}
	if dryRun(ctx) {
		if err := s.emailFree(ctx, tenantID, u.Email, ""); err != nil {
			return nil, fmt.Errorf("manage: create user: %w", err)
		}
		return u, nil
	}
	if err := s.store.CreateUser(ctx, tenantID, u); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			err = fmt.Errorf("manage: a user with this email exists in the tenant: %w", idp.ErrConflict)
		}
		s.audit(ctx, a, tenantID, action, "user", "", err, nil)
		return nil, fmt.Errorf("manage: create user: %w", err)
	}
	s.audit(ctx, a, tenantID, action, "user", id, nil, nil)
	return u, nil
}

// GetUser returns a user.
func (s *Service) GetUser(ctx context.Context, tenantID, userID string) (*idp.User, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	u, err := s.store.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	return u, nil
}

// ListUsers searches a tenant's users by email or name (case-insensitive
// substring) and returns the page with the total.
func (s *Service) ListUsers(ctx context.Context, tenantID string, q idp.UserQuery) ([]idp.User, int, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, 0, err
	}
	var err error
	if q.Page, err = clampPage(q.Page); err != nil {
		return nil, 0, err
	}
	q.Search = strings.TrimSpace(q.Search)
	if len(q.Search) > maxEmailLen {
		return nil, 0, idp.Invalid("search", fmt.Sprintf("at most %d characters", maxEmailLen))
	}
	us, total, err := s.store.ListUsers(ctx, tenantID, q)
	if err != nil {
		return nil, 0, fmt.Errorf("manage: list users: %w", err)
	}
	return us, total, nil
}

// UpdateUser applies p. Suspending a user ends their sessions and revokes
// their grants (and so their refresh tokens) at once.
func (s *Service) UpdateUser(ctx context.Context, tenantID, userID string, p UserPatch) (*idp.User, error) {
	const action = "user.update"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return nil, err
	}
	u, err := s.store.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	oldEmail, oldStatus := u.Email, u.Status
	setStr(&u.Email, p.Email)
	setStr(&u.Name, p.Name)
	setStr(&u.Picture, p.Picture)
	if p.Status != nil {
		u.Status = *p.Status
		if u.Status == "" {
			return nil, idp.Invalid("status", "must not be empty")
		}
	}
	if err := validateUser(u); err != nil {
		s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
		return nil, err
	}
	if u.Email != oldEmail {
		u.EmailVerified = false
	}
	setBool(&u.EmailVerified, p.EmailVerified)
	u.UpdatedAt = s.clock.Now()
	if dryRun(ctx) {
		if u.Email != oldEmail {
			if err := s.emailFree(ctx, tenantID, u.Email, userID); err != nil {
				return nil, fmt.Errorf("manage: update user: %w", err)
			}
		}
		return u, nil
	}
	if err := s.store.UpdateUser(ctx, tenantID, u); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			err = fmt.Errorf("manage: a user with this email exists in the tenant: %w", idp.ErrConflict)
		}
		s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
		return nil, fmt.Errorf("manage: update user: %w", err)
	}
	s.changed(idp.ChangeUser, tenantID, userID)
	details := map[string]string{}
	if u.Status != oldStatus {
		details["status"] = string(u.Status)
	}
	if u.Status == idp.UserSuspended {
		if err := s.endUserAccess(ctx, tenantID, userID); err != nil {
			s.audit(ctx, a, tenantID, action, "user", userID, err, details)
			return nil, err
		}
	}
	s.audit(ctx, a, tenantID, action, "user", userID, nil, details)
	return u, nil
}

// SuspendUser sets a user's status to suspended, ends every session and
// revokes every grant with its refresh and access tokens (SECURITY-TESTS
// 33; ASVS 7.4.2).
func (s *Service) SuspendUser(ctx context.Context, tenantID, userID string) (*idp.User, error) {
	const action = "user.suspend"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return nil, err
	}
	u, err := s.store.GetUser(ctx, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	if dryRun(ctx) {
		if u.Status != idp.UserSuspended {
			u.Status, u.UpdatedAt = idp.UserSuspended, s.clock.Now()
		}
		return u, nil
	}
	if u.Status != idp.UserSuspended {
		u.Status = idp.UserSuspended
		u.UpdatedAt = s.clock.Now()
		if err := s.store.UpdateUser(ctx, tenantID, u); err != nil {
			s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
			return nil, fmt.Errorf("manage: suspend user: %w", err)
		}
		s.changed(idp.ChangeUser, tenantID, userID)
	}
	// Always end access, even when already suspended: it is idempotent and
	// closes any session created in a race with the first suspension.
	if err := s.endUserAccess(ctx, tenantID, userID); err != nil {
		s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
		return nil, err
	}
	s.audit(ctx, a, tenantID, action, "user", userID, nil, nil)
	return u, nil
}

// endUserAccess revokes the user's sessions and grants.
func (s *Service) endUserAccess(ctx context.Context, tenantID, userID string) error {
	now := s.clock.Now()
	if _, err := s.store.RevokeUserSessions(ctx, tenantID, userID, now); err != nil {
		return fmt.Errorf("manage: end sessions: %w", err)
	}
	if err := s.store.RevokeUserGrants(ctx, tenantID, userID, "", now); err != nil {
		return fmt.Errorf("manage: revoke grants: %w", err)
	}
	// The grants' access tokens are not listed: every token status of
	// the tenant goes.
	s.changed(idp.ChangeUser, tenantID, userID)
	s.changed(idp.ChangeToken, tenantID, "")
	return nil
}

// DeleteUser removes a user with their sessions, grants and consents.
func (s *Service) DeleteUser(ctx context.Context, tenantID, userID string) error {
	const action = "user.delete"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return err
	}
	if dryRun(ctx) {
		if _, err := s.store.GetUser(ctx, tenantID, userID); err != nil {
			return fmt.Errorf("manage: delete user %q: %w", userID, err)
		}
		return nil
	}
	if err := s.store.DeleteUser(ctx, tenantID, userID); err != nil {
		return fmt.Errorf("manage: delete user %q: %w", userID, err)
	}
	s.changed(idp.ChangeUser, tenantID, userID)
	s.changed(idp.ChangeToken, tenantID, "")
	s.audit(ctx, a, tenantID, action, "user", userID, nil, nil)
	return nil
}
