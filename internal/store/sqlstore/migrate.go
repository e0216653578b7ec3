package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authalla/authalla/internal/idp"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFS embed.FS

// migrationLockKey is the pg_advisory_lock key that serialises Migrate
// across replicas ("authalla" as a number).
const migrationLockKey int64 = 0x61757468616c6c61

// migration is one numbered schema step.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the dialect's steps in order. File names are
// NNNN_description.sql.
func migrations(dialect string) ([]migration, error) {
	dir := path.Join("migrations", dialect)
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: read migrations: %w", err)
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("sqlstore: migration %s: name must start with a positive number and _", e.Name())
		}
		b, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, fmt.Errorf("sqlstore: read migration %s: %w", e.Name(), err)
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	for i, m := range out {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlstore: migration %s: versions must be 1, 2, 3, … without gaps", m.name)
		}
	}
	return out, nil
}

// SchemaVersion returns the highest migration version this binary knows.
func SchemaVersion() int {
	ms, err := migrations(DialectSQLite)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].version
}

// Migrate brings the schema up to date. Each step runs in its own
// transaction and is recorded in schema_migrations. On PostgreSQL a session
// advisory lock makes replicas that start together migrate exactly once; on
// SQLite every step runs in an IMMEDIATE transaction on the one writer. A
// database newer than this binary is refused.
func (s *Store) Migrate(ctx context.Context) error {
	ms, err := migrations(s.dialect)
	if err != nil {
		return err
	}
	ok, err := s.upToDate(ctx, len(ms))
	if ok || err != nil {
		return err
	}
	if s.postgres() {
		return s.migratePostgres(ctx, ms)
	}
	return s.migrateSQLite(ctx, ms)
}

// upToDate reports, with one query, whether schema_migrations records
// exactly the versions 1…known (version is its primary key, so known rows
// whose highest is known are those). Then a restart skips the advisory
// lock and the per-step transactions (docs/benchmarks.md, "Footprint:
// memory and cold start"). Any other answer takes the full path, which
// applies what is missing and refuses a newer schema; so does any error
// (no table yet) but a database that cannot be reached, which is returned.
//
// On PostgreSQL this is usually the first statement of a start, on a
// new connection: it runs unprepared (pgx.QueryExecModeExec), one round
// trip instead of a prepare and an execute.
func (s *Store) upToDate(ctx context.Context, known int) (bool, error) {
	var args []any
	if s.postgres() {
		args = append(args, pgx.QueryExecModeExec)
	}
	var n, top int
	err := s.w.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(version), 0) FROM schema_migrations`, args...).Scan(&n, &top)
	if err != nil {
		if cause, ok := classify(err); ok && cause == idp.ErrUnavailable {
			return false, s.wrap("migrate: connect", err)
		}
		return false, nil
	}
	return n == known && top == known, nil
}

const createMigrationsSQLite = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	applied_at INTEGER NOT NULL
)`

const createMigrationsPostgres = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER NOT NULL PRIMARY KEY,
	applied_at TIMESTAMPTZ NOT NULL
)`

func (s *Store) migrateSQLite(ctx context.Context, ms []migration) error {
	if _, err := s.w.ExecContext(ctx, createMigrationsSQLite); err != nil {
		return s.wrap("migrate: create schema_migrations", err)
	}
	for _, m := range ms {
		if err := s.applyStep(ctx, s.w, m, len(ms)); err != nil {
			return err
		}
	}
	// Refuse a newer schema even when nothing was pending.
	return s.checkNotNewer(ctx, runner{s: s, x: s.w}, len(ms))
}

func (s *Store) migratePostgres(ctx context.Context, ms []migration) error {
	// A session-level advisory lock lives on one connection: pin one.
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.wrap("migrate: connect", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLockKey); err != nil {
		return s.wrap("migrate: take advisory lock", err)
	}
	defer func() {
		// A fresh context: the lock must go even if ctx was cancelled.
		uctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(uctx, "SELECT pg_advisory_unlock($1)", migrationLockKey)
	}()
	if _, err := conn.ExecContext(ctx, createMigrationsPostgres); err != nil {
		return s.wrap("migrate: create schema_migrations", err)
	}
	for _, m := range ms {
		if err := s.applyStep(ctx, conn, m, len(ms)); err != nil {
			return err
		}
	}
	return s.checkNotNewer(ctx, runner{s: s, x: conn}, len(ms))
}

// beginner is *sql.DB or *sql.Conn.
type beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// applyStep runs one migration in its own transaction unless
// schema_migrations already records it.
func (s *Store) applyStep(ctx context.Context, b beginner, m migration, known int) error {
	op := "migrate " + m.name
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return s.wrap(op, err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	d := runner{s: s, x: tx}
	if err := s.checkNotNewer(ctx, d, known); err != nil {
		return err
	}
	var n int
	if err := d.row(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return s.wrap(op, err)
	}
	if n > 0 {
		return nil
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return s.wrap(op, err)
	}
	if _, err := d.exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, s.clock.Now()); err != nil {
		return s.wrap(op, err)
	}
	if err := tx.Commit(); err != nil {
		return s.wrap(op, err)
	}
	return nil
}

// checkNotNewer fails when the database records a migration this binary
// does not have: running old code on a newer schema could corrupt data.
func (s *Store) checkNotNewer(ctx context.Context, d runner, known int) error {
	var v sql.NullInt64
	if err := d.row(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v); err != nil {
		return s.wrap("migrate: read schema version", err)
	}
	if v.Valid && int(v.Int64) > known {
		return fmt.Errorf("sqlstore: migrate: the database schema is at version %d but this binary knows only up to %d: "+
			"the binary is older than the schema and must be upgraded", v.Int64, known)
	}
	return nil
}
