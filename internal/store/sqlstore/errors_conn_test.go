package sqlstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/authalla/authalla/internal/idp"
)

// notSent is a driver error that says nothing reached the server, like
// pgconn's error for an operation on a connection it already closed.
type notSent struct{}

func (notSent) Error() string     { return "conn closed" }
func (notSent) SafeToRetry() bool { return true }
func (notSent) Unwrap() error     { return pgconn.ErrConnClosed }

// TestClassifyDroppedConnection: a connection dropped by a PostgreSQL
// crash or restart is "unavailable" (503, SECURITY-TESTS 51), and a
// transaction whose statement never left the client is run again on a
// fresh connection.
func TestClassifyDroppedConnection(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		retryable bool
	}{
		{"conn closed, nothing sent", fmt.Errorf("commit: %w", notSent{}), true},
		{"conn closed sentinel", fmt.Errorf("exec: %w", pgconn.ErrConnClosed), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := classify(c.err)
			if !ok || got != idp.ErrUnavailable {
				t.Errorf("classify = %v, %v; want ErrUnavailable", got, ok)
			}
			if r := retryable(c.err); r != c.retryable {
				t.Errorf("retryable = %v, want %v", r, c.retryable)
			}
			s := &Store{dialect: DialectPostgres}
			if err := s.wrap("rotate refresh token", c.err); !errors.Is(err, idp.ErrUnavailable) {
				t.Errorf("wrap = %v, want ErrUnavailable", err)
			}
		})
	}
}
