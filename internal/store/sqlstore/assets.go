package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// PutThemeAsset saves (or replaces) the tenant's image of kind;
// idp.ErrNotFound if the tenant is absent.
func (s *Store) PutThemeAsset(ctx context.Context, tenantID, kind, contentType string, data []byte, at time.Time) error {
	if data == nil {
		data = []byte{}
	}
	_, err := s.writer().exec(ctx, `INSERT INTO theme_assets (tenant_id, kind, content_type, data, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, kind) DO UPDATE SET content_type = excluded.content_type,
			data = excluded.data, updated_at = excluded.updated_at`,
		tenantID, kind, contentType, data, at)
	return s.wrap("put theme asset", err)
}

// GetThemeAsset returns the tenant's image of kind or idp.ErrNotFound.
func (s *Store) GetThemeAsset(ctx context.Context, tenantID, kind string) (*idp.ThemeAsset, error) {
	a := idp.ThemeAsset{TenantID: tenantID, Kind: kind}
	err := s.reader().row(ctx, `SELECT content_type, data, updated_at
		FROM theme_assets WHERE tenant_id = ? AND kind = ?`, tenantID, kind).
		Scan(&a.ContentType, &a.Data, ts(&a.UpdatedAt))
	if err != nil {
		return nil, s.wrap("get theme asset", err)
	}
	return &a, nil
}

// DeleteThemeAssets removes every image of the tenant; no error if it has
// none.
func (s *Store) DeleteThemeAssets(ctx context.Context, tenantID string) error {
	_, err := s.writer().exec(ctx, `DELETE FROM theme_assets WHERE tenant_id = ?`, tenantID)
	return s.wrap("delete theme assets", err)
}
