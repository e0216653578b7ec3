package changes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/authalla/authalla/internal/idp"
)

// Listener timings.
const (
	// minBackoff and maxBackoff bound the wait between reconnects.
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
	// probeEvery is how long the listener waits for a notification before
	// it checks that the connection is alive: a peer that vanished
	// without closing the socket would otherwise leave it waiting forever.
	probeEvery = 15 * time.Second
	// probeTimeout bounds that check and the LISTEN statement.
	probeTimeout = 5 * time.Second
)

// applicationName marks the listener's connection in pg_stat_activity.
const applicationName = "authalla change listener"

// Listener receives other nodes' changes on a dedicated PostgreSQL
// connection (outside the store's pool: a LISTENing session must stay
// idle and open for as long as the process runs).
type Listener struct {
	bus    *Bus
	config *pgx.ConnConfig
	log    *slog.Logger

	mu        sync.Mutex
	connected bool
	ready     chan struct{} // closed on the first LISTEN
	readyOnce sync.Once
}

// NewListener prepares a listener on databaseURL for bus. It connects when
// Run is called.
func NewListener(bus *Bus, databaseURL string, log *slog.Logger) (*Listener, error) {
	cfg, err := pgx.ParseConfig(databaseURL)
	if err != nil {
		// The parse error may quote the URL, password included.
		return nil, errors.New("changes: malformed database URL")
	}
	cfg.RuntimeParams["application_name"] = applicationName
	if log == nil {
		log = bus.log
	}
	return &Listener{bus: bus, config: cfg, log: log, ready: make(chan struct{})}, nil
}

// Ready is closed once the listener has subscribed for the first time.
func (l *Listener) Ready() <-chan struct{} { return l.ready }

// Connected reports whether the listener holds a subscribed connection now.
func (l *Listener) Connected() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.connected
}

// Run listens until ctx ends. Every time it (re)subscribes it drops every
// cache of this process: changes announced while it was not listening
// are lost, and the first subscription may come after caches filled.
func (l *Listener) Run(ctx context.Context) {
	backoff := minBackoff
	for ctx.Err() == nil {
		conn, err := l.subscribe(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			l.log.Warn("changes: cannot listen for other nodes' changes; retrying", "in", backoff.String(), "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, maxBackoff)
			continue
		}
		backoff = minBackoff
		l.setConnected(true)
		l.bus.Deliver(idp.ChangeEverything)
		l.readyOnce.Do(func() { close(l.ready) })
		l.log.Info("changes: listening for other nodes' changes", "channel", Channel)
		err = l.receive(ctx, conn)
		l.setConnected(false)
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), probeTimeout)
		_ = conn.Close(cctx)
		cancel()
		if ctx.Err() != nil {
			return
		}
		l.log.Warn("changes: lost the notification connection; reconnecting", "err", err)
		// Changes may be missed until the next LISTEN: serve nothing
		// cached meanwhile (the next subscription drops all again).
		l.bus.Deliver(idp.ChangeEverything)
	}
}

// subscribe connects and issues LISTEN.
func (l *Listener) subscribe(ctx context.Context) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	conn, err := pgx.ConnectConfig(cctx, l.config)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	// Channel is a constant identifier; LISTEN takes no parameters.
	if _, err := conn.Exec(cctx, "LISTEN "+Channel); err != nil {
		_ = conn.Close(context.WithoutCancel(cctx))
		return nil, fmt.Errorf("listen: %w", err)
	}
	return conn, nil
}

// receive hands notifications to the bus until the connection fails or
// ctx ends. Between notifications it probes the connection every
// probeEvery.
func (l *Listener) receive(ctx context.Context, conn *pgx.Conn) error {
	for {
		wctx, cancel := context.WithTimeout(ctx, probeEvery)
		n, err := conn.WaitForNotification(wctx)
		cancel()
		switch {
		case err == nil:
			l.bus.receive(n.Payload)
			continue
		case ctx.Err() != nil:
			return ctx.Err()
		case !errors.Is(err, context.DeadlineExceeded):
			return err
		}
		// Quiet for probeEvery: is the server still there? (A timed-out
		// wait leaves a pgx connection usable.)
		pctx, cancel := context.WithTimeout(ctx, probeTimeout)
		err = conn.Ping(pctx)
		cancel()
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
	}
}

func (l *Listener) setConnected(v bool) {
	l.mu.Lock()
	l.connected = v
	l.mu.Unlock()
}
