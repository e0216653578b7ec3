package oauth

import (
	"context"
	"errors"
	"net/http"
	"runtime"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/httpx"
)

// Admission control for the user-token grants.
//
// A code exchange or a refresh rotation reads the store, waits for its
// commit (an fsync) and signs two tokens. With many connections open, all
// of them run at once: they share the CPU in the scheduler's order, not in
// arrival order, and a request that loses a few rounds of that lottery
// waits many times the median. admission lets a bounded number of grants
// work at a time and queues the others in arrival order, so each waits
// for the ones before it and no longer; the work itself (and the group
// commit's batches, which a handful of concurrent grants keep full) is
// unchanged. The queue is bounded in length and in time: past either, the
// request is refused at once with 503 temporarily_unavailable and
// Retry-After (RFC 6749 §5.2 names no overload error; RFC 9110 §15.6.4),
// instead of waiting for a slot that would come too late for its client.
//
// A granted request yields the processor once before it starts its work
// (runtime.Gosched), so that requests that arrived before it reach the
// queue first. Without that, arrival order was lost before the queue: on
// a busy processor the Go scheduler runs the goroutines it readied itself
// (a request handed a slot, a store read's helpers) ahead of connections
// whose bytes the runtime's background monitor found on the network every
// 10 ms, which wait in the scheduler's global queue, taken one per 61
// scheduling rounds while local work remains. At 64 connections on one
// core that queue held dozens of requests for 0.3-2.5 s while the others
// cycled through the gate (runtime trace: network wake-ups through the
// monitor waited 219-541 ms at p99 and max, those the scheduler polled
// itself 2 ms). A yield puts the granted request behind them in that same
// queue, so the scheduler drains it whenever the yielders leave its local
// queue empty (docs/benchmarks.md, "Code exchange and refresh").

// Admission settings for the user-token grants.
const (
	// grantsPerCPU is how many grants work at once per CPU: enough that
	// one batch commits while the next fills and the CPU signs the ones
	// committed before.
	grantsPerCPU = 8
	// grantQueuePerCPU bounds the waiting grants per CPU.
	grantQueuePerCPU = 256
	// grantMaxWait is the longest a grant waits for its turn.
	grantMaxWait = 2 * time.Second
)

// admission is a FIFO semaphore with a bounded queue and a bounded wait.
// A nil *admission admits everything at once.
type admission struct {
	limit, maxQueue int
	maxWait         time.Duration

	mu      sync.Mutex
	active  int
	waiters []*admitWaiter // in arrival order
}

// admitWaiter is one queued request; ready is closed when it is given a
// slot (granted is then true).
type admitWaiter struct {
	ready   chan struct{}
	granted bool
}

// newGrantAdmission sizes the user grants' admission to this process's
// CPUs.
func newGrantAdmission() *admission {
	n := runtime.GOMAXPROCS(0)
	return &admission{limit: grantsPerCPU * n, maxQueue: grantQueuePerCPU * n, maxWait: grantMaxWait}
}

// errOverloaded is the answer to a request that could not be admitted.
func errOverloaded() error {
	return &httpx.OAuthError{Code: oauthTemporarilyDown, Description: "The server is busy. Try again.", Status: http.StatusServiceUnavailable}
}

// admitGrant waits for the user grants' admission (p.grants). Any failure
// is the 503 of errOverloaded: a request whose client went away while it
// waited gets that too (nobody reads it).
func (p *Provider) admitGrant(ctx context.Context) (release func(), err error) {
	release, err = p.grants.acquire(ctx)
	if err != nil {
		var oe *httpx.OAuthError
		if !errors.As(err, &oe) {
			err = errOverloaded()
		}
		return nil, err
	}
	return release, nil
}

// acquire waits for a slot in arrival order, yields the processor once
// (see the top of this file) and returns the function that gives the slot
// back (call it exactly once). It fails with errOverloaded when
// the queue is full or the wait exceeds maxWait, and with ctx's error
// when the request ends first.
func (a *admission) acquire(ctx context.Context) (release func(), err error) {
	if a == nil {
		return func() {}, nil
	}
	a.mu.Lock()
	if a.active < a.limit && len(a.waiters) == 0 {
		a.active++
		a.mu.Unlock()
		runtime.Gosched()
		return a.release, nil
	}
	if len(a.waiters) >= a.maxQueue {
		a.mu.Unlock()
		return nil, errOverloaded()
	}
	w := &admitWaiter{ready: make(chan struct{})}
	a.waiters = append(a.waiters, w)
	a.mu.Unlock()

	timer := time.NewTimer(a.maxWait)
	defer timer.Stop()
	select {
	case <-w.ready:
		runtime.Gosched()
		return a.release, nil
	case <-timer.C:
		err = errOverloaded()
	case <-ctx.Done():
		err = ctx.Err()
	}
	a.mu.Lock()
	if w.granted {
		// The slot arrived as the wait ended: pass it on.
		a.mu.Unlock()
		a.release()
		return nil, err
	}
	for i, q := range a.waiters {
		if q == w {
			a.waiters = append(a.waiters[:i], a.waiters[i+1:]...)
			break
		}
	}
	a.mu.Unlock()
	return nil, err
}

// release gives a slot back: to the longest-waiting request if any,
// otherwise to the pool.
func (a *admission) release() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.waiters) == 0 {
		a.active--
		return
	}
	w := a.waiters[0]
	a.waiters[0] = nil
	a.waiters = a.waiters[1:]
	w.granted = true
	close(w.ready)
}
