package oauth

import (
	"fmt"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestFailureLimiterBlocksAfterMaxAndReopens(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l := newFailureLimiter(clock, 3, time.Minute, 100)
	for i := 0; i < 3; i++ {
		if d := l.blockedFor("k"); d != 0 {
			t.Fatalf("attempt %d blocked for %v", i, d)
		}
		l.fail("k")
	}
	clock.Advance(10 * time.Second)
	if d := l.blockedFor("k"); d != 50*time.Second {
		t.Fatalf("blockedFor = %v, want 50s", d)
	}
	if d := l.blockedFor("other"); d != 0 {
		t.Fatalf("an unrelated key is blocked for %v", d)
	}
	clock.Advance(50*time.Second - time.Microsecond)
	if d := l.blockedFor("k"); d != time.Microsecond {
		t.Fatalf("just before the window closes: blockedFor = %v, want 1µs", d)
	}
	clock.Advance(time.Microsecond)
	if d := l.blockedFor("k"); d != 0 {
		t.Fatalf("at the window's end: blockedFor = %v, want 0", d)
	}
}

func TestFailureLimiterWindowStartsAtFirstFailure(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l := newFailureLimiter(clock, 2, time.Minute, 100)
	l.fail("k")
	clock.Advance(time.Minute) // the first window closed
	l.fail("k")
	if d := l.blockedFor("k"); d != 0 {
		t.Fatalf("failures in two windows add up: blocked for %v", d)
	}
	l.fail("k")
	if d := l.blockedFor("k"); d != time.Minute {
		t.Fatalf("blockedFor = %v, want 1m", d)
	}
}

func TestFailureLimiterIsBounded(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	l := newFailureLimiter(clock, 10, time.Minute, 50)
	for i := 0; i < 1000; i++ {
		l.fail(fmt.Sprintf("key-%d", i))
	}
	if n := l.size(); n > 50 {
		t.Fatalf("limiter holds %d keys, cap is 50", n)
	}
	// Closed windows are dropped first.
	clock.Advance(time.Minute)
	l.fail("fresh")
	if n := l.size(); n != 1 {
		t.Fatalf("after every window closed the limiter holds %d keys, want 1", n)
	}
}
