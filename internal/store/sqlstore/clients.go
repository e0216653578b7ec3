package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const clientCols = `tenant_id, id, name, type, redirect_uris, post_logout_redirect_uris, scopes,
	require_consent, third_party, default_resource_server, refresh_grace_seconds, dynamic,
	registration_token_hash, client_uri, created_at, updated_at`

func scanClient(sc scanner) (*idp.Client, error) {
	var c idp.Client
	var typ string
	err := sc.Scan(&c.TenantID, &c.ID, &c.Name, &typ, jsonOf(&c.RedirectURIs),
		jsonOf(&c.PostLogoutRedirectURIs), jsonOf(&c.Scopes), &c.RequireConsent, &c.ThirdParty,
		&c.DefaultResourceServer, &c.RefreshGraceSeconds, &c.Dynamic, &c.RegistrationTokenHash,
		&c.ClientURI, ts(&c.CreatedAt), ts(&c.UpdatedAt))
	if err != nil {
		return nil, err
	}
	c.Type = idp.ClientType(typ)
	return &c, nil
}

// CreateClient inserts c; idp.ErrConflict if its id exists in this tenant,
// idp.ErrNotFound if the tenant does not exist.
func (s *Store) CreateClient(ctx context.Context, tenantID string, c *idp.Client) error {
	if c.TenantID != tenantID {
		return s.wrap("create client", idp.Invalid("tenant_id", "does not match the tenant"))
	}
	_, err := s.writer().exec(ctx, `INSERT INTO clients (`+clientCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, c.ID, c.Name, string(c.Type), jsonList(c.RedirectURIs),
		jsonList(c.PostLogoutRedirectURIs), jsonList(c.Scopes), c.RequireConsent, c.ThirdParty,
		c.DefaultResourceServer, c.RefreshGraceSeconds, c.Dynamic, nullBytes(c.RegistrationTokenHash),
		c.ClientURI, c.CreatedAt, c.UpdatedAt)
	return s.wrap("create client", err)
}

// GetClient returns the client or idp.ErrNotFound.
func (s *Store) GetClient(ctx context.Context, tenantID, clientID string) (*idp.Client, error) {
	c, err := scanClient(s.reader().row(ctx, `SELECT `+clientCols+` FROM clients
		WHERE tenant_id = ? AND id = ?`, tenantID, clientID))
	return c, s.wrap("get client", err)
}

// UpdateClient replaces every field but the tenant, id and creation time;
// idp.ErrNotFound if absent.
func (s *Store) UpdateClient(ctx context.Context, tenantID string, c *idp.Client) error {
	n, err := s.writer().execN(ctx, `UPDATE clients SET name = ?, type = ?, redirect_uris = ?,
		post_logout_redirect_uris = ?, scopes = ?, require_consent = ?, third_party = ?,
		default_resource_server = ?, refresh_grace_seconds = ?, dynamic = ?,
		registration_token_hash = ?, client_uri = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		c.Name, string(c.Type), jsonList(c.RedirectURIs), jsonList(c.PostLogoutRedirectURIs),
		jsonList(c.Scopes), c.RequireConsent, c.ThirdParty, c.DefaultResourceServer,
		c.RefreshGraceSeconds, c.Dynamic, nullBytes(c.RegistrationTokenHash), c.ClientURI,
		c.UpdatedAt, tenantID, c.ID)
	return s.wrap("update client", affected(n, err))
}

// DeleteClient removes the client with its secrets, codes, parked
// authorization requests and consents, and revokes its grants (with their
// access-token records) so that tokens already issued stop working.
// idp.ErrNotFound if absent.
func (s *Store) DeleteClient(ctx context.Context, tenantID, clientID string) error {
	at := s.clock.Now()
	return s.tx(ctx, "delete client", func(d runner) error {
		if _, err := d.exec(ctx, `UPDATE grants SET revoked_at = ?
			WHERE tenant_id = ? AND client_id = ? AND revoked_at IS NULL`, at, tenantID, clientID); err != nil {
			return err
		}
		if _, err := d.exec(ctx, `UPDATE access_tokens SET revoked_at = ?
			WHERE tenant_id = ? AND client_id = ? AND revoked_at IS NULL`, at, tenantID, clientID); err != nil {
			return err
		}
		// Secrets, codes, auth requests and consents cascade.
		n, err := d.execN(ctx, `DELETE FROM clients WHERE tenant_id = ? AND id = ?`, tenantID, clientID)
		return affected(n, err)
	})
}

// ListClients lists a tenant's clients ordered by creation, with the total.
func (s *Store) ListClients(ctx context.Context, tenantID string, p idp.Page) ([]idp.Client, int, error) {
	limit, offset := page(p.Limit, p.Offset)
	d := s.reader()
	var total int
	if err := d.row(ctx, `SELECT COUNT(*) FROM clients WHERE tenant_id = ?`, tenantID).Scan(&total); err != nil {
		return nil, 0, s.wrap("list clients", err)
	}
	rows, err := d.query(ctx, `SELECT `+clientCols+` FROM clients WHERE tenant_id = ?
		ORDER BY created_at, id LIMIT ? OFFSET ?`, tenantID, limit, offset)
	if err != nil {
		return nil, 0, s.wrap("list clients", err)
	}
	defer rows.Close()
	var out []idp.Client
	for rows.Next() {
		c, err := scanClient(rows)
		if err != nil {
			return nil, 0, s.wrap("list clients", err)
		}
		out = append(out, *c)
	}
	return out, total, s.wrap("list clients", rows.Err())
}

// AddClientSecret stores a secret's hash; idp.ErrNotFound if the client is
// absent, idp.ErrConflict on a duplicate secret id.
func (s *Store) AddClientSecret(ctx context.Context, tenantID string, cs *idp.ClientSecret) error {
	if len(cs.Hash) == 0 {
		return s.wrap("add client secret", idp.Invalid("hash", "is empty"))
	}
	_, err := s.writer().exec(ctx, `INSERT INTO client_secrets
		(tenant_id, client_id, id, hash, hint, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		tenantID, cs.ClientID, cs.ID, cs.Hash, cs.Hint, cs.CreatedAt, cs.ExpiresAt)
	return s.wrap("add client secret", err)
}

// ListClientSecrets lists a client's secrets, oldest first (hashes included).
func (s *Store) ListClientSecrets(ctx context.Context, tenantID, clientID string) ([]idp.ClientSecret, error) {
	rows, err := s.reader().query(ctx, `SELECT tenant_id, client_id, id, hash, hint, created_at, expires_at
		FROM client_secrets WHERE tenant_id = ? AND client_id = ? ORDER BY created_at, id`, tenantID, clientID)
	if err != nil {
		return nil, s.wrap("list client secrets", err)
	}
	defer rows.Close()
	var out []idp.ClientSecret
	for rows.Next() {
		var cs idp.ClientSecret
		if err := rows.Scan(&cs.TenantID, &cs.ClientID, &cs.ID, &cs.Hash, &cs.Hint,
			ts(&cs.CreatedAt), nullTS(&cs.ExpiresAt)); err != nil {
			return nil, s.wrap("list client secrets", err)
		}
		out = append(out, cs)
	}
	return out, s.wrap("list client secrets", rows.Err())
}

// DeleteClientSecret removes one secret; idp.ErrNotFound if absent.
func (s *Store) DeleteClientSecret(ctx context.Context, tenantID, clientID, secretID string) error {
	n, err := s.writer().execN(ctx, `DELETE FROM client_secrets
		WHERE tenant_id = ? AND client_id = ? AND id = ?`, tenantID, clientID, secretID)
	return s.wrap("delete client secret", affected(n, err))
}

// DeleteUnusedDynamicClients removes, across tenants, dynamic clients
// created before createdBefore that never obtained a grant (secrets, codes,
// parked requests and consents cascade).
func (s *Store) DeleteUnusedDynamicClients(ctx context.Context, createdBefore time.Time) (int64, error) {
	n, err := s.writer().execN(ctx, `DELETE FROM clients WHERE dynamic = TRUE AND created_at < ?
		AND NOT EXISTS (SELECT 1 FROM grants g WHERE g.tenant_id = clients.tenant_id AND g.client_id = clients.id)`,
		createdBefore)
	return n, s.wrap("delete unused dynamic clients", err)
}
