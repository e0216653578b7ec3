package changes

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// recorder is a subscriber that keeps what it was given.
type recorder struct {
	mu  sync.Mutex
	got []idp.Change
}

func (r *recorder) Invalidate(ch idp.Change) {
	r.mu.Lock()
	r.got = append(r.got, ch)
	r.mu.Unlock()
}

func (r *recorder) changes() []idp.Change {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]idp.Change(nil), r.got...)
}

// fakeNotifier keeps payloads, or fails with err.
type fakeNotifier struct {
	mu       sync.Mutex
	channel  string
	payloads []string
	err      error
}

func (f *fakeNotifier) Notify(_ context.Context, channel, payload string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	f.channel = channel
	f.payloads = append(f.payloads, payload)
	return nil
}

func TestPublishDeliversLocallyAndNotifies(t *testing.T) {
	n := &fakeNotifier{}
	b := New(Options{Notifier: n, Random: bytes.NewReader(bytes.Repeat([]byte{1}, 8))})
	r1, r2 := &recorder{}, &recorder{}
	b.Subscribe(r1, r2)
	ch := idp.Change{Kind: idp.ChangeClient, TenantID: "acme", ID: "c1"}
	b.Publish(ch)
	for i, r := range []*recorder{r1, r2} {
		if got := r.changes(); len(got) != 1 || got[0] != ch {
			t.Fatalf("subscriber %d got %v, want [%v]", i, got, ch)
		}
	}
	if n.channel != Channel || len(n.payloads) != 1 {
		t.Fatalf("notified %q %v, want one payload on %q", n.channel, n.payloads, Channel)
	}
	node, got, err := decode(n.payloads[0])
	if err != nil || node != b.node || got != ch {
		t.Fatalf("payload decodes to %q %v %v, want %q %v", node, got, err, b.node, ch)
	}
}

func TestPublishWithoutNotifierIsLocal(t *testing.T) {
	b := New(Options{})
	r := &recorder{}
	b.Subscribe(r)
	b.Publish(idp.Change{Kind: idp.ChangeTenant, TenantID: "acme"})
	if len(r.changes()) != 1 {
		t.Fatalf("got %v, want one change", r.changes())
	}
}

func TestNotifyFailureIsLoggedNotFatal(t *testing.T) {
	var logs bytes.Buffer
	b := New(Options{Notifier: &fakeNotifier{err: errors.New("connection refused")}, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	r := &recorder{}
	b.Subscribe(r)
	b.Publish(idp.Change{Kind: idp.ChangeKeys, TenantID: "acme"})
	if len(r.changes()) != 1 {
		t.Fatalf("local subscribers got %v, want the change despite the failed notify", r.changes())
	}
	if !strings.Contains(logs.String(), "notify other nodes") {
		t.Fatalf("log = %q, want the failed notify", logs.String())
	}
}

func TestReceive(t *testing.T) {
	ch := idp.Change{Kind: idp.ChangeUser, TenantID: "acme", ID: "u1"}
	cases := []struct {
		name    string
		payload func(b *Bus) string
		want    []idp.Change
	}{
		{"another node's change", func(*Bus) string { return encode("other", ch) }, []idp.Change{ch}},
		{"our own echo is skipped", func(b *Bus) string { return encode(b.node, ch) }, nil},
		{"garbage drops everything", func(*Bus) string { return "{not json" }, []idp.Change{idp.ChangeEverything}},
		{"no node drops everything", func(*Bus) string { return `{"k":"client","t":"acme"}` }, []idp.Change{idp.ChangeEverything}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := New(Options{})
			r := &recorder{}
			b.Subscribe(r)
			b.receive(c.payload(b))
			got := r.changes()
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
		})
	}
}

func TestEncodeLongIDNamesTheWholeKind(t *testing.T) {
	long := idp.Change{Kind: idp.ChangeClient, TenantID: "acme", ID: "https://example.com/" + strings.Repeat("a", 9000)}
	p := encode("n1", long)
	if len(p) > maxPayload {
		t.Fatalf("payload of %d bytes, want at most %d", len(p), maxPayload)
	}
	_, got, err := decode(p)
	if err != nil || got != (idp.Change{Kind: idp.ChangeClient, TenantID: "acme"}) {
		t.Fatalf("decoded %v %v, want every client of acme", got, err)
	}
}

func TestSubscriberFunc(t *testing.T) {
	var got idp.Change
	var s Subscriber = SubscriberFunc(func(ch idp.Change) { got = ch })
	s.Invalidate(idp.Change{Kind: idp.ChangeTheme, TenantID: "t"})
	if got.Kind != idp.ChangeTheme {
		t.Fatalf("got %v", got)
	}
}
