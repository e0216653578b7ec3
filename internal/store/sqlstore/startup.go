package sqlstore

import (
	"context"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// adminIDSQL selects the admin tenant's id, so that the reads of a start-up
// batch need not wait for the admin tenant's row.
const adminIDSQL = `(SELECT id FROM tenants WHERE admin = TRUE)`

// StartupState reads the start-up state in one batch (readBatch): on
// PostgreSQL two round trips instead of two for each of its eight reads.
func (s *Store) StartupState(ctx context.Context, q store.StartupQuery) (*store.StartupState, error) {
	st := &store.StartupState{AdminClients: map[string]*idp.Client{}}
	reads := []batchRead{
		{query: `SELECT ` + tenantCols + ` FROM tenants WHERE admin = TRUE`, scan: func(rs rowSet) (err error) {
			if rs.Next() {
				st.Admin, err = scanTenant(rs)
			}
			return err
		}},
		{query: `SELECT ` + keyCols + ` FROM signing_keys WHERE tenant_id = ` + adminIDSQL + ` ORDER BY created_at, id`,
			scan: func(rs rowSet) error {
				for rs.Next() {
					k, err := scanSigningKey(rs)
					if err != nil {
						return err
					}
					st.AdminKeys = append(st.AdminKeys, k)
				}
				return nil
			}},
		{query: `SELECT ` + resourceCols + ` FROM resource_servers WHERE tenant_id = ` + adminIDSQL + ` AND identifier = ?`,
			args: []any{q.ResourceServer}, scan: func(rs rowSet) (err error) {
				if rs.Next() {
					st.AdminResourceServer, err = scanResourceServer(rs)
				}
				return err
			}},
		{query: `SELECT COUNT(*) FROM users WHERE tenant_id = ` + adminIDSQL, scan: func(rs rowSet) error {
			if rs.Next() {
				return rs.Scan(&st.AdminUsers)
			}
			return nil
		}},
		{query: tenantsWithoutResourceServerSQL, args: []any{q.ResourceServer}, scan: func(rs rowSet) error {
			for rs.Next() {
				var id string
				if err := rs.Scan(&id); err != nil {
					return err
				}
				st.TenantsWithoutResourceServer = append(st.TenantsWithoutResourceServer, id)
			}
			return nil
		}},
		{query: `SELECT COUNT(*) FROM tenants`, scan: func(rs rowSet) error {
			if rs.Next() {
				return rs.Scan(&st.TenantTotal)
			}
			return nil
		}},
	}
	if len(q.AdminClients) > 0 {
		args := make([]any, len(q.AdminClients))
		for i, id := range q.AdminClients {
			args[i] = id
		}
		marks := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
		reads = append(reads, batchRead{
			query: `SELECT ` + clientCols + ` FROM clients WHERE tenant_id = ` + adminIDSQL + ` AND id IN (` + marks + `)`,
			args:  args, scan: func(rs rowSet) error {
				for rs.Next() {
					c, err := scanClient(rs)
					if err != nil {
						return err
					}
					st.AdminClients[c.ID] = c
				}
				return nil
			}})
	}
	if q.Tenants > 0 {
		reads = append(reads, batchRead{
			query: `SELECT ` + tenantCols + ` FROM tenants ORDER BY id LIMIT ?`,
			args:  []any{q.Tenants}, scan: func(rs rowSet) error {
				for rs.Next() {
					t, err := scanTenant(rs)
					if err != nil {
						return err
					}
					st.Tenants = append(st.Tenants, *t)
				}
				return nil
			}})
	}
	if err := s.readBatch(ctx, reads); err != nil {
		return nil, s.wrap("read start-up state", err)
	}
	return st, nil
}
