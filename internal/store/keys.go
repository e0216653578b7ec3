package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// SigningKeys persists tenant signing keys through their staged rotation.
type SigningKeys interface {
	// CreateSigningKey inserts k (normally in state staged, or active for a
	// tenant's first key).
	CreateSigningKey(ctx context.Context, tenantID string, k *idp.SigningKey) error
	// ListSigningKeys returns every key of the tenant not yet removed,
	// oldest first.
	ListSigningKeys(ctx context.Context, tenantID string) ([]idp.SigningKey, error)
	// ActivateSigningKey makes the staged key kid active and, in the same
	// transaction, retires the previously active key with
	// RemoveAfter = removeAfter. idp.ErrNotFound if kid is not staged.
	ActivateSigningKey(ctx context.Context, tenantID, kid string, at, removeAfter time.Time) error
	// DeleteSigningKey removes a retired key; idp.ErrInvalid if it is active.
	DeleteSigningKey(ctx context.Context, tenantID, kid string) error
	// TenantsWithKeysDue lists, ordered and without repeats, the tenants
	// with a staged key created at or before stagedBy or a retired key whose
	// RemoveAfter is at or before removeBy: the only tenants whose rotation
	// can move on, found in one query across all tenants.
	TenantsWithKeysDue(ctx context.Context, stagedBy, removeBy time.Time) ([]string, error)
}
