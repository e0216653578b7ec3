package idp

import "time"

// UserStatus is the lifecycle state of a user.
type UserStatus string

// User states.
const (
	UserActive    UserStatus = "active"
	UserInactive  UserStatus = "inactive"
	UserSuspended UserStatus = "suspended"
)

// Valid reports whether s is a known status.
func (s UserStatus) Valid() bool {
	return s == UserActive || s == UserInactive || s == UserSuspended
}

// User is a person in one tenant. The same email in two tenants is two users.
type User struct {
	TenantID      string
	ID            string // the stable `sub`
	Email         string // stored lower-cased
	Name          string
	Picture       string
	EmailVerified bool
	Status        UserStatus
	// Scopes are resource-server scopes granted to this user individually.
	Scopes    []string
	LastLogin *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Page asks for a slice of a list.
type Page struct {
	Limit  int
	Offset int
}

// UserQuery filters a user listing.
type UserQuery struct {
	Search string // substring of email or name, case-insensitive; a whole address matches that email only
	Page
}

// AdminPreferences are an administrator's own settings (a user of the
// admin tenant): the tenant that the MCP server's tools work on when a
// call names none.
type AdminPreferences struct {
	UserID          string
	DefaultTenantID string
	UpdatedAt       time.Time
}
