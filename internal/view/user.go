package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// User is an end user of a tenant.
type User struct {
	ID            string     `json:"id"`
	Email         string     `json:"email"`
	Name          string     `json:"name,omitempty"`
	Picture       string     `json:"picture,omitempty"`
	EmailVerified bool       `json:"email_verified"`
	Status        string     `json:"status" jsonschema:"active, inactive or suspended."`
	Scopes        []string   `json:"scopes"`
	LastLogin     *time.Time `json:"last_login,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// NewUser shows a user.
func NewUser(u *idp.User) User {
	return User{ID: u.ID, Email: u.Email, Name: u.Name, Picture: u.Picture, EmailVerified: u.EmailVerified,
		Status: string(u.Status), Scopes: NonNil(u.Scopes), LastLogin: u.LastLogin, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}
