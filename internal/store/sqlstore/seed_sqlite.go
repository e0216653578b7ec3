package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// sqliteBulkVars bounds the placeholders of one multi-row INSERT, below
// SQLite's default SQLITE_MAX_VARIABLE_NUMBER (32766).
const sqliteBulkVars = 30000

// sqliteBulkRows is the most rows one INSERT carries.
const sqliteBulkRows = 500

// sqliteBulkCacheKiB is the page cache of the writer connection during a
// load (negative cache_size is KiB): the indexes of a million users then
// stay in memory instead of spilling to the WAL page by page.
const sqliteBulkCacheKiB = 256 << 10

func (s *Store) bulkSQLite(ctx context.Context, b *BulkWriter, fn func(context.Context, *BulkWriter) error) error {
	conn, err := s.w.Conn(ctx) // the one writer connection
	if err != nil {
		return s.wrap("bulk: connect", err)
	}
	defer conn.Close()
	var cacheSize int
	if err := conn.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&cacheSize); err != nil {
		return s.wrap("bulk: read cache_size", err)
	}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = %d`, -sqliteBulkCacheKiB)); err != nil {
		return s.wrap("bulk: set cache_size", err)
	}
	defer func() {
		// A fresh context: the connection goes back to the pool as it was.
		_, _ = conn.ExecContext(context.WithoutCancel(ctx), fmt.Sprintf(`PRAGMA cache_size = %d`, cacheSize))
	}()
	tx, err := conn.BeginTx(ctx, nil) // IMMEDIATE (the writer's DSN)
	if err != nil {
		return s.wrap("bulk: begin", err)
	}
	defer tx.Rollback() //nolint:errcheck // a no-op after Commit
	stmts := map[string]*sql.Stmt{}
	defer func() {
		for _, st := range stmts {
			st.Close()
		}
	}()
	b.insert = func(ctx context.Context, t bulkTable, rows [][]any) error {
		per := min(sqliteBulkRows, sqliteBulkVars/len(t.cols))
		for len(rows) > 0 {
			n := min(per, len(rows))
			key := fmt.Sprintf("%s/%d", t.name, n)
			st, ok := stmts[key]
			if !ok {
				st, err = tx.PrepareContext(ctx, multiRowInsert(t, n))
				if err != nil {
					return err
				}
				stmts[key] = st
			}
			args := make([]any, 0, n*len(t.cols))
			for _, r := range rows[:n] {
				args = append(args, r...)
			}
			if _, err := st.ExecContext(ctx, args...); err != nil {
				return err
			}
			rows = rows[n:]
		}
		return nil
	}
	if err := fn(ctx, b); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return s.wrap("bulk: commit", err)
	}
	// The load went to the WAL; move it into the database file now rather
	// than in the middle of the first requests after it.
	if _, err := conn.ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return s.wrap("bulk: checkpoint", err)
	}
	return nil
}

// multiRowInsert is "INSERT INTO t (cols) VALUES (?, …), (?, …) …" for n
// rows.
func multiRowInsert(t bulkTable, n int) string {
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	var b strings.Builder
	b.WriteString("INSERT INTO " + t.name + " (" + strings.Join(t.cols, ", ") + ") VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}
