package sqlstore

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/pgtest"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/store/storetest"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newSQLite opens and migrates a fresh SQLite file in t.TempDir().
func newSQLite(t *testing.T) *Store {
	t.Helper()
	ctx := testContext(t)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "data", "authalla.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

// pgTemplate is a migrated database that test databases are copied from,
// so that each one need not run the migrations from scratch.
var pgTemplate struct {
	once  sync.Once
	admin string
	name  string
	err   error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if pgTemplate.name != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := pgtest.Exec(ctx, pgTemplate.admin, "DROP DATABASE IF EXISTS "+pgTemplate.name+" WITH (FORCE)"); err != nil {
			fmt.Fprintf(os.Stderr, "drop template database: %v\n", err)
		}
		cancel()
	}
	os.Exit(code)
}

func randomDatabaseName(t *testing.T, prefix string) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

func databaseURL(t *testing.T, admin, name string) string {
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	// Test databases are thrown away: commits need not wait for the disk.
	// This changes durability only, never visibility or locking.
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// createDatabase creates a randomly named database (a copy of template, or
// empty when template is ""), drops it when t ends and returns its URL.
func createDatabase(t *testing.T, template string) string {
	t.Helper()
	admin := pgtest.AdminURL(t)
	name := randomDatabaseName(t, "authalla_test_")
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if err := pgtest.Exec(testContext(t), admin, stmt); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := pgtest.Exec(ctx, admin, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop test database: %v", err)
		}
	})
	return databaseURL(t, admin, name)
}

// newPostgresDatabase returns the URL of a fresh, empty (unmigrated)
// database, dropped when t ends.
func newPostgresDatabase(t *testing.T) string {
	t.Helper()
	return createDatabase(t, "")
}

// migratedTemplate creates (once per process) a database migrated by this
// package, to copy test databases from.
func migratedTemplate(t *testing.T) string {
	t.Helper()
	admin := pgtest.AdminURL(t)
	pgTemplate.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		name := randomDatabaseName(t, "authalla_tmpl_")
		if pgTemplate.err = pgtest.Exec(ctx, admin, "CREATE DATABASE "+name); pgTemplate.err != nil {
			return
		}
		pgTemplate.admin, pgTemplate.name = admin, name
		s, err := Open(ctx, databaseURL(t, admin, name))
		if err != nil {
			pgTemplate.err = err
			return
		}
		// Copying needs the template without sessions: close them.
		defer s.Close()
		pgTemplate.err = s.Migrate(ctx)
	})
	if pgTemplate.err != nil {
		t.Fatalf("template database: %v", pgTemplate.err)
	}
	return pgTemplate.name
}

// openPostgres opens (without migrating) a store on dbURL, closed when t ends.
func openPostgresStore(t *testing.T, dbURL string) *Store {
	t.Helper()
	s, err := Open(testContext(t), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	// Registered after the database's drop, so it runs before it.
	t.Cleanup(func() { s.Close() })
	return s
}

// newPostgres returns a store on a fresh copy of the migrated template; its
// Migrate finds nothing to do.
func newPostgres(t *testing.T) *Store {
	t.Helper()
	s := openPostgresStore(t, createDatabase(t, migratedTemplate(t)))
	if err := s.Migrate(testContext(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

// dialects lists the databases under test.
var dialects = []struct {
	name string
	open func(t *testing.T) *Store
}{
	{DialectSQLite, newSQLite},
	{DialectPostgres, newPostgres},
}

func TestConformance(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) store.Store { return d.open(t) })
		})
	}
}

func TestDialect(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			if got := d.open(t).Dialect(); got != d.name {
				t.Fatalf("Dialect() = %q, want %q", got, d.name)
			}
		})
	}
}

func migrationRows(t *testing.T, s *Store) (count int, appliedAt []time.Time) {
	t.Helper()
	rows, err := s.reader().query(testContext(t), `SELECT applied_at FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var at time.Time
		if err := rows.Scan(ts(&at)); err != nil {
			t.Fatal(err)
		}
		appliedAt = append(appliedAt, at)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return len(appliedAt), appliedAt
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t) // migrated once
			n1, at1 := migrationRows(t, s)
			if n1 != SchemaVersion() || n1 == 0 {
				t.Fatalf("%d migrations recorded, want %d", n1, SchemaVersion())
			}
			if err := s.Migrate(testContext(t)); err != nil {
				t.Fatalf("second Migrate: %v", err)
			}
			n2, at2 := migrationRows(t, s)
			if n2 != n1 || !at1[0].Equal(at2[0]) {
				t.Fatalf("second Migrate changed schema_migrations: %v -> %v", at1, at2)
			}
		})
	}
}

func TestMigrateConcurrentPostgres(t *testing.T) {
	dbURL := newPostgresDatabase(t)
	const n = 4
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = openPostgresStore(t, dbURL)
	}
	ctx := testContext(t)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = stores[i].Migrate(ctx)
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: Migrate: %v", i, err)
		}
	}
	if got, _ := migrationRows(t, stores[0]); got != SchemaVersion() {
		t.Fatalf("%d migrations recorded, want %d (each exactly once)", got, SchemaVersion())
	}
	// The schema is usable.
	if err := stores[1].CreateTenant(ctx, &idp.Tenant{ID: "t", SigningAlg: idp.AlgRS256}); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateRefusesNewerSchema(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t)
			ctx := testContext(t)
			if _, err := s.writer().exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
				999, time.Now()); err != nil {
				t.Fatal(err)
			}
			err := s.Migrate(ctx)
			if err == nil || !strings.Contains(err.Error(), "older than the schema") {
				t.Fatalf("Migrate on a newer schema = %v, want an 'older than the schema' error", err)
			}
		})
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := newSQLite(t)
	ctx := testContext(t)
	for _, c := range []struct {
		name string
		db   *sql.DB
	}{{"writer", s.w}, {"reader", s.r}} {
		var mode string
		var sync, fk, busy int
		if err := c.db.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
			t.Fatal(err)
		}
		if err := c.db.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := c.db.QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := c.db.QueryRowContext(ctx, "PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		// synchronous: 0 OFF, 1 NORMAL, 2 FULL, 3 EXTRA.
		if mode != "wal" || sync != 2 || fk != 1 || busy != sqliteBusyTimeoutMS {
			t.Errorf("%s: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d, want wal 2 1 %d",
				c.name, mode, sync, fk, busy, sqliteBusyTimeoutMS)
		}
	}
	if _, err := s.r.ExecContext(ctx, `DELETE FROM tenants`); err == nil {
		t.Error("the reader pool accepted a write")
	}
	if got := s.w.Stats().MaxOpenConnections; got != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", got)
	}
}

func TestOpenCreatesParentDirectory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "b", "authalla.db")
	s, err := Open(testContext(t), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
}

// TestOpenPostgresUnavailable: Open does not connect to PostgreSQL (the
// first statement does, so that a start spends no round trip on a ping);
// Migrate, the first statement of every command, reports a server that
// cannot be reached as unavailable, without the URL's password.
func TestOpenPostgresUnavailable(t *testing.T) {
	// Nothing listens on port 1 of the loopback interface.
	ctx := testContext(t)
	s, err := Open(ctx, "postgres://u:secret-password@127.0.0.1:1/db?sslmode=disable&connect_timeout=2")
	if err != nil {
		t.Fatalf("Open = %v, want no connection attempt", err)
	}
	defer s.Close()
	err = s.Migrate(ctx)
	if !errors.Is(err, idp.ErrUnavailable) || !strings.Contains(err.Error(), "migrate: connect") {
		t.Fatalf("Migrate = %v, want idp.ErrUnavailable", err)
	}
	if strings.Contains(err.Error(), "secret-password") {
		t.Fatalf("error leaks the password: %v", err)
	}
}

// TestNoPlaintext stores artifacts the way callers do (hashes only) and
// checks that no plaintext secret appears anywhere in the database, neither
// in a column nor in the SQLite files.
func TestNoPlaintext(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			s := d.open(t)
			ctx := testContext(t)
			secrets := map[string]string{
				"client secret": "cs_plain_ZKq8v0Qy3Xw",
				"auth code":     "code_plain_L7mPq2",
				"refresh token": "rt_plain_u8Hn4c",
				"pin":           "493817",
				"magic link":    "link_plain_Pz9",
				"session":       "cookie_plain_Yt5",
			}
			hexHash := func(v string) string { h := sha256.Sum256([]byte(v)); return hex.EncodeToString(h[:]) }
			rawHash := func(v string) []byte { h := sha256.Sum256([]byte(v)); return h[:] }
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			must(s.CreateTenant(ctx, &idp.Tenant{ID: "t", SigningAlg: idp.AlgRS256, CreatedAt: t0, UpdatedAt: t0}))
			must(s.CreateClient(ctx, "t", &idp.Client{TenantID: "t", ID: "c", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}))
			must(s.CreateUser(ctx, "t", &idp.User{ID: "u", Email: "u@example.com", Status: idp.UserActive, CreatedAt: t0, UpdatedAt: t0}))
			must(s.AddClientSecret(ctx, "t", &idp.ClientSecret{ClientID: "c", ID: "s",
				Hash: rawHash(secrets["client secret"]), Hint: "3Xw", CreatedAt: t0}))
			must(s.CreateSession(ctx, "t", &idp.Session{ID: hexHash(secrets["session"]), UserID: "u",
				AuthTime: t0, CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(time.Hour)}))
			must(s.CreateLoginChallenge(ctx, "t", &idp.LoginChallenge{ID: "ch", Email: "u@example.com", UserID: "u",
				PINHash: rawHash(secrets["pin"]), LinkHash: rawHash(secrets["magic link"]),
				PINExpiresAt: t0.Add(time.Minute), LinkExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))
			must(s.CreateAuthCode(ctx, "t", &idp.AuthCode{Hash: hexHash(secrets["auth code"]), ClientID: "c", UserID: "u",
				RedirectURI: "https://c.example.com/cb", AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
			must(s.RedeemAuthCode(ctx, "t", hexHash(secrets["auth code"]), t0, store.Issue{
				Grant: &idp.Grant{ID: "g", ClientID: "c", UserID: "u", AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
				Refresh: &idp.RefreshToken{Hash: hexHash(secrets["refresh token"]), ClientID: "c",
					CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
			}))

			dump := dumpDatabase(t, s)
			if s.Dialect() == DialectSQLite {
				dump = append(dump, sqliteFiles(t, s)...)
			}
			for what, plain := range secrets {
				if bytes.Contains(dump, []byte(plain)) {
					t.Errorf("the %s is stored in plaintext", what)
				}
			}
			// The dump does see what was stored.
			if !bytes.Contains(dump, []byte(hexHash(secrets["refresh token"]))) ||
				!bytes.Contains(dump, rawHash(secrets["pin"])) {
				t.Fatal("the dump misses stored hashes; the check above proves nothing")
			}
		})
	}
}

// dumpDatabase concatenates every value of every application table.
func dumpDatabase(t *testing.T, s *Store) []byte {
	t.Helper()
	ctx := testContext(t)
	listTables := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if s.postgres() {
		listTables = `SELECT tablename FROM pg_tables WHERE schemaname = 'public'`
	}
	rows, err := s.r.QueryContext(ctx, listTables)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("found only tables %v", tables)
	}
	var out bytes.Buffer
	for _, table := range tables {
		rows, err := s.r.QueryContext(ctx, "SELECT * FROM "+table)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					out.Write(b)
				} else {
					fmt.Fprint(&out, v)
				}
				out.WriteByte(0)
			}
		}
		rows.Close()
	}
	return out.Bytes()
}

// sqliteFiles returns the raw bytes of the database file and its WAL.
func sqliteFiles(t *testing.T, s *Store) []byte {
	t.Helper()
	var path string
	if err := s.r.QueryRowContext(testContext(t), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	var out []byte
	for _, p := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			t.Fatal(err)
		}
		out = append(out, b...)
	}
	return out
}
