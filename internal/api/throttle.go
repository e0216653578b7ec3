package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// Failed-authentication throttling: a client address that presents too
// many bad tokens is answered 429 for the rest of the minute (RFC 6585
// §4), before any signature is checked, so that token guessing and
// verification floods stay cheap. Per process and in memory.
const (
	authFailuresPerMinute = 60
	throttleMaxAddrs      = 10000
)

// throttle counts authentication failures per client address in
// one-minute buckets.
type throttle struct {
	clock idp.Clock
	mu    sync.Mutex
	// minute is the bucket the counts belong to (Unix minutes); a new
	// minute starts every address afresh.
	minute int64
	counts map[string]int
}

func newThrottle(clock idp.Clock) *throttle {
	return &throttle{clock: clock, counts: map[string]int{}}
}

// retryAfter returns how long addr must wait, or 0 when it may try.
func (t *throttle) retryAfter(addr string) time.Duration {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roll(now)
	if t.counts[addr] < authFailuresPerMinute {
		return 0
	}
	return time.Unix((t.minute+1)*60, 0).Sub(now)
}

// failed records one failed authentication of addr.
func (t *throttle) failed(addr string) {
	now := t.clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.roll(now)
	if _, ok := t.counts[addr]; !ok && len(t.counts) >= throttleMaxAddrs {
		return // full: a flood of addresses is not remembered past the bound
	}
	t.counts[addr]++
}

func (t *throttle) roll(now time.Time) {
	if m := now.Unix() / 60; m != t.minute {
		t.minute = m
		clear(t.counts)
	}
}

// tooManyRequests is the 429 answer.
func tooManyRequests(wait time.Duration) error {
	secs := int(wait / time.Second)
	if wait%time.Second != 0 {
		secs++
	}
	return &retryError{APIError: httpx.APIError{Status: http.StatusTooManyRequests, Code: "too_many_requests",
		Description: "Too many failed authentications from this address; retry later."}, retryAfter: strconv.Itoa(max(secs, 1))}
}

// retryError is an API error with a Retry-After header value.
type retryError struct {
	httpx.APIError
	retryAfter string
}
