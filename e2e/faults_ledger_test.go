package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// ledger is the load generator's record of acknowledged writes (SECURITY-
// TESTS 49): only a 2xx answer adds to it. A write whose answer never came
// (the server was killed mid-request) is "uncertain": its family is left
// out of the liveness checks, but every token already known dead stays in
// the dead list.
type ledger struct {
	mu        sync.Mutex
	users     []string // ids of created users
	clients   []string // client_ids of created clients
	live      map[*family]bool
	dead      []deadToken
	uncertain int
	acked     atomic.Int64
	refused   atomic.Int64 // 503 with Retry-After and other documented refusals
}

// family is one refresh-token lineage of a relying party.
type family struct {
	p       *rp
	current tokens
	busy    bool
}

// deadToken is a token that must never be valid again.
type deadToken struct {
	p       *rp
	token   string
	refresh bool
	why     string
}

func newLedger() *ledger { return &ledger{live: map[*family]bool{}} }

// take removes a random idle live family for an operation.
func (l *ledger) take(r *rand.Rand) *family {
	l.mu.Lock()
	defer l.mu.Unlock()
	for f := range l.live {
		if !f.busy && r.IntN(3) == 0 {
			f.busy = true
			return f
		}
	}
	return nil
}

// release gives a family back after an operation.
func (l *ledger) release(f *family) {
	l.mu.Lock()
	defer l.mu.Unlock()
	f.busy = false
}

// loadStep runs one random operation against the server and records its
// outcome; unexpected statuses are reported through bad.
func (l *ledger) loadStep(ctx context.Context, r *rand.Rand, c *http.Client, fx *faultFixture, seq int64, bad func(string, answer)) {
	judge := func(op string, a answer) bool {
		switch {
		case a.err != nil:
			return false // no answer: the outcome is unknown
		case a.status >= 200 && a.status < 300:
			l.acked.Add(1)
			return true
		case !acceptableUnderFault(a) || leaksInternals(a):
			bad(op, a)
		default:
			l.refused.Add(1)
		}
		return false
	}
	switch op := r.IntN(10); {
	case op < 2: // create a user
		a := fx.mach.call(ctx, c, http.MethodPost, "/api/v1/users", map[string]any{"email": fmt.Sprintf("u%d-%d@faults.test", seq, r.Int64())})
		if judge("create user", a) {
			id, _ := a.json()["id"].(string)
			l.mu.Lock()
			l.users = append(l.users, id)
			l.mu.Unlock()
		}
	case op < 3: // create a client
		a := fx.mach.call(ctx, c, http.MethodPost, "/api/v1/clients", map[string]any{"name": fmt.Sprintf("c%d", seq), "type": "backend"})
		if judge("create client", a) {
			id, _ := a.json()["client_id"].(string)
			l.mu.Lock()
			l.clients = append(l.clients, id)
			l.mu.Unlock()
		}
	case op < 5: // a new family (authorization code + exchange)
		p := fx.strict
		if r.IntN(2) == 0 {
			p = fx.grace
		}
		tk, a := p.newFamily(ctx)
		if judge("code exchange", a) && tk.Refresh != "" {
			l.mu.Lock()
			l.live[&family{p: p, current: tk}] = true
			l.mu.Unlock()
		}
	case op < 9: // rotate
		f := l.take(r)
		if f == nil {
			return
		}
		defer l.release(f)
		tk, a := f.p.refresh(ctx, c, f.current.Refresh)
		ok := judge("refresh", a)
		l.mu.Lock()
		defer l.mu.Unlock()
		switch {
		case ok:
			// The presented token is rotated away: replaying it must never
			// work again. (The grace client may reuse it within its window,
			// so only the strict client's rotated tokens are listed.)
			if f.p == fx.strict {
				l.dead = append(l.dead, deadToken{p: f.p, token: f.current.Refresh, refresh: true, why: "rotated away"})
			}
			f.current = tk
		case (a.err != nil && !neverSent(a.err)) || a.status >= 500:
			delete(l.live, f)
			l.uncertain++
		default:
			// A documented refusal (503) leaves the token as it was.
		}
	default: // revoke a family
		f := l.take(r)
		if f == nil {
			return
		}
		defer l.release(f)
		a := f.p.revoke(ctx, f.current.Refresh)
		ok := judge("revoke", a)
		l.mu.Lock()
		defer l.mu.Unlock()
		switch {
		case ok:
			delete(l.live, f)
			l.dead = append(l.dead, deadToken{p: f.p, token: f.current.Refresh, refresh: true, why: "revoked"},
				deadToken{p: f.p, token: f.current.Access, why: "access token of a revoked family"})
		case (a.err != nil && !neverSent(a.err)) || a.status >= 500:
			delete(l.live, f)
			l.uncertain++
		}
	}
}

// neverSent reports a transport error that proves the request never
// reached a server: the connection was refused (the server is down).
func neverSent(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) }

// runLoad runs workers until ctx ends or stop is closed.
func (l *ledger) runLoad(ctx context.Context, stop <-chan struct{}, workers int, fx *faultFixture, bad func(string, answer)) *sync.WaitGroup {
	var wg sync.WaitGroup
	var seq atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			c := faultClient(10 * time.Second)
			for {
				select {
				case <-stop:
					return
				case <-ctx.Done():
					return
				default:
				}
				l.loadStep(ctx, r, c, fx, seq.Add(1), bad)
			}
		}()
	}
	return &wg
}

// verify checks the ledger against a running server: every acknowledged
// user and client is there, every live family's token is active, and no
// dead token is valid (introspection). With replay it also presents every
// dead refresh token at the token endpoint, which must refuse it; that
// comes last and only at the end, since replaying a rotated token revokes
// its family by design.
func (l *ledger) verify(ctx context.Context, t *testing.T, fx *faultFixture, when string, replay bool) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	c := faultClient(10 * time.Second)
	for _, id := range l.users {
		if a := fx.mach.call(ctx, c, http.MethodGet, "/api/v1/users/"+id, nil); a.status != http.StatusOK {
			t.Fatalf("%s: acknowledged user %s is gone: %v", when, id, a)
		}
	}
	for _, id := range l.clients {
		if a := fx.mach.call(ctx, c, http.MethodGet, "/api/v1/clients/"+id, nil); a.status != http.StatusOK {
			t.Fatalf("%s: acknowledged client %s is gone: %v", when, id, a)
		}
	}
	for f := range l.live {
		if ok, a := f.p.active(ctx, f.current.Refresh); !ok {
			t.Fatalf("%s: the acknowledged refresh token of a live family is not active: %v", when, a)
		}
	}
	for _, d := range l.dead {
		if ok, a := d.p.active(ctx, d.token); ok {
			t.Fatalf("%s: a %s token is active again (SECURITY-TESTS 49): %v", when, d.why, a)
		}
		if d.refresh && replay {
			if _, a := d.p.refresh(ctx, c, d.token); a.status == http.StatusOK {
				t.Fatalf("%s: a %s refresh token refreshed again (SECURITY-TESTS 49)", when, d.why)
			}
		}
	}
	// Replays revoked the families of rotated tokens: forget them as live.
	for f := range l.live {
		if !replay {
			break
		}
		if ok, _ := f.p.active(ctx, f.current.Refresh); !ok {
			l.dead = append(l.dead, deadToken{p: f.p, token: f.current.Refresh, refresh: true, why: "replay-revoked"})
			delete(l.live, f)
		}
	}
}
