package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Group commit for SQLite.
//
// With synchronous=FULL every COMMIT in WAL mode waits for an fsync of the
// log, which on ordinary disks costs milliseconds: far more than the few
// statements of a token transaction. SQLite has one writer, so concurrent
// token transactions would otherwise queue for one fsync each. groupTx
// batches the transactions that are waiting when the writer becomes free
// into one SQLite transaction: each runs inside its own SAVEPOINT, so that
// one that fails is rolled back alone, and the batch commits with a single
// fsync. Every caller gets its answer only after the COMMIT that made its
// writes durable (or its own failure), so nothing acknowledged can be lost.
//
// There is no committer goroutine to start or stop: the first caller that
// finds the writer idle leads; it runs batches of whatever is queued, and
// after the batch holding its own transaction hands the lead to the next
// waiting caller, so that no request waits for more than the batch it is
// in and the one before it.

// maxGroupBatch bounds the transactions committed together, so that one
// batch (and the writer lock it holds) stays short.
const maxGroupBatch = 128

// groupCommit is the queue of transactions waiting for the SQLite writer.
// The zero value is ready to use.
type groupCommit struct {
	mu      sync.Mutex
	queue   []*groupTxn
	leading bool // a caller is running batches
}

// groupTxn is one caller's transaction.
type groupTxn struct {
	ctx  context.Context
	fn   func(context.Context, runner) error
	done chan groupResult // buffered (1): the batch never blocks on it
}

// groupResult is what a waiting caller receives: its transaction's outcome,
// or the lead.
type groupResult struct {
	err   error
	lead  bool // run the queued batches now
	panic any  // fn panicked: re-raised in the caller's goroutine
}

// groupTx runs fn as one write transaction, like tx. On SQLite it is
// committed together with the transactions of other callers waiting at the
// same time (see the comment at the top of this file). fn may run on
// another goroutine (the batch leader's); it must use only the runner and
// the context it is given: that context has ctx's values but not its
// cancellation, since interrupting a statement would roll back the whole
// batch. On PostgreSQL, whose commits do not serialise behind one writer,
// it is tx.
func (s *Store) groupTx(ctx context.Context, op string, fn func(context.Context, runner) error) error {
	if s.postgres() {
		return s.tx(ctx, op, func(d runner) error { return fn(ctx, d) })
	}
	if err := ctx.Err(); err != nil {
		return s.wrap(op, err)
	}
	t := &groupTxn{ctx: ctx, fn: fn, done: make(chan groupResult, 1)}
	g := &s.group
	g.mu.Lock()
	g.queue = append(g.queue, t)
	lead := !g.leading
	g.leading = true
	g.mu.Unlock()
	for !lead {
		// Once queued, the transaction is waited for even if ctx ends: it
		// may already be committing, and its caller must not answer before
		// knowing the outcome.
		res := <-t.done
		if res.panic != nil {
			panic(res.panic)
		}
		if !res.lead {
			return s.wrap(op, res.err)
		}
		lead = true
	}
	return s.wrap(op, s.leadGroup(t))
}

// leadGroup runs batches until the one holding own has committed, then
// passes the lead to the next queued caller (if any) and returns own's
// outcome.
func (s *Store) leadGroup(own *groupTxn) error {
	g := &s.group
	for {
		g.mu.Lock()
		n := min(len(g.queue), maxGroupBatch)
		batch := g.queue[:n:n]
		g.queue = g.queue[n:]
		g.mu.Unlock()

		mine := false
		for _, t := range batch {
			if t == own {
				mine = true
			}
		}
		results := s.runBatch(batch)

		var ownRes groupResult
		for i, t := range batch {
			if t == own {
				ownRes = results[i]
				continue
			}
			t.done <- results[i]
		}
		if !mine {
			continue
		}
		g.mu.Lock()
		if len(g.queue) == 0 {
			g.leading = false
		} else {
			g.queue[0].done <- groupResult{lead: true}
		}
		g.mu.Unlock()
		if ownRes.panic != nil {
			panic(ownRes.panic)
		}
		return ownRes.err
	}
}

// runBatch runs batch in one transaction on the writer, each member in its
// own savepoint, and commits once. A member whose fn fails is rolled back
// to its savepoint and gets its error; the others are unaffected. If the
// transaction itself fails (BEGIN, a savepoint statement, COMMIT), every
// member not yet failed gets that error: none of their writes persisted.
func (s *Store) runBatch(batch []*groupTxn) []groupResult {
	results := make([]groupResult, len(batch))
	// The batch outlives no caller's interest in it, but one caller's
	// cancellation must not interrupt a statement of the shared transaction
	// (an interrupted write rolls back the whole transaction).
	ctx := context.Background()
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		for i := range results {
			results[i].err = err
		}
		return results
	}
	d := runner{s: s, x: tx}
	ok := make([]bool, len(batch)) // members whose writes are in the transaction
	abort := func(err error) []groupResult {
		_ = tx.Rollback()
		for i := range batch {
			if ok[i] || results[i].err == nil && results[i].panic == nil {
				results[i] = groupResult{err: fmt.Errorf("group commit: %w", err)}
			}
		}
		return results
	}
	for i, t := range batch {
		if err := t.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if _, err := d.exec(ctx, `SAVEPOINT grp`); err != nil {
			return abort(err)
		}
		res := runMember(context.WithoutCancel(t.ctx), d, t.fn)
		var k *keep
		if res.panic != nil || res.err != nil && !errors.As(res.err, &k) {
			if _, err := d.exec(ctx, `ROLLBACK TO grp`); err != nil {
				results[i] = res
				return abort(err)
			}
			if _, err := d.exec(ctx, `RELEASE grp`); err != nil {
				results[i] = res
				return abort(err)
			}
			results[i] = res
			continue
		}
		if _, err := d.exec(ctx, `RELEASE grp`); err != nil {
			return abort(err)
		}
		ok[i] = true
		if k != nil {
			results[i].err = k.err
		}
	}
	if err := tx.Commit(); err != nil {
		return abort(err)
	}
	s.ckpt.kick()
	return results
}

// runMember runs fn, turning a panic into a result so that the batch can
// roll the member back and the panic surfaces in its caller.
func runMember(ctx context.Context, d runner, fn func(context.Context, runner) error) (res groupResult) {
	defer func() {
		if p := recover(); p != nil {
			res = groupResult{panic: p}
		}
	}()
	return groupResult{err: fn(ctx, d)}
}
