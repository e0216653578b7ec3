// Package sqlstore is the one implementation of store.Store, on two SQL
// dialects behind database/sql:
//
//   - SQLite through modernc.org/sqlite (pure Go). The database runs in WAL
//     mode with synchronous=FULL, foreign keys and a busy timeout set on
//     every connection. All writes go through one writer connection whose
//     transactions begin IMMEDIATE, so SQLite never has to upgrade a read
//     lock to a write lock (the SQLITE_BUSY deadlock); plain reads use a
//     separate read-only pool.
//   - PostgreSQL through github.com/jackc/pgx/v5/stdlib. Write transactions
//     run at READ COMMITTED and serialise on rows with SELECT … FOR UPDATE
//     or conditional UPDATEs; serialization failures and deadlocks are
//     retried a few times. Connection failures surface as idp.ErrUnavailable.
//
// Queries are written once with `?` placeholders and rebound for
// PostgreSQL. Times are stored in UTC with microsecond precision (integer
// unix microseconds on SQLite, TIMESTAMPTZ on PostgreSQL) and round-trip
// exactly; string lists are JSON text; empty lists read back as nil.
//
// The schema lives in embedded, numbered migrations (migrations/<dialect>/)
// applied by Store.Migrate, once across replicas.
package sqlstore
