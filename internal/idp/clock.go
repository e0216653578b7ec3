package idp

import (
	"sync"
	"time"
)

// Clock tells the time. Production uses SystemClock; tests inject a
// FakeClock so that expiry rules are checked without sleeping.
type Clock interface {
	Now() time.Time
}

// SystemClock is the wall clock, truncated to microseconds so that values
// round-trip through both databases unchanged.
type SystemClock struct{}

// Now returns the current UTC time.
func (SystemClock) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// FakeClock is a settable clock for tests. The zero value starts at the Unix
// epoch; use NewFakeClock for a realistic start.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a FakeClock set to t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t.UTC().Truncate(time.Microsecond)} }

// Now returns the fake time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the fake time forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the fake time to t.
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t.UTC().Truncate(time.Microsecond)
}
