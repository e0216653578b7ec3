package mail

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestOutbox(t *testing.T) {
	var logs bytes.Buffer
	o := NewOutbox(slog.New(slog.NewTextHandler(&logs, nil)))
	ctx := context.Background()
	if _, ok := o.Last("nobody@example.com"); ok {
		t.Fatal("Last on an empty outbox found a message")
	}
	for i := range outboxSize + 5 {
		to := fmt.Sprintf("user%d@example.com", i%7)
		if err := o.Send(ctx, Message{To: to, Subject: fmt.Sprintf("s%d", i), Text: fmt.Sprintf("your code 1%05d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := o.Messages()
	if len(msgs) != outboxSize || msgs[0].Subject != "s5" || msgs[len(msgs)-1].Subject != fmt.Sprintf("s%d", outboxSize+4) {
		t.Fatalf("outbox kept %d messages from %s to %s; want the last %d", len(msgs), msgs[0].Subject, msgs[len(msgs)-1].Subject, outboxSize)
	}
	msgs[0].Subject = "mutated"
	if o.Messages()[0].Subject == "mutated" {
		t.Error("Messages returned the outbox's own slice")
	}

	last, ok := o.Last("USER3@example.com")
	// i = 101 is the last i with i%7 == 3 below 105.
	if !ok || last.Subject != "s101" {
		t.Errorf("Last(USER3) = %+v, %v; want s101", last, ok)
	}
	if !strings.Contains(logs.String(), "your code 100104") || !strings.Contains(logs.String(), "level=INFO") {
		t.Errorf("the log does not show the body at info level:\n%.300s", logs.String())
	}
}
