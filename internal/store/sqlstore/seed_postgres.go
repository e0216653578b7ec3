package sqlstore

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

func (s *Store) bulkPostgres(ctx context.Context, b *BulkWriter, fn func(context.Context, *BulkWriter) error) error {
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return s.wrap("bulk: connect", err)
	}
	defer conn.Close()
	// COPY needs pgx's own connection; database/sql lends it for the
	// duration of Raw.
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return errors.New("sqlstore: bulk: the PostgreSQL driver is not pgx")
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return s.wrap("bulk: begin", err)
		}
		defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // a no-op after Commit
		b.insert = func(ctx context.Context, t bulkTable, rows [][]any) error {
			_, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.cols, pgx.CopyFromRows(rows))
			return err
		}
		if err := fn(ctx, b); err != nil {
			return err
		}
		return s.wrap("bulk: commit", tx.Commit(ctx))
	})
}
