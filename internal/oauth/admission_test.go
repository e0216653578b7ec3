package oauth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
)

// queued waits until a has n waiters.
func queued(t *testing.T, a *admission, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.mu.Lock()
		got := len(a.waiters)
		a.mu.Unlock()
		if got == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters, want %d", got, n)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestAdmissionFIFO checks that waiting requests get their slot in arrival
// order, one per release.
func TestAdmissionFIFO(t *testing.T) {
	a := &admission{limit: 1, maxQueue: 10, maxWait: time.Minute}
	first, err := a.acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	order := make(chan int, 4)
	releases := make([]chan struct{}, 4)
	var wg sync.WaitGroup
	for i := range releases {
		releases[i] = make(chan struct{})
		wg.Go(func() {
			release, err := a.acquire(t.Context())
			if err != nil {
				t.Error(err)
				return
			}
			order <- i
			<-releases[i]
			release()
		})
		queued(t, a, i+1) // arrival order is the start order
	}
	first()
	for want := range releases {
		if got := <-order; got != want {
			t.Fatalf("admitted %d, want %d", got, want)
		}
		close(releases[want])
	}
	wg.Wait()
	if a.active != 0 || len(a.waiters) != 0 {
		t.Fatalf("after all releases: active %d, waiters %d", a.active, len(a.waiters))
	}
}

// TestAdmissionRefusals checks each way a request is refused, and that a
// refused waiter leaves the queue.
func TestAdmissionRefusals(t *testing.T) {
	cancelled, cancel := context.WithCancel(t.Context())
	cancel()
	for _, tc := range []struct {
		name     string
		maxQueue int
		maxWait  time.Duration
		ctx      context.Context
		want     func(error) bool
	}{
		{name: "queue full", maxQueue: 0, maxWait: time.Minute, ctx: t.Context(), want: isOverloaded},
		{name: "waited too long", maxQueue: 5, maxWait: 20 * time.Millisecond, ctx: t.Context(), want: isOverloaded},
		{name: "request ended", maxQueue: 5, maxWait: time.Minute, ctx: cancelled, want: func(err error) bool { return errors.Is(err, context.Canceled) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &admission{limit: 1, maxQueue: tc.maxQueue, maxWait: tc.maxWait}
			hold, err := a.acquire(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			release, err := a.acquire(tc.ctx)
			if err == nil || !tc.want(err) {
				t.Fatalf("acquire = %v, want a refusal", err)
			}
			if release != nil {
				t.Fatal("a refused acquire returned a release function")
			}
			if len(a.waiters) != 0 {
				t.Fatalf("%d waiters left after the refusal", len(a.waiters))
			}
			hold()
			if a.active != 0 {
				t.Fatalf("active %d after the last release", a.active)
			}
		})
	}
}

func isOverloaded(err error) bool {
	var oe *httpx.OAuthError
	return errors.As(err, &oe) && oe.Status == http.StatusServiceUnavailable && oe.Code == oauthTemporarilyDown
}

// TestAdmissionBound runs many requests with short waits against a small
// limit and checks that no more than the limit ever work at once and that
// every slot comes back, including those granted just as a wait ended.
func TestAdmissionBound(t *testing.T) {
	a := &admission{limit: 3, maxQueue: 8, maxWait: 2 * time.Millisecond}
	var working, peak, admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 50 {
				release, err := a.acquire(t.Context())
				if err != nil {
					if !isOverloaded(err) {
						t.Error(err)
					}
					refused.Add(1)
					continue
				}
				n := working.Add(1)
				for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
				}
				admitted.Add(1)
				time.Sleep(100 * time.Microsecond)
				working.Add(-1)
				release()
			}
		})
	}
	wg.Wait()
	if peak.Load() > 3 {
		t.Errorf("%d worked at once, limit 3", peak.Load())
	}
	if a.active != 0 || len(a.waiters) != 0 {
		t.Errorf("after the run: active %d, waiters %d", a.active, len(a.waiters))
	}
	if admitted.Load() == 0 || refused.Load() == 0 {
		t.Errorf("admitted %d, refused %d: want both (the test must exercise the bounds)", admitted.Load(), refused.Load())
	}
}

// TestAdmissionNil checks that a Provider without admission (built
// without its token routes) admits every grant.
func TestAdmissionNil(t *testing.T) {
	var p Provider
	for range 3 {
		release, err := p.admitGrant(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		release()
	}
}

// TestAdmissionRefusalResponse checks the response a refused grant gets:
// 503 temporarily_unavailable with Retry-After, never cached. A request
// that ended while it waited gets the same.
func TestAdmissionRefusalResponse(t *testing.T) {
	p := &Provider{grants: &admission{limit: 1, maxQueue: 4, maxWait: time.Minute}}
	hold, err := p.admitGrant(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer hold()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = p.admitGrant(ctx)
	if !isOverloaded(err) {
		t.Fatalf("admitGrant with an ended request = %v, want the 503", err)
	}
	w := httptest.NewRecorder()
	httpx.WriteError(w, httptest.NewRequest(http.MethodPost, "/oauth2/token", nil), err)
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("response %d, Retry-After %q, Cache-Control %q", w.Code, w.Header().Get("Retry-After"), w.Header().Get("Cache-Control"))
	}
}
