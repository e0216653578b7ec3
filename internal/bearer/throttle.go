package bearer

import (
	"net/http"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// Throttle limits failed authentications per client address: an address
// that presented FailuresPerMinute tokens that are not ours (ErrForged)
// is answered 429 (RFC 6585 §4) for the rest of the minute, before any
// signature is checked, so that guessing and verification floods stay
// cheap. Honest clients with an expired or revoked token are not counted.
// Counts are per process, in memory, bounded to MaxAddresses per minute.
type Throttle struct {
	// FailuresPerMinute is the allowance per address (default 60).
	FailuresPerMinute int
	// MaxAddresses bounds the addresses remembered per minute (default
	// 10000); a spray of more addresses is not remembered past it.
	MaxAddresses int
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock

	mu     sync.Mutex
	minute int64 // the Unix minute the counts belong to
	counts map[string]int
}

// RetryAfter returns how long addr must wait, or 0 when it may try.
func (t *Throttle) RetryAfter(addr string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.roll()
	limit := t.FailuresPerMinute
	if limit <= 0 {
		limit = 60
	}
	if t.counts[addr] < limit {
		return 0
	}
	return time.Unix((t.minute+1)*60, 0).Sub(now)
}

// Failed records one failed authentication of addr.
func (t *Throttle) Failed(addr string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roll()
	max := t.MaxAddresses
	if max <= 0 {
		max = 10000
	}
	if _, ok := t.counts[addr]; !ok && len(t.counts) >= max {
		return
	}
	t.counts[addr]++
}

// roll starts a new bucket when the minute changed and returns now.
func (t *Throttle) roll() time.Time {
	clock := t.Clock
	if clock == nil {
		clock = idp.SystemClock{}
	}
	now := clock.Now()
	if m := now.Unix() / 60; m != t.minute || t.counts == nil {
		t.minute = m
		t.counts = map[string]int{}
	}
	return now
}

// TooManyRequests is the 429 answer to an address the Throttle holds back
// (RFC 6585 §4), with Retry-After set to the rest of its minute.
func TooManyRequests(wait time.Duration) error {
	return &httpx.APIError{Status: http.StatusTooManyRequests, Code: "too_many_requests",
		Description: "Too many failed authentications from this address; retry later.", RetryAfter: max(wait, time.Second)}
}
