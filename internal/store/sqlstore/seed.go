package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// Bulk loading ("authalla seed"): rows are written in large batches inside
// one transaction, bypassing the one-row statements of the store's
// methods. It is for loading data sets (scale measurements, imports), not
// for the request path: it emits no change notifications and writes no
// audit records.

// bulkTable is a table a bulk load fills and the columns it writes, in the
// order of each row's values.
type bulkTable struct {
	name string
	cols []string
}

func newBulkTable(name, cols string) bulkTable {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return bulkTable{name: name, cols: out}
}

var (
	bulkTenants         = newBulkTable("tenants", tenantCols)
	bulkSigningKeys     = newBulkTable("signing_keys", keyCols)
	bulkResourceServers = newBulkTable("resource_servers", resourceCols)
	bulkClients         = newBulkTable("clients", clientCols)
	bulkClientSecrets   = newBulkTable("client_secrets", "tenant_id, client_id, id, hash, hint, created_at, expires_at")
	bulkUsers           = newBulkTable("users", userCols)
)

// BulkWriter adds rows to a bulk load (Store.Bulk). Each method writes
// its rows at once, in as few statements as the dialect allows; the rows
// become visible together when the load commits. Rows must respect the
// schema's references (a tenant before its clients, a client before its
// secrets); a duplicate key fails the whole load with idp.ErrConflict.
type BulkWriter struct {
	s      *Store
	insert func(ctx context.Context, t bulkTable, rows [][]any) error
	// Rows counts the rows written per table.
	Rows map[string]int
}

func (b *BulkWriter) write(ctx context.Context, t bulkTable, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	for i, r := range rows {
		if len(r) != len(t.cols) {
			return fmt.Errorf("sqlstore: bulk %s: row %d has %d values for %d columns", t.name, i, len(r), len(t.cols))
		}
		rows[i] = b.s.args(r)
	}
	if err := b.insert(ctx, t, rows); err != nil {
		return b.s.wrap("bulk insert into "+t.name, err)
	}
	b.Rows[t.name] += len(rows)
	return nil
}

// Tenants adds tenants.
func (b *BulkWriter) Tenants(ctx context.Context, ts []idp.Tenant) error {
	rows := make([][]any, len(ts))
	for i := range ts {
		t := &ts[i]
		rows[i] = []any{t.ID, nullString(t.AccountID), t.Name, t.Admin, t.AllowRegistration,
			jsonList(t.AuthMethods), jsonList(t.AllowedOrigins), t.SigningAlg,
			t.AccessTokenTTL, t.IDTokenTTL, t.RefreshTokenTTL, t.RefreshAbsoluteTTL,
			t.SessionTTL, t.SessionIdleTTL, t.EmailFromName, t.EmailFromAddress, t.DefaultLanguage,
			t.CreatedAt, t.UpdatedAt, tenantStatus(t.Status), t.SuspendedAt}
	}
	return b.write(ctx, bulkTenants, rows)
}

// SigningKeys adds signing keys (private halves already sealed).
func (b *BulkWriter) SigningKeys(ctx context.Context, ks []idp.SigningKey) error {
	rows := make([][]any, len(ks))
	for i := range ks {
		k := &ks[i]
		rows[i] = []any{k.TenantID, k.ID, k.Alg, string(k.State), k.PrivateEnc, k.PublicJWK,
			k.CreatedAt, k.ActivatedAt, k.RetiredAt, k.RemoveAfter}
	}
	return b.write(ctx, bulkSigningKeys, rows)
}

// ResourceServers adds resource servers.
func (b *BulkWriter) ResourceServers(ctx context.Context, rs []idp.ResourceServer) error {
	rows := make([][]any, len(rs))
	for i := range rs {
		r := &rs[i]
		rows[i] = []any{r.TenantID, r.ID, r.Identifier, r.Name, r.ScopePrefix,
			jsonList(toResourceScopes(r.Scopes)), r.CreatedAt, r.UpdatedAt}
	}
	return b.write(ctx, bulkResourceServers, rows)
}

// Clients adds clients.
func (b *BulkWriter) Clients(ctx context.Context, cs []idp.Client) error {
	rows := make([][]any, len(cs))
	for i := range cs {
		c := &cs[i]
		rows[i] = []any{c.TenantID, c.ID, c.Name, string(c.Type), jsonList(c.RedirectURIs),
			jsonList(c.PostLogoutRedirectURIs), jsonList(c.Scopes), c.RequireConsent, c.ThirdParty,
			c.DefaultResourceServer, c.RefreshGraceSeconds, c.Dynamic, nullBytes(c.RegistrationTokenHash),
			c.ClientURI, c.CreatedAt, c.UpdatedAt}
	}
	return b.write(ctx, bulkClients, rows)
}

// ClientSecrets adds client secrets (hashes only).
func (b *BulkWriter) ClientSecrets(ctx context.Context, ss []idp.ClientSecret) error {
	rows := make([][]any, len(ss))
	for i := range ss {
		cs := &ss[i]
		if len(cs.Hash) == 0 {
			return b.s.wrap("bulk insert into client_secrets", idp.Invalid("hash", "is empty"))
		}
		rows[i] = []any{cs.TenantID, cs.ClientID, cs.ID, cs.Hash, cs.Hint, cs.CreatedAt, cs.ExpiresAt}
	}
	return b.write(ctx, bulkClientSecrets, rows)
}

// Users adds users (emails already lower-cased, as CreateUser expects).
func (b *BulkWriter) Users(ctx context.Context, us []idp.User) error {
	rows := make([][]any, len(us))
	for i := range us {
		u := &us[i]
		rows[i] = []any{u.TenantID, u.ID, nullString(u.Email), u.Name, u.Picture, u.EmailVerified,
			string(u.Status), jsonList(u.Scopes), u.LastLogin, u.CreatedAt, u.UpdatedAt}
	}
	return b.write(ctx, bulkUsers, rows)
}

// Bulk runs fn inside one write transaction and commits what it wrote if
// fn returns nil; otherwise nothing is kept. On SQLite the rows go in
// multi-row INSERTs prepared once per batch size, on the writer
// connection, with a large page cache for the duration; afterwards the
// WAL is checkpointed into the database file. On PostgreSQL each call is a COPY (binary protocol) on
// one connection, followed by ANALYZE of the tables loaded.
func (s *Store) Bulk(ctx context.Context, fn func(ctx context.Context, b *BulkWriter) error) (map[string]int, error) {
	b := &BulkWriter{s: s, Rows: map[string]int{}}
	var err error
	if s.postgres() {
		err = s.bulkPostgres(ctx, b, fn)
	} else {
		err = s.bulkSQLite(ctx, b, fn)
	}
	if err != nil {
		return nil, err
	}
	return b.Rows, s.analyze(ctx, b.Rows)
}

// analyze refreshes PostgreSQL's planner statistics of the tables a load
// filled (autovacuum would do the same a little later). SQLite keeps
// none unless ANALYZE is run, which the product never does, so a seeded
// SQLite database is planned like any other install.
func (s *Store) analyze(ctx context.Context, loaded map[string]int) error {
	if !s.postgres() {
		return nil
	}
	for _, t := range []bulkTable{bulkTenants, bulkSigningKeys, bulkResourceServers, bulkClients, bulkClientSecrets, bulkUsers} {
		if loaded[t.name] == 0 {
			continue
		}
		if _, err := s.w.ExecContext(ctx, `ANALYZE `+t.name); err != nil {
			return s.wrap("bulk: analyze "+t.name, err)
		}
	}
	return nil
}
