package storetest

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// race runs fn(i) for i in [0, n) on n goroutines released together and
// returns their errors by index.
func race(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

// tally counts nil errors and errors matching want, and reports any other.
func tally(t *testing.T, errs []error, want error) (ok, matched int) {
	t.Helper()
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, want):
			matched++
		default:
			t.Errorf("goroutine %d: unexpected error %v", i, err)
		}
	}
	return ok, matched
}

func testConcurrency(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	at := t0.Add(10 * time.Second)
	t.Run("RedeemAuthCode", func(t *testing.T) {
		const n = 20
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		issues := make([]store.Issue, n)
		for i := range issues {
			issues[i] = issueOf(f.grantValue(tenantA), f.refreshValue(tenantA), f.accessValue(tenantA))
		}
		errs := race(n, func(i int) error { return s.RedeemAuthCode(ctx, tenantA, c.Hash, at, issues[i]) })
		ok, used := tally(t, errs, idp.ErrAlreadyUsed)
		if ok != 1 || used != n-1 {
			t.Fatalf("%d redemptions succeeded and %d saw ErrAlreadyUsed, want 1 and %d", ok, used, n-1)
		}
		for i, err := range errs {
			if err == nil {
				// The replays revoked what the winner got.
				wantRevoked(t, f, tenantA, issues[i], true)
				got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
				must(t, err)
				wantEqual(t, got.GrantID, issues[i].Grant.ID)
				continue
			}
			_, err := s.GetGrant(ctx, tenantA, issues[i].Grant.ID)
			wantErr(t, err, idp.ErrNotFound)
		}
	})
	t.Run("RotateStrict", func(t *testing.T) {
		const n = 50
		iss := f.issue(t, tenantA)
		next := make([]store.Issue, n)
		for i := range next {
			next[i] = issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA))
		}
		errs := race(n, func(i int) error {
			return s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, store.RotateOptions{}, next[i])
		})
		ok, used := tally(t, errs, idp.ErrAlreadyUsed)
		if ok != 1 || used != n-1 {
			t.Fatalf("%d rotations succeeded and %d saw ErrAlreadyUsed, want 1 and %d", ok, used, n-1)
		}
		wantRevoked(t, f, tenantA, iss, true)
	})
	t.Run("RotateGrace", func(t *testing.T) {
		const n = 50
		opts := store.RotateOptions{Grace: 60 * time.Second, MaxReuse: 5}
		iss := f.issue(t, tenantA)
		next := make([]store.Issue, n)
		for i := range next {
			next[i] = issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA))
		}
		errs := race(n, func(i int) error {
			return s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, opts, next[i])
		})
		ok, _ := tally(t, errs, idp.ErrAlreadyUsed)
		if ok < 1 || ok > 1+opts.MaxReuse {
			t.Fatalf("%d rotations succeeded, want 1 to %d", ok, 1+opts.MaxReuse)
		}
		for i, err := range errs {
			if err != nil {
				continue
			}
			rt, g, err := s.GetRefreshToken(ctx, tenantA, next[i].Refresh.Hash)
			must(t, err)
			if rt.GrantID != iss.Grant.ID || g.ID != iss.Grant.ID {
				t.Fatalf("successor %d joined grant %s, want %s", i, rt.GrantID, iss.Grant.ID)
			}
		}
		old, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		wantEqual(t, old.ReuseCount, ok-1)
	})
	t.Run("RotateGraceSameSuccessor", func(t *testing.T) {
		// 50 racers derive the same successor (as the token endpoint
		// does): no insert conflicts, one successor row, one lineage.
		const n = 50
		opts := store.RotateOptions{Grace: 60 * time.Second, MaxReuse: 5}
		iss := f.issue(t, tenantA)
		successor := f.refreshValue(tenantA)
		next := make([]store.Issue, n)
		for i := range next {
			r := *successor
			next[i] = issueOf(nil, &r, f.accessValue(tenantA))
		}
		errs := race(n, func(i int) error {
			return s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, opts, next[i])
		})
		ok, used := tally(t, errs, idp.ErrAlreadyUsed)
		if ok < 1 || ok > 1+opts.MaxReuse || ok+used != n {
			t.Fatalf("%d rotations succeeded and %d saw ErrAlreadyUsed, want 1 to %d and the rest", ok, used, 1+opts.MaxReuse)
		}
		old, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		wantEqual(t, old.SuccessorHash, successor.Hash)
		wantEqual(t, old.ReuseCount, ok-1)
		rt, g, err := s.GetRefreshToken(ctx, tenantA, successor.Hash)
		must(t, err)
		if rt.GrantID != iss.Grant.ID || g.ID != iss.Grant.ID {
			t.Fatalf("successor joined grant %s, want %s", rt.GrantID, iss.Grant.ID)
		}
		// Racers past MaxReuse are replays and revoke the family.
		wantRevoked(t, f, tenantA, iss, used > 0)
	})
	t.Run("RecordPINFailure", func(t *testing.T) {
		const n = 30
		c := f.challengeValue(tenantA)
		must(t, s.CreateLoginChallenge(ctx, tenantA, c))
		counts := make([]int, n)
		errs := race(n, func(i int) error {
			var err error
			counts[i], err = s.RecordPINFailure(ctx, tenantA, c.ID)
			return err
		})
		for _, err := range errs {
			must(t, err)
		}
		sort.Ints(counts)
		for i, got := range counts {
			if got != i+1 {
				t.Fatalf("returned counts %v are not 1..%d", counts, n)
			}
		}
		got, err := s.GetLoginChallenge(ctx, tenantA, c.ID)
		must(t, err)
		wantEqual(t, got.Attempts, n)
	})
	t.Run("ConsumeLoginChallenge", func(t *testing.T) {
		const n = 20
		c := f.challengeValue(tenantA)
		must(t, s.CreateLoginChallenge(ctx, tenantA, c))
		errs := race(n, func(int) error { return s.ConsumeLoginChallenge(ctx, tenantA, c.ID, at) })
		ok, used := tally(t, errs, idp.ErrAlreadyUsed)
		if ok != 1 || used != n-1 {
			t.Fatalf("%d consumptions succeeded and %d saw ErrAlreadyUsed, want 1 and %d", ok, used, n-1)
		}
	})
	t.Run("UpdateClient", func(t *testing.T) {
		const n = 20
		base, err := s.GetClient(ctx, tenantA, clientID)
		must(t, err)
		names := map[string]bool{}
		for i := 0; i < n; i++ {
			names[fmt.Sprintf("name-%d", i)] = true
		}
		errs := race(n, func(i int) error {
			c := *base
			c.Name, c.UpdatedAt = fmt.Sprintf("name-%d", i), at
			return s.UpdateClient(ctx, tenantA, &c)
		})
		for _, err := range errs {
			must(t, err)
		}
		got, err := s.GetClient(ctx, tenantA, clientID)
		must(t, err)
		if !names[got.Name] {
			t.Fatalf("client name %q is none of the written ones", got.Name)
		}
	})
	t.Run("ActivateSigningKey", func(t *testing.T) {
		const n = 8
		for i := 0; i <= n; i++ {
			state := idp.KeyStaged
			if i == 0 {
				state = idp.KeyActive
			}
			must(t, s.CreateSigningKey(ctx, tenantA, &idp.SigningKey{ID: fmt.Sprintf("kid-c%d", i),
				Alg: idp.AlgRS256, State: state, PrivateEnc: []byte{1}, PublicJWK: []byte("{}"), CreatedAt: t0}))
		}
		errs := race(n, func(i int) error {
			return s.ActivateSigningKey(ctx, tenantA, fmt.Sprintf("kid-c%d", i+1), at, at.Add(time.Hour))
		})
		for _, err := range errs {
			must(t, err)
		}
		keys, err := s.ListSigningKeys(ctx, tenantA)
		must(t, err)
		active := 0
		for _, k := range keys {
			switch k.State {
			case idp.KeyActive:
				active++
			case idp.KeyRetired:
				if k.RetiredAt == nil || k.RemoveAfter == nil {
					t.Errorf("retired key %s lacks its times", k.ID)
				}
			default:
				t.Errorf("key %s is still %s", k.ID, k.State)
			}
		}
		wantEqual(t, active, 1)
	})
}
