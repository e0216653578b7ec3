package app

import (
	"context"
	"io"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/changes"
	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
)

// TestListenForChangesDelay: the change listener subscribes only after its
// delay, and then drops every cache of the process (so nothing another
// node changed meanwhile is served from a cache); a server stopping during
// the delay never connects.
func TestListenForChangesDelay(t *testing.T) {
	admin := os.Getenv("AUTHALLA_TEST_POSTGRES_URL")
	if admin == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and AUTHALLA_TEST_POSTGRES_URL is not")
		}
		t.Skip("AUTHALLA_TEST_POSTGRES_URL is not set")
	}
	cases := []struct {
		name      string
		delay     time.Duration
		runFor    time.Duration
		wantHeard bool
	}{
		{"stopped during the delay", time.Hour, 300 * time.Millisecond, false},
		{"after the delay", 50 * time.Millisecond, 30 * time.Second, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			log := newLogger(io.Discard, "error")
			bus := changes.New(changes.Options{Log: log})
			var mu sync.Mutex
			var heard []idp.Change
			subscribed := make(chan struct{}, 1)
			bus.Subscribe(changes.SubscriberFunc(func(ch idp.Change) {
				mu.Lock()
				heard = append(heard, ch)
				mu.Unlock()
				select {
				case subscribed <- struct{}{}:
				default:
				}
			}))
			d := &deps{cfg: &config.Config{DatabaseURL: admin}, log: log, changes: bus}
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			started := time.Now()
			wait, err := listenForChanges(ctx, d, tc.delay)
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-subscribed:
			case <-time.After(tc.runFor):
			}
			took := time.Since(started)
			cancel()
			wait()
			mu.Lock()
			defer mu.Unlock()
			if got := len(heard) > 0; got != tc.wantHeard {
				t.Fatalf("heard %v, want a subscription: %v", heard, tc.wantHeard)
			}
			if tc.wantHeard && (heard[0] != idp.ChangeEverything || took < tc.delay) {
				t.Fatalf("heard %v after %s, want everything dropped after %s", heard, took, tc.delay)
			}
		})
	}
}
