package bearer

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

func TestThrottle(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 5, 1, 10, 0, 15, 0, time.UTC))
	th := &Throttle{FailuresPerMinute: 3, MaxAddresses: 2, Clock: clock}
	for i := 0; i < 3; i++ {
		if w := th.RetryAfter("a"); w != 0 {
			t.Fatalf("failure %d: wait %v", i, w)
		}
		th.Failed("a")
	}
	if w := th.RetryAfter("a"); w != 45*time.Second {
		t.Fatalf("after the allowance: wait %v, want the rest of the minute", w)
	}
	if w := th.RetryAfter("b"); w != 0 {
		t.Fatalf("another address waits %v", w)
	}
	// The map is bounded: a third address is not remembered this minute.
	th.Failed("b")
	for i := 0; i < 5; i++ {
		th.Failed("c")
	}
	if w := th.RetryAfter("c"); w != 0 {
		t.Fatalf("address past the bound is throttled: %v", w)
	}
	clock.Advance(45 * time.Second)
	if w := th.RetryAfter("a"); w != 0 {
		t.Fatalf("next minute: wait %v", w)
	}
}

func TestThrottleDefaults(t *testing.T) {
	th := &Throttle{Clock: idp.NewFakeClock(time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC))}
	for i := 0; i < 59; i++ {
		th.Failed("a")
	}
	if th.RetryAfter("a") != 0 {
		t.Fatal("throttled before 60 failures")
	}
	th.Failed("a")
	if th.RetryAfter("a") == 0 {
		t.Fatal("not throttled after 60 failures")
	}
}

func TestTooManyRequests(t *testing.T) {
	var ae *httpx.APIError
	if err := TooManyRequests(30 * time.Second); !errors.As(err, &ae) || ae.Status != http.StatusTooManyRequests || ae.RetryAfter != 30*time.Second {
		t.Fatalf("TooManyRequests(30s) = %#v", err)
	}
	// A wait that has almost run out still tells the client to wait a second.
	if err := TooManyRequests(0); !errors.As(err, &ae) || ae.RetryAfter != time.Second {
		t.Fatalf("TooManyRequests(0) = %#v", err)
	}
}
