package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Users persists a tenant's users. Emails are unique per tenant
// (case-insensitive: callers store them lower-cased).
type Users interface {
	// CreateUser inserts u; idp.ErrConflict on a duplicate id or email.
	CreateUser(ctx context.Context, tenantID string, u *idp.User) error
	// GetUser returns the user or idp.ErrNotFound.
	GetUser(ctx context.Context, tenantID, userID string) (*idp.User, error)
	// GetUserByEmail finds a user by lower-cased email or idp.ErrNotFound.
	GetUserByEmail(ctx context.Context, tenantID, email string) (*idp.User, error)
	// UpdateUser replaces mutable fields; idp.ErrConflict on a duplicate email.
	UpdateUser(ctx context.Context, tenantID string, u *idp.User) error
	// DeleteUser removes the user with their sessions, grants and consents.
	DeleteUser(ctx context.Context, tenantID, userID string) error
	// ListUsers searches email and name (case-insensitive substring), ordered
	// by creation, with the total before paging.
	ListUsers(ctx context.Context, tenantID string, q idp.UserQuery) ([]idp.User, int, error)
	// TouchUserLogin records a successful sign-in (last_login, and marks the
	// email verified).
	TouchUserLogin(ctx context.Context, tenantID, userID string, at time.Time) error
}

// ResourceServers persists APIs that tokens are issued for.
type ResourceServers interface {
	// CreateResourceServer inserts r; idp.ErrConflict on a duplicate identifier.
	CreateResourceServer(ctx context.Context, tenantID string, r *idp.ResourceServer) error
	// GetResourceServer returns it by id or idp.ErrNotFound.
	GetResourceServer(ctx context.Context, tenantID, id string) (*idp.ResourceServer, error)
	// GetResourceServerByIdentifier returns it by identifier (audience) or
	// idp.ErrNotFound.
	GetResourceServerByIdentifier(ctx context.Context, tenantID, identifier string) (*idp.ResourceServer, error)
	// UpdateResourceServer replaces name and scopes (identifier and prefix
	// are immutable).
	UpdateResourceServer(ctx context.Context, tenantID string, r *idp.ResourceServer) error
	// DeleteResourceServer removes it.
	DeleteResourceServer(ctx context.Context, tenantID, id string) error
	// ListResourceServers lists a tenant's resource servers with the total.
	ListResourceServers(ctx context.Context, tenantID string, page idp.Page) ([]idp.ResourceServer, int, error)
	// TenantsWithoutResourceServer lists, ordered, the ids of the tenants
	// that have no resource server with this identifier, in one query
	// whatever the number of tenants (an anti-join on the (tenant,
	// identifier) key).
	TenantsWithoutResourceServer(ctx context.Context, identifier string) ([]string, error)
}
