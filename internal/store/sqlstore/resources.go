package sqlstore

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

const resourceCols = `tenant_id, id, identifier, name, scope_prefix, scopes, created_at, updated_at`

// resourceScope is the JSON form of one scope of a resource server.
type resourceScope struct {
	Value        string `json:"value"`
	Description  string `json:"description,omitempty"`
	GrantedToAll bool   `json:"granted_to_all,omitempty"`
}

func toResourceScopes(in []idp.ResourceScope) []resourceScope {
	out := make([]resourceScope, len(in))
	for i, sc := range in {
		out[i] = resourceScope(sc)
	}
	return out
}

func scanResourceServer(sc scanner) (*idp.ResourceServer, error) {
	var r idp.ResourceServer
	var scopes []resourceScope
	err := sc.Scan(&r.TenantID, &r.ID, &r.Identifier, &r.Name, &r.ScopePrefix, jsonOf(&scopes),
		ts(&r.CreatedAt), ts(&r.UpdatedAt))
	if err != nil {
		return nil, err
	}
	for _, x := range scopes {
		r.Scopes = append(r.Scopes, idp.ResourceScope(x))
	}
	return &r, nil
}

// CreateResourceServer inserts r; idp.ErrConflict on a duplicate id or
// identifier in the tenant.
func (s *Store) CreateResourceServer(ctx context.Context, tenantID string, r *idp.ResourceServer) error {
	_, err := s.writer().exec(ctx, `INSERT INTO resource_servers (`+resourceCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, r.ID, r.Identifier, r.Name, r.ScopePrefix, jsonList(toResourceScopes(r.Scopes)),
		r.CreatedAt, r.UpdatedAt)
	return s.wrap("create resource server", err)
}

// GetResourceServer returns it by id or idp.ErrNotFound.
func (s *Store) GetResourceServer(ctx context.Context, tenantID, id string) (*idp.ResourceServer, error) {
	r, err := scanResourceServer(s.reader().row(ctx, `SELECT `+resourceCols+` FROM resource_servers
		WHERE tenant_id = ? AND id = ?`, tenantID, id))
	return r, s.wrap("get resource server", err)
}

// GetResourceServerByIdentifier returns it by identifier (the audience)
// or idp.ErrNotFound.
func (s *Store) GetResourceServerByIdentifier(ctx context.Context, tenantID, identifier string) (*idp.ResourceServer, error) {
	r, err := scanResourceServer(s.reader().row(ctx, `SELECT `+resourceCols+` FROM resource_servers
		WHERE tenant_id = ? AND identifier = ?`, tenantID, identifier))
	return r, s.wrap("get resource server by identifier", err)
}

// UpdateResourceServer replaces name, scopes and updated_at (identifier and
// scope prefix are immutable); idp.ErrNotFound if absent.
func (s *Store) UpdateResourceServer(ctx context.Context, tenantID string, r *idp.ResourceServer) error {
	n, err := s.writer().execN(ctx, `UPDATE resource_servers SET name = ?, scopes = ?, updated_at = ?
		WHERE tenant_id = ? AND id = ?`,
		r.Name, jsonList(toResourceScopes(r.Scopes)), r.UpdatedAt, tenantID, r.ID)
	return s.wrap("update resource server", affected(n, err))
}

// DeleteResourceServer removes it; idp.ErrNotFound if absent.
func (s *Store) DeleteResourceServer(ctx context.Context, tenantID, id string) error {
	n, err := s.writer().execN(ctx, `DELETE FROM resource_servers WHERE tenant_id = ? AND id = ?`, tenantID, id)
	return s.wrap("delete resource server", affected(n, err))
}

// ListResourceServers lists a tenant's resource servers ordered by
// creation, with the total before paging.
func (s *Store) ListResourceServers(ctx context.Context, tenantID string, p idp.Page) ([]idp.ResourceServer, int, error) {
	limit, offset := page(p.Limit, p.Offset)
	d := s.reader()
	var total int
	if err := d.row(ctx, `SELECT COUNT(*) FROM resource_servers WHERE tenant_id = ?`, tenantID).Scan(&total); err != nil {
		return nil, 0, s.wrap("list resource servers", err)
	}
	rows, err := d.query(ctx, `SELECT `+resourceCols+` FROM resource_servers WHERE tenant_id = ?
		ORDER BY created_at, id LIMIT ? OFFSET ?`, tenantID, limit, offset)
	if err != nil {
		return nil, 0, s.wrap("list resource servers", err)
	}
	defer rows.Close()
	var out []idp.ResourceServer
	for rows.Next() {
		r, err := scanResourceServer(rows)
		if err != nil {
			return nil, 0, s.wrap("list resource servers", err)
		}
		out = append(out, *r)
	}
	return out, total, s.wrap("list resource servers", rows.Err())
}

// tenantsWithoutResourceServerSQL is TenantsWithoutResourceServer's query.
const tenantsWithoutResourceServerSQL = `SELECT t.id FROM tenants t
	WHERE NOT EXISTS (SELECT 1 FROM resource_servers r
		WHERE r.tenant_id = t.id AND r.identifier = ?)
	ORDER BY t.id`

// TenantsWithoutResourceServer lists the ids of the tenants with no
// resource server of this identifier: one anti-join answered from the
// tenants' primary key and the UNIQUE (tenant_id, identifier) index alone
// (no table rows read), so a start with every tenant already provisioned
// walks two indexes once and returns nothing.
func (s *Store) TenantsWithoutResourceServer(ctx context.Context, identifier string) ([]string, error) {
	rows, err := s.reader().query(ctx, tenantsWithoutResourceServerSQL, identifier)
	if err != nil {
		return nil, s.wrap("tenants without resource server", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("tenants without resource server", err)
		}
		out = append(out, id)
	}
	return out, s.wrap("tenants without resource server", rows.Err())
}
