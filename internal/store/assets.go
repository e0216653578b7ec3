package store

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// ThemeAssets persists a tenant's uploaded branding images (logo, icon).
// Every asset belongs to one tenant and goes when the tenant does.
type ThemeAssets interface {
	// PutThemeAsset saves (or replaces) the tenant's image of kind;
	// idp.ErrNotFound if the tenant is absent. The caller validates
	// kind, contentType and data.
	PutThemeAsset(ctx context.Context, tenantID, kind, contentType string, data []byte, at time.Time) error
	// GetThemeAsset returns the tenant's image of kind or idp.ErrNotFound.
	GetThemeAsset(ctx context.Context, tenantID, kind string) (*idp.ThemeAsset, error)
	// DeleteThemeAssets removes every image of the tenant; no error if it
	// has none.
	DeleteThemeAssets(ctx context.Context, tenantID string) error
}
