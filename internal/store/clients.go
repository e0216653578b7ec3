package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Clients persists OAuth clients and their secrets. Client ids are unique
// per tenant; the same id may exist in another tenant.
type Clients interface {
	// CreateClient inserts c (c.TenantID must equal tenantID);
	// idp.ErrConflict if the id exists in this tenant.
	CreateClient(ctx context.Context, tenantID string, c *idp.Client) error
	// GetClient returns the client or idp.ErrNotFound.
	GetClient(ctx context.Context, tenantID, clientID string) (*idp.Client, error)
	// UpdateClient replaces the client's mutable fields; idp.ErrNotFound if absent.
	UpdateClient(ctx context.Context, tenantID string, c *idp.Client) error
	// DeleteClient removes the client, its secrets, and revokes its grants.
	DeleteClient(ctx context.Context, tenantID, clientID string) error
	// ListClients lists a tenant's clients ordered by creation, with the total.
	ListClients(ctx context.Context, tenantID string, page idp.Page) ([]idp.Client, int, error)
	// AddClientSecret stores a secret hash; idp.ErrNotFound if the client is absent.
	AddClientSecret(ctx context.Context, tenantID string, s *idp.ClientSecret) error
	// ListClientSecrets lists a client's secrets (hashes included).
	ListClientSecrets(ctx context.Context, tenantID, clientID string) ([]idp.ClientSecret, error)
	// DeleteClientSecret removes one secret; idp.ErrNotFound if absent.
	DeleteClientSecret(ctx context.Context, tenantID, clientID, secretID string) error
	// DeleteUnusedDynamicClients removes, across tenants, dynamic clients
	// created before createdBefore that never obtained a grant, and
	// returns how many went.
	DeleteUnusedDynamicClients(ctx context.Context, createdBefore time.Time) (int64, error)
}
