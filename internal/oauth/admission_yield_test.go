package oauth

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// TestAdmissionYields checks that a granted request lets the goroutines
// that were already runnable go first (admission.go: connections whose
// requests wait in the scheduler's queues must reach the admission queue
// before a later request starts its work). On one processor a goroutine
// that does not block keeps running, so without the yield the bystander
// never runs before acquire returns. Each case runs 20 times and must
// hold in at least 15: the scheduler takes its global queue first once
// every 61 rounds, which may order a single trial the other way.
func TestAdmissionYields(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const trials, need = 20, 15
	for _, tc := range []struct {
		name  string
		trial func(t *testing.T) bool // whether the bystander ran first
	}{
		{"free slot", func(t *testing.T) bool {
			a := &admission{limit: 1, maxQueue: 1, maxWait: time.Minute}
			var ran atomic.Bool
			go ran.Store(true) // runnable, not running: this goroutine holds the processor
			release, err := a.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			first := ran.Load()
			release()
			return first
		}},
		{"handed over", func(t *testing.T) bool {
			a := &admission{limit: 1, maxQueue: 1, maxWait: time.Minute}
			hold, err := a.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			var ran atomic.Bool
			got := make(chan bool)
			go func() {
				release, err := a.acquire(t.Context())
				if err != nil {
					t.Error(err)
					got <- false
					return
				}
				first := ran.Load()
				release()
				got <- first
			}()
			queued(t, a, 1)
			go ran.Store(true)
			hold() // hands the slot to the waiter, which runs next
			return <-got
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := 0
			for range trials {
				if tc.trial(t) {
					n++
				}
			}
			if n < need {
				t.Fatalf("the runnable goroutine ran before the granted request in %d of %d trials, want at least %d", n, trials, need)
			}
		})
	}
}
