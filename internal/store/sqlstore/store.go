package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	// Database drivers, registered as "pgx" and "sqlite".
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// Dialect names returned by Store.Dialect.
const (
	DialectSQLite   = "sqlite"
	DialectPostgres = "postgres"
)

// sqliteBusyTimeoutMS is how long a SQLite connection waits for a lock held
// by another process before giving up with SQLITE_BUSY.
const sqliteBusyTimeoutMS = 10000

// Pool sizes.
const (
	sqliteReaders   = 4
	postgresMaxOpen = 10
	postgresMaxIdle = 5
)

// Store is the SQL implementation of store.Store.
type Store struct {
	dialect string
	// w takes every write and write transaction. On SQLite it holds exactly
	// one connection; on PostgreSQL it is the only pool.
	w *sql.DB
	// r serves plain reads. On PostgreSQL it is w.
	r *sql.DB
	// clock stamps revocations that callers give no time for
	// (DeleteClient, DeleteUser).
	clock idp.Clock
	// binds caches `?` -> `$n` rewrites for PostgreSQL.
	binds sync.Map
	// group batches SQLite token transactions into one commit (group.go).
	group groupCommit
	// wstmts and rstmts are SQLite's prepared statements on w and r
	// (stmtcache.go).
	wstmts, rstmts stmtCache
	// ckpt checkpoints SQLite's write-ahead log (checkpoint.go); nil on
	// PostgreSQL.
	ckpt *checkpointer
}

var _ store.Store = (*Store)(nil)

// Open connects to databaseURL: a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is the path of a SQLite database file (its
// parent directory is created). It does not migrate; call Migrate. On
// PostgreSQL the first connection is made by the first statement (Migrate
// reports a server that cannot be reached): a ping here would cost a
// start two round trips, its own and the one database/sql's pgx driver
// sends before it hands the same connection out again.
func Open(ctx context.Context, databaseURL string) (*Store, error) {
	if isPostgresURL(databaseURL) {
		return openPostgres(databaseURL)
	}
	return openSQLite(ctx, databaseURL)
}

func isPostgresURL(s string) bool {
	l := strings.ToLower(s)
	return strings.HasPrefix(l, "postgres://") || strings.HasPrefix(l, "postgresql://")
}

func openPostgres(databaseURL string) (*Store, error) {
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		// The error may quote the URL; do not pass it on (it holds the password).
		return nil, errors.New("sqlstore: open postgres: malformed database URL")
	}
	db.SetMaxOpenConns(postgresMaxOpen)
	db.SetMaxIdleConns(postgresMaxIdle)
	// Recycle connections so that a failover or a proxy's idle cut is
	// noticed before a request trips on it.
	db.SetConnMaxLifetime(30 * time.Minute)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return &Store{dialect: DialectPostgres, w: db, r: db, clock: idp.SystemClock{}}, nil
}

// sqlitePragmas are the DSN parameters every connection of a store gets,
// plus extra pragmas. Pragmas are DSN parameters so that every connection
// a pool opens gets them.
func sqlitePragmas(busyMS int, extra ...string) url.Values {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyMS))
	for _, p := range extra {
		q.Add("_pragma", p)
	}
	return q
}

// sqliteDSN builds the DSN of one SQLite pool.
func sqliteDSN(path string, writer bool) string {
	q := sqlitePragmas(sqliteBusyTimeoutMS, "foreign_keys(1)", "synchronous(FULL)")
	if writer {
		// journal_mode is persistent in the file; the writer sets it.
		q.Add("_pragma", "journal_mode(WAL)")
		// Commits never checkpoint: the checkpointer does, off the
		// request path (checkpoint.go).
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// BEGIN IMMEDIATE takes the write lock up front, so a transaction
		// that reads before it writes can never fail to upgrade its lock.
		q.Set("_txlock", "immediate")
	} else {
		q.Add("_pragma", "query_only(1)")
	}
	return path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*Store, error) {
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, errors.New("sqlstore: open sqlite: the database path must be a plain file path")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: create directory: %w", err)
	}
	w, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	// Open the writer first so the file exists and is in WAL mode before
	// any reader connects.
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite: %w", err)
	}
	r.SetMaxOpenConns(sqliteReaders)
	r.SetMaxIdleConns(sqliteReaders)
	s := &Store{dialect: DialectSQLite, w: w, r: r, clock: idp.SystemClock{}}
	if err := s.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	if s.ckpt, err = openCheckpointer(ctx, path, w); err != nil {
		s.Close()
		return nil, fmt.Errorf("sqlstore: open sqlite %s: %w", path, err)
	}
	s.ckpt.start(checkpointInterval)
	return s, nil
}

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.dialect }

// Ping checks that the database answers (readiness).
func (s *Store) Ping(ctx context.Context) error {
	if err := s.w.PingContext(ctx); err != nil {
		return s.wrap("ping", err)
	}
	if s.r != s.w {
		if err := s.r.PingContext(ctx); err != nil {
			return s.wrap("ping", err)
		}
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	var errs []error
	// First, so that no checkpoint runs while the pools close.
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.close())
	}
	s.wstmts.close()
	s.rstmts.close()
	if s.r != s.w {
		errs = append(errs, s.r.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

func (s *Store) postgres() bool { return s.dialect == DialectPostgres }
