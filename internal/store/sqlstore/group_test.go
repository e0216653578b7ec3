package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// waitQueued waits until n transactions are queued behind the group
// commit's current leader.
func waitQueued(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s.group.mu.Lock()
		q := len(s.group.queue)
		s.group.mu.Unlock()
		if q >= n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d transactions queued, want %d", q, n)
		}
		time.Sleep(time.Millisecond)
	}
}

func accountExists(t *testing.T, s *Store, id string) bool {
	t.Helper()
	var n int
	if err := s.r.QueryRowContext(testContext(t), `SELECT COUNT(*) FROM accounts WHERE id = ?`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n == 1
}

// TestGroupCommitIsolatesMembers queues transactions behind a held leader
// so that they run as one batch, and checks that each member's outcome is
// its own: a failure or a panic rolls back only that member, an error
// marked commitThen keeps its writes, and the others commit together.
func TestGroupCommitIsolatesMembers(t *testing.T) {
	s := newSQLite(t)
	ctx := testContext(t)
	insert := func(ctx context.Context, d runner, id string) error {
		_, err := d.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, id, id)
		return err
	}
	errOwn := errors.New("member failed")
	cases := []struct {
		id      string
		after   func() error // what fn returns after its insert
		panics  bool
		want    error
		written bool
	}{
		{id: "ok-1", after: func() error { return nil }, written: true},
		{id: "fails", after: func() error { return errOwn }, want: errOwn},
		{id: "ok-2", after: func() error { return nil }, written: true},
		{id: "keeps", after: func() error { return commitThen(idp.ErrAlreadyUsed) }, want: idp.ErrAlreadyUsed, written: true},
		{id: "panics", panics: true},
		{id: "ok-3", after: func() error { return nil }, written: true},
	}

	entered, release := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- s.groupTx(ctx, "leader", func(ctx context.Context, d runner) error {
			close(entered)
			<-release
			return insert(ctx, d, "leader")
		})
	}()
	<-entered

	var mu sync.Mutex
	txs := map[execer]bool{}
	results := make([]error, len(cases))
	panics := make([]any, len(cases))
	var wg sync.WaitGroup
	for i, tc := range cases {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { panics[i] = recover() }()
			results[i] = s.groupTx(ctx, "member", func(ctx context.Context, d runner) error {
				mu.Lock()
				txs[d.x] = true
				mu.Unlock()
				if err := insert(ctx, d, tc.id); err != nil {
					return err
				}
				if tc.panics {
					panic("member panic")
				}
				return tc.after()
			})
		}()
		// Queue them in order, so that the batch runs them in order.
		waitQueued(t, s, i+1)
	}
	close(release)
	wg.Wait()
	if err := <-leaderDone; err != nil {
		t.Fatalf("leader: %v", err)
	}
	if len(txs) != 1 {
		t.Errorf("the queued members ran in %d transactions, want 1 batch", len(txs))
	}
	for i, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			if tc.panics {
				if panics[i] != "member panic" {
					t.Errorf("panic = %v, want it re-raised in the caller", panics[i])
				}
			} else if tc.want == nil && results[i] != nil || tc.want != nil && !errors.Is(results[i], tc.want) {
				t.Errorf("err = %v, want %v", results[i], tc.want)
			}
			if got := accountExists(t, s, tc.id); got != tc.written {
				t.Errorf("written = %v, want %v", got, tc.written)
			}
		})
	}
	if !accountExists(t, s, "leader") {
		t.Error("the leader's write is missing")
	}
}

// TestGroupCommitCanceledWhileQueued: a transaction whose context ends
// while it waits is not run, and its caller learns so.
func TestGroupCommitCanceledWhileQueued(t *testing.T) {
	s := newSQLite(t)
	ctx := testContext(t)
	entered, release := make(chan struct{}), make(chan struct{})
	leaderDone := make(chan error, 1)
	go func() {
		leaderDone <- s.groupTx(ctx, "leader", func(context.Context, runner) error {
			close(entered)
			<-release
			return nil
		})
	}()
	<-entered
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- s.groupTx(cctx, "member", func(ctx context.Context, d runner) error {
			_, err := d.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES ('late', 'late', 0)`)
			return err
		})
	}()
	waitQueued(t, s, 1)
	cancel()
	close(release)
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if err := <-leaderDone; err != nil {
		t.Fatal(err)
	}
	if accountExists(t, s, "late") {
		t.Error("a canceled transaction was written")
	}
}

// TestGroupCommitUnderLoad runs many concurrent transactions (more than one
// batch holds) and checks that every acknowledged one is durable and each
// caller got its own result.
func TestGroupCommitUnderLoad(t *testing.T) {
	s := newSQLite(t)
	ctx := testContext(t)
	const n = 3*maxGroupBatch + 7
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.groupTx(ctx, "load", func(ctx context.Context, d runner) error {
				id := fmt.Sprintf("acc-%d", i)
				if _, err := d.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, id, id); err != nil {
					return err
				}
				if i%5 == 0 {
					return errors.New("odd one out")
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i := range n {
		want := i%5 != 0
		if (errs[i] == nil) != want {
			t.Errorf("member %d: err = %v", i, errs[i])
		}
		if got := accountExists(t, s, fmt.Sprintf("acc-%d", i)); got != want {
			t.Errorf("member %d: written = %v, want %v", i, got, want)
		}
	}
	s.group.mu.Lock()
	defer s.group.mu.Unlock()
	if s.group.leading || len(s.group.queue) != 0 {
		t.Errorf("group left leading=%v with %d queued", s.group.leading, len(s.group.queue))
	}
}
