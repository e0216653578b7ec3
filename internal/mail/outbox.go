package mail

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
)

// outboxSize is how many messages the development outbox keeps.
const outboxSize = 100

// Outbox is the development sender: it writes every message, body
// included, to the log at info level so a developer can read the PIN and
// follow the link, and keeps the last 100 messages in memory. It must not
// be used in production: the log then holds live sign-in secrets.
type Outbox struct {
	log  *slog.Logger
	mu   sync.Mutex
	msgs []Message // oldest first
}

var _ Sender = (*Outbox)(nil)

// NewOutbox returns an empty outbox logging to log (slog.Default if nil).
func NewOutbox(log *slog.Logger) *Outbox {
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{log: log}
}

// Send logs m and keeps it. It never fails.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	o.log.InfoContext(ctx, "development outbox: mail not sent, printed here",
		slog.String("to", m.To), slog.String("subject", m.Subject), slog.String("text", m.Text))
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	if over := len(o.msgs) - outboxSize; over > 0 {
		o.msgs = slices.Delete(o.msgs, 0, over)
	}
	return nil
}

// Messages returns the kept messages, oldest first.
func (o *Outbox) Messages() []Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	return slices.Clone(o.msgs)
}

// Last returns the most recent message to the address to (compared
// case-insensitively).
func (o *Outbox) Last(to string) (Message, bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for i := len(o.msgs) - 1; i >= 0; i-- {
		if strings.EqualFold(o.msgs[i].To, to) {
			return o.msgs[i], true
		}
	}
	return Message{}, false
}
