package e2e

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"
)

// faultConcurrentRefresh is SECURITY-TESTS 52: 50 requests present one
// refresh token at the same moment, over HTTP, for a number of rounds.
//   - Never a 5xx (hydra #3604).
//   - Strict client (grace 0): exactly one 200; the losers' reuse revokes
//     the family, so the winner's new tokens are dead too (RFC 9700
//     §4.14.2) — never two live lineages.
//   - Grace client (30 s, at most 5 reuses): up to 6 presenters within the
//     cap all succeed in one family with the same successor refresh token
//     (one lineage), and revoking one of their tokens
//     (RFC 7009 §2.1) kills them all; 50 presenters exceed the cap, which
//     revokes the family.
func faultConcurrentRefresh(ctx context.Context, t *testing.T, bin, databaseURL string) {
	f := newFaultFixture(ctx, t, bin, databaseURL)
	const racers = 50
	rounds := pick(3, 100)
	c := faultClient(15 * time.Second)

	// race presents rt from n goroutines released together.
	race := func(p *rp, rt string, n int) (wins []tokens, all []answer) {
		var (
			mu    sync.Mutex
			wg    sync.WaitGroup
			start = make(chan struct{})
		)
		for range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tk, a := p.refresh(ctx, c, rt)
				mu.Lock()
				defer mu.Unlock()
				all = append(all, a)
				if a.status == http.StatusOK {
					wins = append(wins, tk)
				}
			}()
		}
		close(start)
		wg.Wait()
		return wins, all
	}
	// noServerErrors fails on a 5xx or a transport error.
	noServerErrors := func(round int, all []answer) {
		t.Helper()
		for _, a := range all {
			if a.err != nil || a.status >= 500 {
				t.Fatalf("round %d: a refresh answered %v (SECURITY-TESTS 52: zero 5xx)", round, a)
			}
			if a.status != http.StatusOK && a.json()["error"] != "invalid_grant" {
				t.Fatalf("round %d: a losing refresh answered %v, want 400 invalid_grant", round, a)
			}
		}
	}
	// dead checks that none of the tokens still works.
	dead := func(round int, p *rp, what string, tks []tokens) {
		t.Helper()
		for _, tk := range tks {
			if ok, a := p.active(ctx, tk.Refresh); ok {
				t.Fatalf("round %d: %s: a refresh token is still active: %v", round, what, a)
			}
			if ok, a := p.active(ctx, tk.Access); ok {
				t.Fatalf("round %d: %s: an access token is still active: %v", round, what, a)
			}
			if _, a := p.refresh(ctx, c, tk.Refresh); a.status == http.StatusOK {
				t.Fatalf("round %d: %s: a refresh token still refreshes", round, what)
			}
		}
	}

	// oneSuccessor checks that every winner got the same refresh token:
	// racers within the grace window converge on one successor, so the
	// family never forks into several live lineages.
	oneSuccessor := func(round int, wins []tokens) {
		t.Helper()
		for _, w := range wins {
			if w.Refresh == "" || w.Refresh != wins[0].Refresh {
				t.Fatalf("round %d: the winners got different refresh tokens (two lineages)", round)
			}
		}
	}

	t.Run("strict", func(t *testing.T) {
		for round := range rounds {
			fam, a := f.strict.newFamily(ctx)
			if fam.Refresh == "" {
				t.Fatalf("new family: %v", a)
			}
			wins, all := race(f.strict, fam.Refresh, racers)
			noServerErrors(round, all)
			if len(wins) != 1 {
				t.Fatalf("round %d: %d of %d concurrent refreshes succeeded, want exactly 1 (strict)", round, len(wins), racers)
			}
			// The 49 losers replayed a rotated token: the family is revoked.
			dead(round, f.strict, "after the losers' replay", wins)
		}
	})

	t.Run("grace within the reuse cap", func(t *testing.T) {
		for round := range rounds {
			fam, a := f.grace.newFamily(ctx)
			if fam.Refresh == "" {
				t.Fatalf("new family: %v", a)
			}
			wins, all := race(f.grace, fam.Refresh, 6) // one rotation + 5 reuses
			noServerErrors(round, all)
			if len(wins) != 6 {
				t.Fatalf("round %d: %d of 6 concurrent refreshes succeeded within the grace window, want 6", round, len(wins))
			}
			oneSuccessor(round, wins)
			for _, w := range wins {
				if ok, a := f.grace.active(ctx, w.Refresh); !ok {
					t.Fatalf("round %d: a winner's refresh token is not active: %v", round, a)
				}
			}
			// One family: revoking one winner's token kills every winner's.
			if a := f.grace.revoke(ctx, wins[0].Refresh); a.status != http.StatusOK {
				t.Fatalf("revoke: %v", a)
			}
			dead(round, f.grace, "after revoking one winner", wins)
		}
	})

	t.Run("grace over the reuse cap", func(t *testing.T) {
		for round := range rounds {
			fam, a := f.grace.newFamily(ctx)
			if fam.Refresh == "" {
				t.Fatalf("new family: %v", a)
			}
			wins, all := race(f.grace, fam.Refresh, racers)
			noServerErrors(round, all)
			if len(wins) < 1 || len(wins) > 6 {
				t.Fatalf("round %d: %d of %d refreshes succeeded, want 1..6 (one rotation + at most 5 reuses)", round, len(wins), racers)
			}
			oneSuccessor(round, wins)
			// The presenters over the cap replayed outside the policy: the
			// family is revoked, so no winner's lineage survives.
			dead(round, f.grace, "after reuse over the cap", wins)
		}
	})
}
