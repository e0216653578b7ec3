package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// batchRead is one read of a batch: a query with `?` placeholders, its
// arguments, and the function that consumes its rows.
type batchRead struct {
	query string
	args  []any
	scan  func(rowSet) error
}

// rowSet is what a batch read's scan function reads: *sql.Rows on SQLite,
// pgx.Rows on PostgreSQL. Scan converts values as database/sql does for
// the column types of this package (the scan helpers of scan.go are
// sql.Scanners, which pgx honours).
type rowSet interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// readBatch runs independent reads, in order, with as few round trips as
// the database allows: on PostgreSQL one pgx batch on one connection (its
// statements are prepared together, then executed together: two round
// trips whatever their number, where one by one each costs two); on
// SQLite, where a statement costs no round trip, one after the other on
// the readers. A failing read fails the batch.
func (s *Store) readBatch(ctx context.Context, reads []batchRead) error {
	if s.postgres() {
		return s.readBatchPostgres(ctx, reads)
	}
	d := s.reader()
	for _, r := range reads {
		rows, err := d.query(ctx, r.query, r.args...)
		if err != nil {
			return err
		}
		if err := consume(rows, r.scan); err != nil {
			return err
		}
	}
	return nil
}

// consume hands rows to scan and closes them.
func consume(rows *sql.Rows, scan func(rowSet) error) error {
	defer rows.Close()
	if err := scan(rows); err != nil {
		return err
	}
	return rows.Err()
}

func (s *Store) readBatchPostgres(ctx context.Context, reads []batchRead) error {
	conn, err := s.r.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("batch: unexpected driver connection %T", dc)
		}
		b := &pgx.Batch{}
		for _, r := range reads {
			b.Queue(s.bind(r.query), s.args(r.args)...)
		}
		br := sc.Conn().SendBatch(ctx, b)
		for _, r := range reads {
			if err := consumePgx(br, r.scan); err != nil {
				_ = br.Close()
				return err
			}
		}
		return br.Close()
	})
}

// consumePgx hands the next result of br to scan and closes it.
func consumePgx(br pgx.BatchResults, scan func(rowSet) error) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := scan(rows); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}
