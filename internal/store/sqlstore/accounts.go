package sqlstore

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

// CreateAccount inserts a; idp.ErrConflict if the id exists.
func (s *Store) CreateAccount(ctx context.Context, a *idp.Account) error {
	_, err := s.writer().exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, ?)`,
		a.ID, a.Name, a.CreatedAt)
	return s.wrap("create account", err)
}

// GetAccount returns the account or idp.ErrNotFound.
func (s *Store) GetAccount(ctx context.Context, id string) (*idp.Account, error) {
	var a idp.Account
	err := s.reader().row(ctx, `SELECT id, name, created_at FROM accounts WHERE id = ?`, id).
		Scan(&a.ID, &a.Name, ts(&a.CreatedAt))
	if err != nil {
		return nil, s.wrap("get account", err)
	}
	return &a, nil
}

// PutAccountMember adds or updates a membership (its role); the creation
// time of an existing membership is kept. idp.ErrNotFound if the account is
// absent.
func (s *Store) PutAccountMember(ctx context.Context, m *idp.AccountMember) error {
	_, err := s.writer().exec(ctx, `INSERT INTO account_members (account_id, user_id, role, created_at)
		VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, user_id) DO UPDATE SET role = excluded.role`,
		m.AccountID, m.UserID, string(m.Role), m.CreatedAt)
	return s.wrap("put account member", err)
}

// DeleteAccountMember removes a membership; idp.ErrNotFound if absent.
func (s *Store) DeleteAccountMember(ctx context.Context, accountID, userID string) error {
	n, err := s.writer().execN(ctx, `DELETE FROM account_members WHERE account_id = ? AND user_id = ?`,
		accountID, userID)
	return s.wrap("delete account member", affected(n, err))
}

// ListAccountMembers lists an account's members, oldest first.
func (s *Store) ListAccountMembers(ctx context.Context, accountID string) ([]idp.AccountMember, error) {
	out, err := s.listMembers(ctx, `WHERE account_id = ? ORDER BY created_at, user_id`, accountID)
	return out, s.wrap("list account members", err)
}

// ListMemberships lists the accounts a user belongs to, oldest first.
func (s *Store) ListMemberships(ctx context.Context, userID string) ([]idp.AccountMember, error) {
	out, err := s.listMembers(ctx, `WHERE user_id = ? ORDER BY created_at, account_id`, userID)
	return out, s.wrap("list memberships", err)
}

func (s *Store) listMembers(ctx context.Context, where string, arg string) ([]idp.AccountMember, error) {
	rows, err := s.reader().query(ctx, `SELECT account_id, user_id, role, created_at FROM account_members `+where, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []idp.AccountMember
	for rows.Next() {
		var m idp.AccountMember
		var role string
		if err := rows.Scan(&m.AccountID, &m.UserID, &role, ts(&m.CreatedAt)); err != nil {
			return nil, err
		}
		m.Role = idp.AccountRole(role)
		out = append(out, m)
	}
	return out, rows.Err()
}

// GetAdminPreferences returns the user's preferences or idp.ErrNotFound.
func (s *Store) GetAdminPreferences(ctx context.Context, userID string) (*idp.AdminPreferences, error) {
	var p idp.AdminPreferences
	err := s.reader().row(ctx, `SELECT user_id, default_tenant_id, updated_at FROM admin_preferences
		WHERE user_id = ?`, userID).Scan(&p.UserID, &p.DefaultTenantID, ts(&p.UpdatedAt))
	if err != nil {
		return nil, s.wrap("get admin preferences", err)
	}
	return &p, nil
}

// PutAdminPreferences inserts or replaces the user's preferences.
func (s *Store) PutAdminPreferences(ctx context.Context, p *idp.AdminPreferences) error {
	_, err := s.writer().exec(ctx, `INSERT INTO admin_preferences (user_id, default_tenant_id, updated_at)
		VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET default_tenant_id = excluded.default_tenant_id,
			updated_at = excluded.updated_at`, p.UserID, p.DefaultTenantID, p.UpdatedAt)
	return s.wrap("put admin preferences", err)
}
