package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Client is an OAuth client, never with a secret (a secret is shown only
// in the answer that created it, by the caller's own wrapper type).
type Client struct {
	ClientID               string    `json:"client_id"`
	Name                   string    `json:"name"`
	Type                   string    `json:"type"`
	GrantTypes             []string  `json:"grant_types"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	Scopes                 []string  `json:"scopes"`
	RequireConsent         bool      `json:"require_consent"`
	ThirdParty             bool      `json:"third_party"`
	DefaultResourceServer  string    `json:"default_resource_server,omitempty"`
	RefreshGraceSeconds    int       `json:"refresh_grace_seconds"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

// NewClient shows a client; grant_types follow from its type.
func NewClient(c *idp.Client) Client {
	return Client{
		ClientID: c.ID, Name: c.Name, Type: string(c.Type), GrantTypes: NonNil(c.Type.GrantTypes()),
		RedirectURIs: NonNil(c.RedirectURIs), PostLogoutRedirectURIs: NonNil(c.PostLogoutRedirectURIs),
		Scopes: NonNil(c.Scopes), RequireConsent: c.RequireConsent, ThirdParty: c.ThirdParty,
		DefaultResourceServer: c.DefaultResourceServer, RefreshGraceSeconds: c.RefreshGraceSeconds,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}
