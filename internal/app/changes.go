package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/changes"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// newChangeBus returns the process's change bus. On PostgreSQL it
// announces changes to the other nodes with pg_notify, also from a
// one-shot CLI command, so that running servers hear `authalla client
// update --local` at once; on SQLite (one node) it stays in-process.
func newChangeBus(st *sqlstore.Store, log *slog.Logger) *changes.Bus {
	o := changes.Options{Log: log}
	if st.Dialect() == sqlstore.DialectPostgres {
		o.Notifier = st
	}
	return changes.New(o)
}

// changesListenDelay holds the listener's connection back for a moment
// after the server starts serving: its new database session (a backend
// process and an authentication on the database server) would otherwise
// start with the first requests and compete with them. Nothing is lost
// meanwhile: the listener drops every cache of this process when it
// subscribes (changes.Listener.Run), so another node's change made before
// takes effect here then, well within the second that issue 5 allows.
const changesListenDelay = 100 * time.Millisecond

// listenForChanges starts, on PostgreSQL, the connection that hears other
// nodes' changes, after delay, and returns a function that waits for it
// to stop after ctx ends. On SQLite there is nothing to hear.
func listenForChanges(ctx context.Context, d *deps, delay time.Duration) (wait func(), err error) {
	if !d.cfg.IsPostgres() {
		return func() {}, nil
	}
	l, err := changes.NewListener(d.changes, d.cfg.DatabaseURL, d.log)
	if err != nil {
		return nil, &configError{err: err}
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTimer(delay)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		l.Run(ctx)
	})
	return wg.Wait, nil
}
