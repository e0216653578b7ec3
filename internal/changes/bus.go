package changes

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Channel is the PostgreSQL notification channel of the bus.
const Channel = "authalla_changes"

// publishTimeout bounds one pg_notify: the write it announces has
// committed already, so a slow database must not hold the caller.
const publishTimeout = 2 * time.Second

// Subscriber is a cache that can drop what a change names. Invalidate must
// be cheap and must not block: it runs on the publishing request and on
// the listener.
type Subscriber interface {
	Invalidate(ch idp.Change)
}

// SubscriberFunc adapts a function to Subscriber.
type SubscriberFunc func(ch idp.Change)

// Invalidate calls f(ch).
func (f SubscriberFunc) Invalidate(ch idp.Change) { f(ch) }

// Notifier sends a payload on a PostgreSQL notification channel
// (*sqlstore.Store on PostgreSQL satisfies it).
type Notifier interface {
	Notify(ctx context.Context, channel, payload string) error
}

// Options configure a Bus.
type Options struct {
	// Notifier announces changes to the other nodes; nil keeps the bus
	// in-process (SQLite: one node).
	Notifier Notifier
	// Log receives notifications that could not be sent or read.
	// Default: discard.
	Log *slog.Logger
	// Random is the source of the node id (default crypto/rand).
	Random io.Reader
}

// Bus fans changes out to the subscribed caches of this process and, with
// a Notifier, to the other nodes. It is safe for concurrent use.
type Bus struct {
	notifier Notifier
	log      *slog.Logger
	// node tells this process's notifications apart when the listener
	// hears them back: they were delivered locally already.
	node string

	mu   sync.RWMutex
	subs []Subscriber
}

// New returns a Bus.
func New(o Options) *Bus {
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Random == nil {
		o.Random = rand.Reader
	}
	b := make([]byte, 8)
	if _, err := io.ReadFull(o.Random, b); err != nil {
		// Without an id every echo is delivered twice: harmless.
		o.Log.Warn("changes: no random node id", "err", err)
	}
	return &Bus{notifier: o.Notifier, log: o.Log, node: hex.EncodeToString(b)}
}

// Subscribe adds caches to the bus.
func (b *Bus) Subscribe(subs ...Subscriber) {
	b.mu.Lock()
	b.subs = append(b.subs, subs...)
	b.mu.Unlock()
}

// Publish announces a committed change: this process's caches drop it
// now, and other nodes when the notification reaches them. A notification
// that cannot be sent is logged, not returned: the write stands, and the
// other nodes' cache TTLs bound how long they serve the old value.
func (b *Bus) Publish(ch idp.Change) {
	b.Deliver(ch)
	if b.notifier == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), publishTimeout)
	defer cancel()
	if err := b.notifier.Notify(ctx, Channel, encode(b.node, ch)); err != nil {
		b.log.Warn("changes: notify other nodes", "kind", string(ch.Kind), "tenant", ch.TenantID, "err", err)
	}
}

// Deliver hands ch to this process's subscribers only.
func (b *Bus) Deliver(ch idp.Change) {
	b.mu.RLock()
	subs := b.subs
	b.mu.RUnlock()
	for _, s := range subs {
		s.Invalidate(ch)
	}
}

// receive handles a notification payload heard from the database.
func (b *Bus) receive(payload string) {
	node, ch, err := decode(payload)
	if err != nil {
		// Not ours, or from a newer node: drop everything rather than
		// risk serving what it changed.
		b.log.Warn("changes: unreadable notification; dropping every cache", "err", err)
		b.Deliver(idp.ChangeEverything)
		return
	}
	if node == b.node {
		return // published here, delivered already
	}
	b.Deliver(ch)
}
