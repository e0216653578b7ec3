package login

import (
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// limiter is a fixed-window counter per key, in memory. It bounds how many
// emails one address receives and how many attempts one client makes
// (SECURITY-TESTS 37); it is per process, so with several replicas the
// effective limit is multiplied by their number. Memory is bounded by
// maxKeys: expired windows are swept when the table is full, and if that
// frees nothing the table starts over.
type limiter struct {
	clock   idp.Clock
	max     int
	window  time.Duration
	maxKeys int

	mu   sync.Mutex
	keys map[string]*bucket
}

type bucket struct {
	start time.Time
	n     int
}

// Limit is one rate: at most Max events per Window.
type Limit struct {
	Max    int
	Window time.Duration
}

func newLimiter(clock idp.Clock, l Limit, maxKeys int) *limiter {
	return &limiter{clock: clock, max: l.Max, window: l.Window, maxKeys: maxKeys, keys: map[string]*bucket{}}
}

// allow counts one event for key and reports whether it is within the
// limit; when it is not, it also returns how long until the window ends.
func (l *limiter) allow(key string) (bool, time.Duration) {
	if l == nil || l.max <= 0 {
		return true, 0
	}
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.keys[key]
	if ok && !now.Before(b.start.Add(l.window)) {
		ok = false
	}
	if !ok {
		if len(l.keys) >= l.maxKeys {
			l.sweep(now)
		}
		b = &bucket{start: now}
		l.keys[key] = b
	}
	if b.n >= l.max {
		return false, b.start.Add(l.window).Sub(now)
	}
	b.n++
	return true, 0
}

// sweep drops expired windows, or everything if none has expired.
func (l *limiter) sweep(now time.Time) {
	for k, b := range l.keys {
		if !now.Before(b.start.Add(l.window)) {
			delete(l.keys, k)
		}
	}
	if len(l.keys) >= l.maxKeys {
		l.keys = map[string]*bucket{}
	}
}
