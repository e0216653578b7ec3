package store

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

// Accounts persists administrator accounts and their members. Accounts are
// install-wide (they own tenants), so these methods take no tenant id; member
// user ids are users of the admin tenant.
type Accounts interface {
	// CreateAccount inserts a; idp.ErrConflict if the id exists.
	CreateAccount(ctx context.Context, a *idp.Account) error
	// GetAccount returns the account or idp.ErrNotFound.
	GetAccount(ctx context.Context, id string) (*idp.Account, error)
	// PutAccountMember adds or updates a membership.
	PutAccountMember(ctx context.Context, m *idp.AccountMember) error
	// DeleteAccountMember removes a membership; idp.ErrNotFound if absent.
	DeleteAccountMember(ctx context.Context, accountID, userID string) error
	// ListAccountMembers lists the members of an account.
	ListAccountMembers(ctx context.Context, accountID string) ([]idp.AccountMember, error)
	// ListMemberships lists the accounts a user belongs to.
	ListMemberships(ctx context.Context, userID string) ([]idp.AccountMember, error)
}

// AdminPreferences persists administrators' own settings, keyed by the
// admin tenant's user id.
type AdminPreferences interface {
	// GetAdminPreferences returns the user's preferences or idp.ErrNotFound.
	GetAdminPreferences(ctx context.Context, userID string) (*idp.AdminPreferences, error)
	// PutAdminPreferences inserts or replaces the user's preferences.
	PutAdminPreferences(ctx context.Context, p *idp.AdminPreferences) error
}
