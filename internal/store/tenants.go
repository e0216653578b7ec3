package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Tenants persists tenants and their settings.
type Tenants interface {
	// CreateTenant inserts t; idp.ErrConflict if the id is taken.
	CreateTenant(ctx context.Context, t *idp.Tenant) error
	// GetTenant returns the tenant or idp.ErrNotFound.
	GetTenant(ctx context.Context, tenantID string) (*idp.Tenant, error)
	// UpdateTenant replaces the tenant's settings (not its id, account,
	// admin flag or status); idp.ErrNotFound if absent.
	UpdateTenant(ctx context.Context, t *idp.Tenant) error
	// SetTenantStatus sets the tenant's status, when it was suspended (nil
	// when active) and updated_at, leaving its settings alone so that a
	// concurrent settings change cannot undo a suspension; idp.ErrNotFound
	// if absent.
	SetTenantStatus(ctx context.Context, tenantID string, status idp.TenantStatus, suspendedAt *time.Time, updatedAt time.Time) error
	// DeleteTenant removes the tenant and everything it owns.
	DeleteTenant(ctx context.Context, tenantID string) error
	// ListTenants lists tenants of an account ("" = all tenants), ordered by
	// id, with the total count before paging.
	ListTenants(ctx context.Context, accountID string, page idp.Page) ([]idp.Tenant, int, error)
	// AdminTenant returns the control-plane tenant or idp.ErrNotFound.
	AdminTenant(ctx context.Context) (*idp.Tenant, error)
}

// Themes persists tenant branding.
type Themes interface {
	// GetTheme returns the tenant's theme or idp.ErrNotFound when none was saved.
	GetTheme(ctx context.Context, tenantID string) (*idp.Theme, error)
	// PutTheme saves the whole theme.
	PutTheme(ctx context.Context, tenantID string, th *idp.Theme) error
	// DeleteTheme resets to defaults; no error if none was saved.
	DeleteTheme(ctx context.Context, tenantID string) error
}
