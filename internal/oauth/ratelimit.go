package oauth

import (
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Client authentication throttling (RFC 6819 §4.3.2, §5.1.4.2.3: limit
// online guessing of client secrets; SECURITY-TESTS 25).
const (
	clientAuthMaxFailures = 10          // failures allowed per window
	clientAuthWindow      = time.Minute // window that starts at the first failure
	clientAuthMaxKeys     = 10000       // bound on remembered (tenant, client_id) pairs
)

// failureLimiter counts failures per key in a fixed window that opens at a
// key's first failure. Once a key has max failures it is blocked until the
// window closes. It keeps at most capacity keys, so a flood of distinct
// keys (random client ids) cannot grow memory without bound. It is in
// memory and per process: a cluster of n nodes allows up to n×max guesses
// per window, which is still far from brute-forcing a 256-bit secret.
type failureLimiter struct {
	clock    idp.Clock
	max      int
	window   time.Duration
	capacity int

	mu      sync.Mutex
	entries map[string]*failureWindow
}

// failureWindow is one key's failure count since start.
type failureWindow struct {
	start time.Time
	count int
}

// newFailureLimiter returns a limiter allowing max failures per window for
// at most capacity keys.
func newFailureLimiter(clock idp.Clock, max int, window time.Duration, capacity int) *failureLimiter {
	return &failureLimiter{clock: clock, max: max, window: window, capacity: capacity, entries: make(map[string]*failureWindow)}
}

// blockedFor returns how long key stays blocked, or 0 if it may try now.
func (l *failureLimiter) blockedFor(key string) time.Duration {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[key]
	if !ok {
		return 0
	}
	end := e.start.Add(l.window)
	if !now.Before(end) {
		delete(l.entries, key)
		return 0
	}
	if e.count < l.max {
		return 0
	}
	return end.Sub(now)
}

// fail records one failure for key.
func (l *failureLimiter) fail(key string) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.entries[key]; ok && now.Before(e.start.Add(l.window)) {
		e.count++
		return
	}
	if _, ok := l.entries[key]; !ok && len(l.entries) >= l.capacity {
		l.evictLocked(now)
	}
	l.entries[key] = &failureWindow{start: now, count: 1}
}

// evictLocked makes room for one key: it drops every closed window and,
// if the map is still full, one arbitrary entry (Go randomises map
// iteration order, so an attacker cannot choose which key is forgotten).
func (l *failureLimiter) evictLocked(now time.Time) {
	for k, e := range l.entries {
		if !now.Before(e.start.Add(l.window)) {
			delete(l.entries, k)
		}
	}
	if len(l.entries) < l.capacity {
		return
	}
	for k := range l.entries {
		delete(l.entries, k)
		return
	}
}

// size returns the number of remembered keys (for tests).
func (l *failureLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}
