package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// runner runs dialect-neutral SQL: it rebinds `?` placeholders for PostgreSQL
// and converts time arguments to the column representation.
type runner struct {
	s *Store
	x execer
}

func (s *Store) reader() runner { return runner{s: s, x: s.r} }
func (s *Store) writer() runner { return runner{s: s, x: s.w} }

func (d runner) exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	if db, ok := d.x.(*sql.DB); ok && db == d.s.w {
		// A statement on its own commits by itself.
		defer d.s.ckpt.kick()
	}
	if st := d.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, d.s.args(args)...)
	}
	return d.x.ExecContext(ctx, d.s.bind(query), d.s.args(args)...)
}

// execN runs a statement and returns the number of rows it changed.
func (d runner) execN(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := d.exec(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func (d runner) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, d.s.args(args)...)
	}
	return d.x.QueryContext(ctx, d.s.bind(query), d.s.args(args)...)
}

func (d runner) row(ctx context.Context, query string, args ...any) *sql.Row {
	if st := d.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, d.s.args(args)...)
	}
	return d.x.QueryRowContext(ctx, d.s.bind(query), d.s.args(args)...)
}

// forUpdate is the row-locking suffix of a SELECT inside a write
// transaction. SQLite needs none: its IMMEDIATE transaction already holds
// the database's only write lock.
func (s *Store) forUpdate() string {
	if s.postgres() {
		return " FOR UPDATE"
	}
	return ""
}

// bind rewrites `?` placeholders to PostgreSQL's `$n`. Queries in this
// package never contain a literal question mark.
func (s *Store) bind(query string) string {
	if !s.postgres() {
		return query
	}
	if v, ok := s.binds.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	out := b.String()
	s.binds.Store(query, out)
	return out
}

// args converts time arguments: unix microseconds on SQLite, UTC
// time.Time on PostgreSQL; a nil *time.Time is NULL.
func (s *Store) args(in []any) []any {
	out := make([]any, len(in))
	for i, v := range in {
		switch x := v.(type) {
		case time.Time:
			out[i] = s.timeArg(x)
		case *time.Time:
			if x == nil {
				out[i] = nil
			} else {
				out[i] = s.timeArg(*x)
			}
		default:
			out[i] = v
		}
	}
	return out
}

func (s *Store) timeArg(t time.Time) any {
	if s.postgres() {
		return t.UTC()
	}
	return t.UnixMicro()
}

// keep marks an error that must be returned after the transaction commits:
// a replayed code or refresh token revokes its grant and still fails.
type keep struct{ err error }

func (k *keep) Error() string { return k.err.Error() }
func (k *keep) Unwrap() error { return k.err }

// commitThen asks tx to commit and then return err.
func commitThen(err error) error { return &keep{err: err} }

// Attempts for a PostgreSQL transaction that hit a serialization failure or
// a deadlock.
const txAttempts = 5

// tx runs fn in a write transaction and wraps its error with op. On SQLite
// the transaction begins IMMEDIATE on the single writer connection; on
// PostgreSQL serialization failures and deadlocks are retried.
func (s *Store) tx(ctx context.Context, op string, fn func(runner) error) error {
	var err error
	for attempt := 1; ; attempt++ {
		err = s.tryTx(ctx, fn)
		if err == nil || !s.postgres() || !retryable(err) || attempt == txAttempts {
			break
		}
		// Back off a little so the transaction we collided with can finish.
		select {
		case <-ctx.Done():
			return s.wrap(op, ctx.Err())
		case <-time.After(time.Duration(attempt) * time.Millisecond):
		}
	}
	return s.wrap(op, err)
}

func (s *Store) tryTx(ctx context.Context, fn func(runner) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		// A panicking fn must not leave the transaction (and on SQLite the
		// only writer connection) open.
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	err = fn(runner{s: s, x: tx})
	var k *keep
	if err != nil && !errors.As(err, &k) {
		_ = tx.Rollback()
		return err
	}
	if cerr := tx.Commit(); cerr != nil {
		return cerr
	}
	s.ckpt.kick()
	if k != nil {
		return k.err
	}
	return nil
}

// page normalises a page request: Limit <= 0 means 50, at most 200.
func page(limit, offset int) (int, int) {
	switch {
	case limit <= 0:
		limit = 50
	case limit > 200:
		limit = 200
	}
	if offset < 0 {
		offset = 0
	}
	return limit, offset
}

// affected turns "no row changed" into idp.ErrNotFound.
func affected(n int64, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return idp.ErrNotFound
	}
	return nil
}

// nullString stores "" as NULL (optional references, optional unique keys).
func nullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// nullBytes stores an empty slice as NULL.
func nullBytes(v []byte) any {
	if len(v) == 0 {
		return nil
	}
	return v
}

func isNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }
