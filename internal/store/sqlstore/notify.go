package sqlstore

import (
	"context"
	"errors"
)

// ErrNoNotify means the database has no notification channels (SQLite):
// a SQLite install is one node, so there is nobody to tell.
var ErrNoNotify = errors.New("sqlstore: notifications need PostgreSQL")

// Notify sends payload on a PostgreSQL notification channel with
// pg_notify, outside any transaction: callers announce writes that have
// committed (the change bus, internal/changes). Listeners on every node
// receive it; NOTIFY delivers nothing to sessions that are not listening.
func (s *Store) Notify(ctx context.Context, channel, payload string) error {
	if !s.postgres() {
		return ErrNoNotify
	}
	if _, err := s.w.ExecContext(ctx, `SELECT pg_notify($1, $2)`, channel, payload); err != nil {
		return s.wrap("notify", err)
	}
	return nil
}
