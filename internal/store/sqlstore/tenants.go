package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const tenantCols = `id, account_id, name, admin, allow_registration, auth_methods, allowed_origins,
	signing_alg, access_token_ttl, id_token_ttl, refresh_token_ttl, refresh_absolute_ttl,
	session_ttl, session_idle_ttl, email_from_name, email_from_address, default_language,
	created_at, updated_at, status, suspended_at`

func scanTenant(sc scanner) (*idp.Tenant, error) {
	var t idp.Tenant
	err := sc.Scan(&t.ID, str(&t.AccountID), &t.Name, &t.Admin, &t.AllowRegistration,
		jsonOf(&t.AuthMethods), jsonOf(&t.AllowedOrigins), &t.SigningAlg,
		&t.AccessTokenTTL, &t.IDTokenTTL, &t.RefreshTokenTTL, &t.RefreshAbsoluteTTL,
		&t.SessionTTL, &t.SessionIdleTTL, &t.EmailFromName, &t.EmailFromAddress, &t.DefaultLanguage,
		ts(&t.CreatedAt), ts(&t.UpdatedAt), &t.Status, nullTS(&t.SuspendedAt))
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// CreateTenant inserts t; idp.ErrConflict if the id is taken (or t is a
// second admin tenant).
func (s *Store) CreateTenant(ctx context.Context, t *idp.Tenant) error {
	_, err := s.writer().exec(ctx, `INSERT INTO tenants (`+tenantCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		t.ID, nullString(t.AccountID), t.Name, t.Admin, t.AllowRegistration,
		jsonList(t.AuthMethods), jsonList(t.AllowedOrigins), t.SigningAlg,
		t.AccessTokenTTL, t.IDTokenTTL, t.RefreshTokenTTL, t.RefreshAbsoluteTTL,
		t.SessionTTL, t.SessionIdleTTL, t.EmailFromName, t.EmailFromAddress, t.DefaultLanguage,
		t.CreatedAt, t.UpdatedAt, tenantStatus(t.Status), t.SuspendedAt)
	return s.wrap("create tenant", err)
}

// GetTenant returns the tenant or idp.ErrNotFound.
func (s *Store) GetTenant(ctx context.Context, tenantID string) (*idp.Tenant, error) {
	t, err := scanTenant(s.reader().row(ctx, `SELECT `+tenantCols+` FROM tenants WHERE id = ?`, tenantID))
	return t, s.wrap("get tenant", err)
}

// AdminTenant returns the control-plane tenant or idp.ErrNotFound.
func (s *Store) AdminTenant(ctx context.Context) (*idp.Tenant, error) {
	t, err := scanTenant(s.reader().row(ctx, `SELECT `+tenantCols+` FROM tenants WHERE admin = TRUE`))
	return t, s.wrap("get admin tenant", err)
}

// UpdateTenant replaces the tenant's settings (not its id, account, admin
// flag, status or creation time); idp.ErrNotFound if absent.
func (s *Store) UpdateTenant(ctx context.Context, t *idp.Tenant) error {
	n, err := s.writer().execN(ctx, `UPDATE tenants SET name = ?, allow_registration = ?,
		auth_methods = ?, allowed_origins = ?, signing_alg = ?, access_token_ttl = ?,
		id_token_ttl = ?, refresh_token_ttl = ?, refresh_absolute_ttl = ?, session_ttl = ?,
		session_idle_ttl = ?, email_from_name = ?, email_from_address = ?, default_language = ?,
		updated_at = ?
		WHERE id = ?`,
		t.Name, t.AllowRegistration, jsonList(t.AuthMethods), jsonList(t.AllowedOrigins),
		t.SigningAlg, t.AccessTokenTTL, t.IDTokenTTL, t.RefreshTokenTTL, t.RefreshAbsoluteTTL,
		t.SessionTTL, t.SessionIdleTTL, t.EmailFromName, t.EmailFromAddress, t.DefaultLanguage,
		t.UpdatedAt, t.ID)
	return s.wrap("update tenant", affected(n, err))
}

// SetTenantStatus sets the status alone (see store.Tenants); idp.ErrNotFound
// if absent.
func (s *Store) SetTenantStatus(ctx context.Context, tenantID string, status idp.TenantStatus, suspendedAt *time.Time, updatedAt time.Time) error {
	n, err := s.writer().execN(ctx, `UPDATE tenants SET status = ?, suspended_at = ?, updated_at = ? WHERE id = ?`,
		tenantStatus(status), suspendedAt, updatedAt, tenantID)
	return s.wrap("set tenant status", affected(n, err))
}

// tenantStatus stores an unset status as active.
func tenantStatus(s idp.TenantStatus) string {
	if s == "" {
		return string(idp.TenantActive)
	}
	return string(s)
}

// DeleteTenant removes the tenant and, through ON DELETE CASCADE,
// everything it owns; idp.ErrNotFound if absent.
func (s *Store) DeleteTenant(ctx context.Context, tenantID string) error {
	n, err := s.writer().execN(ctx, `DELETE FROM tenants WHERE id = ?`, tenantID)
	return s.wrap("delete tenant", affected(n, err))
}

// ListTenants lists the tenants of an account ("" = all), ordered by id,
// with the total before paging.
func (s *Store) ListTenants(ctx context.Context, accountID string, p idp.Page) ([]idp.Tenant, int, error) {
	limit, offset := page(p.Limit, p.Offset)
	where, args := ``, []any{}
	if accountID != "" {
		where, args = ` WHERE account_id = ?`, []any{accountID}
	}
	d := s.reader()
	var total int
	if err := d.row(ctx, `SELECT COUNT(*) FROM tenants`+where, args...).Scan(&total); err != nil {
		return nil, 0, s.wrap("list tenants", err)
	}
	rows, err := d.query(ctx, `SELECT `+tenantCols+` FROM tenants`+where+` ORDER BY id LIMIT ? OFFSET ?`,
		append(args, limit, offset)...)
	if err != nil {
		return nil, 0, s.wrap("list tenants", err)
	}
	defer rows.Close()
	var out []idp.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, 0, s.wrap("list tenants", err)
		}
		out = append(out, *t)
	}
	return out, total, s.wrap("list tenants", rows.Err())
}

// themeColors is the JSON form of one colour scheme.
type themeColors struct {
	Primary             string `json:"primary"`
	Secondary           string `json:"secondary"`
	SecondaryButtonText string `json:"secondary_button_text"`
	Background          string `json:"background"`
	BoxBackground       string `json:"box_background"`
	Text                string `json:"text"`
}

func toThemeColors(c idp.ThemeColors) themeColors {
	return themeColors{c.PrimaryColor, c.SecondaryColor, c.SecondaryButtonTextColor,
		c.BackgroundColor, c.BoxBackgroundColor, c.TextColor}
}

func (c themeColors) idp() idp.ThemeColors {
	return idp.ThemeColors{PrimaryColor: c.Primary, SecondaryColor: c.Secondary,
		SecondaryButtonTextColor: c.SecondaryButtonText, BackgroundColor: c.Background,
		BoxBackgroundColor: c.BoxBackground, TextColor: c.Text}
}

// GetTheme returns the tenant's theme or idp.ErrNotFound when none was saved.
func (s *Store) GetTheme(ctx context.Context, tenantID string) (*idp.Theme, error) {
	th := idp.Theme{TenantID: tenantID}
	var light, dark themeColors
	err := s.reader().row(ctx, `SELECT light, dark, logo_url, icon_url, updated_at
		FROM themes WHERE tenant_id = ?`, tenantID).
		Scan(jsonOf(&light), jsonOf(&dark), &th.LogoURL, &th.IconURL, ts(&th.UpdatedAt))
	if err != nil {
		return nil, s.wrap("get theme", err)
	}
	th.Light, th.Dark = light.idp(), dark.idp()
	return &th, nil
}

// PutTheme saves the whole theme; idp.ErrNotFound if the tenant is absent.
func (s *Store) PutTheme(ctx context.Context, tenantID string, th *idp.Theme) error {
	light, err := jsonValue(toThemeColors(th.Light))
	if err != nil {
		return s.wrap("put theme", err)
	}
	dark, err := jsonValue(toThemeColors(th.Dark))
	if err != nil {
		return s.wrap("put theme", err)
	}
	_, err = s.writer().exec(ctx, `INSERT INTO themes (tenant_id, light, dark, logo_url, icon_url, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET light = excluded.light, dark = excluded.dark,
			logo_url = excluded.logo_url, icon_url = excluded.icon_url, updated_at = excluded.updated_at`,
		tenantID, light, dark, th.LogoURL, th.IconURL, th.UpdatedAt)
	return s.wrap("put theme", err)
}

// DeleteTheme resets the tenant to the default theme; no error if none was saved.
func (s *Store) DeleteTheme(ctx context.Context, tenantID string) error {
	_, err := s.writer().exec(ctx, `DELETE FROM themes WHERE tenant_id = ?`, tenantID)
	return s.wrap("delete theme", err)
}
