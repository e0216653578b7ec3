package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/authalla/authalla/internal/idp"
)

// wrap gives err the operation's context and maps driver errors to the idp
// sentinels. Constraint violations lose the driver's text on purpose: it
// quotes the offending values, which may be hashes or emails.
func (s *Store) wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	switch {
	case isSentinel(err):
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlstore: %s: %w", op, idp.ErrNotFound)
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	}
	if sentinel, ok := classify(err); ok {
		if sentinel == idp.ErrUnavailable {
			return fmt.Errorf("sqlstore: %s: %w: %v", op, idp.ErrUnavailable, err)
		}
		return fmt.Errorf("sqlstore: %s: %w", op, sentinel)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

func isSentinel(err error) bool {
	for _, s := range []error{idp.ErrNotFound, idp.ErrConflict, idp.ErrAlreadyUsed,
		idp.ErrExpired, idp.ErrInvalid, idp.ErrForbidden, idp.ErrUnavailable} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// PostgreSQL SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgAdminShutdown        = "57P01"
	pgCrashShutdown        = "57P02"
	pgCannotConnectNow     = "57P03"
)

// classify maps a driver error to an idp sentinel.
func classify(err error) (error, bool) {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == pgUniqueViolation:
			return idp.ErrConflict, true
		case pe.Code == pgForeignKeyViolation:
			// The parent (tenant, client, user) does not exist.
			return idp.ErrNotFound, true
		case len(pe.Code) == 5 && pe.Code[:2] == "08",
			pe.Code == pgAdminShutdown, pe.Code == pgCrashShutdown, pe.Code == pgCannotConnectNow:
			return idp.ErrUnavailable, true
		}
		return nil, false
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return idp.ErrConflict, true
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return idp.ErrNotFound, true
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN:
			return idp.ErrUnavailable, true
		}
		return nil, false
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	// A connection the server dropped (crash, restart, pg_terminate_backend)
	// surfaces as a network error, EOF, or pgconn's "conn closed" when the
	// driver had already closed it: the database is unavailable, not the
	// request wrong (SECURITY-TESTS 51: 503, never 500).
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, pgconn.ErrConnClosed) || pgconn.SafeToRetry(err) {
		return idp.ErrUnavailable, true
	}
	return nil, false
}

// retryable reports an error after which the whole transaction may simply
// run again: a PostgreSQL serialization failure or deadlock, or a
// connection that failed before the statement was sent (pgconn.SafeToRetry;
// a transaction that never reached COMMIT is rolled back by the server), so
// that a connection dropped by a PostgreSQL restart is retried on a fresh
// one instead of failing the request.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == pgSerializationFailure || pe.Code == pgDeadlockDetected
	}
	return pgconn.SafeToRetry(err)
}
