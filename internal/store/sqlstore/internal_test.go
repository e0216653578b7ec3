package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authalla/authalla/internal/idp"
)

// TestSQLiteWriteTransactionsBeginImmediate proves that a write
// transaction holds SQLite's write lock from BEGIN: another connection
// cannot write even before the transaction has written anything.
func TestSQLiteWriteTransactionsBeginImmediate(t *testing.T) {
	s := newSQLite(t)
	ctx := testContext(t)
	var path string
	if err := s.r.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	entered, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- s.tx(ctx, "hold", func(d runner) error {
			// Read only, then wait.
			var n int
			if err := d.row(ctx, `SELECT COUNT(*) FROM tenants`).Scan(&n); err != nil {
				return err
			}
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	_, err = other.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ('x', 'x', 0)`)
	close(release)
	if err == nil {
		t.Fatal("another connection wrote while a write transaction was open: the transaction did not begin IMMEDIATE")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ('x', 'x', 0)`); err != nil {
		t.Fatalf("write after the transaction ended: %v", err)
	}
}

func TestClassify(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		want      error
		retryable bool
	}{
		{"unique", &pgconn.PgError{Code: "23505"}, idp.ErrConflict, false},
		{"foreign key", &pgconn.PgError{Code: "23503"}, idp.ErrNotFound, false},
		{"connection exception", &pgconn.PgError{Code: "08006"}, idp.ErrUnavailable, false},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, idp.ErrUnavailable, false},
		{"serialization", &pgconn.PgError{Code: "40001"}, nil, true},
		{"deadlock", &pgconn.PgError{Code: "40P01"}, nil, true},
		{"wrapped deadlock", fmt.Errorf("x: %w", &pgconn.PgError{Code: "40P01"}), nil, true},
		{"syntax", &pgconn.PgError{Code: "42601"}, nil, false},
		{"network", &net.OpError{Op: "dial", Err: errors.New("refused")}, idp.ErrUnavailable, false},
		{"eof", io.ErrUnexpectedEOF, idp.ErrUnavailable, false},
		{"other", errors.New("boom"), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := classify(c.err)
			if ok != (c.want != nil) || got != c.want {
				t.Errorf("classify = %v, %v; want %v", got, ok, c.want)
			}
			if r := retryable(c.err); r != c.retryable {
				t.Errorf("retryable = %v, want %v", r, c.retryable)
			}
		})
	}
}

func TestWrapHidesConstraintDetails(t *testing.T) {
	s := &Store{dialect: DialectPostgres}
	err := s.wrap("create user", &pgconn.PgError{Code: "23505",
		Detail: "Key (tenant_id, email)=(t, alice@example.com) already exists."})
	if !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("wrap = %v, want ErrConflict", err)
	}
	if got := err.Error(); got != "sqlstore: create user: conflict" {
		t.Fatalf("wrap = %q", got)
	}
	if err := s.wrap("get", sql.ErrNoRows); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("wrap(ErrNoRows) = %v", err)
	}
	if err := s.wrap("get", context.Canceled); !errors.Is(err, context.Canceled) {
		t.Fatalf("wrap(Canceled) = %v", err)
	}
}

func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite, err := migrations(DialectSQLite)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := migrations(DialectPostgres)
	if err != nil {
		t.Fatal(err)
	}
	if len(lite) != len(pg) || len(lite) != SchemaVersion() {
		t.Fatalf("sqlite has %d migrations, postgres %d, SchemaVersion %d", len(lite), len(pg), SchemaVersion())
	}
	for i := range lite {
		if lite[i].name != pg[i].name {
			t.Errorf("migration %d is %s on sqlite but %s on postgres", i+1, lite[i].name, pg[i].name)
		}
	}
}

func TestBind(t *testing.T) {
	pg := &Store{dialect: DialectPostgres}
	if got := pg.bind(`SELECT a FROM t WHERE b = ? AND c IN (?, ?)`); got != `SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)` {
		t.Fatalf("bind = %q", got)
	}
	lite := &Store{dialect: DialectSQLite}
	if got := lite.bind(`x = ?`); got != `x = ?` {
		t.Fatalf("sqlite bind = %q", got)
	}
}

func TestPage(t *testing.T) {
	cases := []struct{ limit, offset, wantLimit, wantOffset int }{
		{0, 0, 50, 0}, {-3, -1, 50, 0}, {10, 5, 10, 5}, {200, 0, 200, 0}, {201, 0, 200, 0},
	}
	for _, c := range cases {
		if l, o := page(c.limit, c.offset); l != c.wantLimit || o != c.wantOffset {
			t.Errorf("page(%d, %d) = %d, %d; want %d, %d", c.limit, c.offset, l, o, c.wantLimit, c.wantOffset)
		}
	}
}
