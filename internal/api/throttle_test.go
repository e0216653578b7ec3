package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestThrottle(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 5, 4, 10, 0, 30, 0, time.UTC))
	th := newThrottle(clock)
	for i := range authFailuresPerMinute {
		if w := th.retryAfter("192.0.2.1"); w != 0 {
			t.Fatalf("blocked after %d failures", i)
		}
		th.failed("192.0.2.1")
	}
	if w := th.retryAfter("192.0.2.1"); w != 30*time.Second {
		t.Fatalf("retry after %v, want the rest of the minute", w)
	}
	if w := th.retryAfter("192.0.2.2"); w != 0 {
		t.Fatalf("another address blocked: %v", w)
	}
	clock.Advance(30 * time.Second)
	if w := th.retryAfter("192.0.2.1"); w != 0 {
		t.Fatalf("still blocked in the next minute: %v", w)
	}
	// The number of remembered addresses is bounded.
	for i := range throttleMaxAddrs + 10 {
		th.failed(fmt.Sprintf("10.0.%d.%d", i/256, i%256))
	}
	if n := len(th.counts); n != throttleMaxAddrs {
		t.Fatalf("%d addresses remembered", n)
	}
	if e := tooManyRequests(1500 * time.Millisecond).(*retryError); e.retryAfter != "2" || e.Status != 429 {
		t.Fatalf("%+v", e)
	}
}
