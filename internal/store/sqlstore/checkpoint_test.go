package sqlstore

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// manualCheckpoints stops s's checkpointer goroutine and returns a
// checkpointer on a fresh connection that the test steps by hand.
func manualCheckpoints(t *testing.T, s *Store) *checkpointer {
	t.Helper()
	var path string
	if err := s.r.QueryRowContext(testContext(t), `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		t.Fatal(err)
	}
	if err := s.ckpt.close(); err != nil {
		t.Fatal(err)
	}
	c, err := openCheckpointer(testContext(t), path, s.w)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.close() })
	s.ckpt = c
	return c
}

// insertAccounts commits n transactions of one account each.
func insertAccounts(t *testing.T, s *Store, prefix string, n int) {
	t.Helper()
	ctx := testContext(t)
	for i := range n {
		id := fmt.Sprintf("%s-%05d", prefix, i)
		if _, err := s.writer().exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, id, id); err != nil {
			t.Fatal(err)
		}
	}
}

// walFrames is the number of frames in s's log (a PASSIVE checkpoint
// reports it).
func walFrames(t *testing.T, c *checkpointer) int {
	t.Helper()
	res, err := c.checkpoint(testContext(t), ckptPassive)
	if err != nil {
		t.Fatal(err)
	}
	return res.log
}

// TestCommitsDoNotCheckpoint checks that the writer connection never
// checkpoints inside a commit: past SQLite's default threshold of 1,000
// pages the log keeps every frame until a checkpoint of the store's own.
func TestCommitsDoNotCheckpoint(t *testing.T) {
	s := newSQLite(t)
	c := manualCheckpoints(t, s)
	var auto int
	if err := s.w.QueryRowContext(testContext(t), `PRAGMA wal_autocheckpoint`).Scan(&auto); err != nil {
		t.Fatal(err)
	}
	if auto != 0 {
		t.Errorf("writer wal_autocheckpoint = %d, want 0", auto)
	}
	// 400 commits of four pages or more each: 1,600 frames, well past the
	// 1,000 at which a commit would checkpoint and start the log over.
	ctx := testContext(t)
	big := strings.Repeat("y", 4*4096)
	for i := range 400 {
		if _, err := s.writer().exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, fmt.Sprintf("big-%03d", i), big); err != nil {
			t.Fatal(err)
		}
	}
	size := c.walSize()
	if frames := (size - 32) / (4096 + 24); frames < 1600 {
		t.Fatalf("log of %d bytes (%d frames) after 400 commits of 4 pages: a commit checkpointed", size, frames)
	}
}

// TestCheckpointerBoundsLog checks that the log file stays bounded while
// a reader always holds a snapshot older than the last commit, the
// pattern under which PASSIVE checkpoints never drain the log and SQLite
// never starts it over: each round a reader opens a snapshot and commits
// follow. With the checkpointer's TRUNCATE the reader lets go while the
// step runs (as a request's read ends) and the file stays small; in the
// control case, PASSIVE checkpoints only, it lets go after the step and
// the file grows with every round.
func TestCheckpointerBoundsLog(t *testing.T) {
	const rounds, perRound = 30, 20
	big := strings.Repeat("x", 3000) // about one page per insert
	for _, tc := range []struct {
		name    string
		boundAt int
		bounded bool
	}{
		{name: "truncate", boundAt: 32, bounded: true},
		{name: "passive only", boundAt: 1 << 30, bounded: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newSQLite(t)
			c := manualCheckpoints(t, s)
			c.boundAt = tc.boundAt
			ctx := testContext(t)
			var largest int64
			for r := range rounds {
				tx, err := s.r.BeginTx(ctx, nil)
				if err != nil {
					t.Fatal(err)
				}
				var n int
				if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
					t.Fatal(err)
				}
				for i := range perRound {
					id := fmt.Sprintf("r%02d-%02d", r, i)
					if _, err := s.writer().exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, id, big); err != nil {
						t.Fatal(err)
					}
				}
				largest = max(largest, c.walSize())
				released := make(chan struct{})
				if tc.bounded {
					go func() { _ = tx.Rollback(); close(released) }()
				}
				if err := c.step(ctx); err != nil {
					t.Fatal(err)
				}
				if !tc.bounded {
					_ = tx.Rollback()
					close(released)
				}
				<-released
			}
			frames := (largest - 32) / (4096 + 24)
			// Unbounded, the log holds every round's frames (30 x 20
			// commits of one page or more); bounded, boundAt plus a few
			// rounds' worth even if a TRUNCATE or two find the reader.
			if bound := int64(tc.boundAt + 4*perRound*3); tc.bounded && frames > bound {
				t.Errorf("log file reached %d frames, bound %d", frames, bound)
			}
			if !tc.bounded && frames < rounds*perRound {
				t.Errorf("with PASSIVE checkpoints only the log file stayed at %d frames: the test does not reproduce the starvation", frames)
			}
		})
	}
}

// TestCheckpointerTruncatesWhenIdle checks that the log file is emptied
// once everything is copied and nothing was written for idleTicks steps,
// and not before.
func TestCheckpointerTruncatesWhenIdle(t *testing.T) {
	s := newSQLite(t)
	c := manualCheckpoints(t, s)
	ctx := testContext(t)
	insertAccounts(t, s, "idle", 50)
	for i := range idleTicks {
		if err := c.step(ctx); err != nil {
			t.Fatal(err)
		}
		if c.walSize() == 0 {
			t.Fatalf("log truncated after %d steps, want %d idle steps first", i+1, idleTicks+1)
		}
	}
	if err := c.step(ctx); err != nil {
		t.Fatal(err)
	}
	if n := c.walSize(); n != 0 {
		t.Fatalf("log of %d bytes after %d idle steps, want 0", n, idleTicks+1)
	}
	// Committed data survives in the database file.
	if !accountExists(t, s, "idle-00049") {
		t.Fatal("a committed row is missing after the checkpoint")
	}
	// New writes after the truncation work and reset the idle count.
	insertAccounts(t, s, "after", 3)
	if err := c.step(ctx); err != nil {
		t.Fatal(err)
	}
	if c.walSize() == 0 || walFrames(t, c) == 0 {
		t.Fatal("the log is empty right after new commits")
	}
}

// TestCheckpointerSkipsEmptyLog checks that a step on an empty log runs
// no statement (an idle server does not checkpoint 50 times a second) and
// that the first commit after it is checkpointed again: with the
// checkpointer's connection closed, a step on the empty log still
// succeeds, and a step after a commit fails because it needs the
// connection.
func TestCheckpointerSkipsEmptyLog(t *testing.T) {
	s := newSQLite(t)
	c := manualCheckpoints(t, s)
	ctx := testContext(t)
	insertAccounts(t, s, "skip", 5)
	for c.walSize() != 0 {
		if err := c.step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.step(ctx); err != nil {
		t.Fatalf("a step on an empty log ran a statement: %v", err)
	}
	insertAccounts(t, s, "again", 1)
	if err := c.step(ctx); err == nil {
		t.Fatal("a step after a commit did not checkpoint (no statement on the closed connection)")
	}
}

// TestCheckpointerStopsOnClose checks that Close stops the goroutine and
// waits for it: after Close, the done channel is closed.
func TestCheckpointerStopsOnClose(t *testing.T) {
	s, err := Open(testContext(t), t.TempDir()+"/authalla.db")
	if err != nil {
		t.Fatal(err)
	}
	done := s.ckpt.done
	select {
	case <-done:
		t.Fatal("checkpointer stopped before Close")
	default:
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-done:
	default:
		t.Fatal("Close returned while the checkpointer still ran")
	}
}

// TestCheckpointerRunsOnItsOwn checks that the started goroutine
// checkpoints without help: after writes and some idle intervals the log
// is empty.
func TestCheckpointerRunsOnItsOwn(t *testing.T) {
	s := newSQLite(t)
	insertAccounts(t, s, "bg", 20)
	deadline := time.Now().Add(20 * time.Second)
	for s.ckpt.walSize() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("log still %d bytes after 20 s idle", s.ckpt.walSize())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !accountExists(t, s, "bg-00019") {
		t.Fatal("a committed row is missing")
	}
}

// TestCheckpointerBacksOff checks that a TRUNCATE that a long read blocks
// is not tried again on every step (each try holds writes up for up to
// checkpointBusyMS), that the pause between tries doubles, and that the
// log is emptied once the read ends.
func TestCheckpointerBacksOff(t *testing.T) {
	s := newSQLite(t)
	c := manualCheckpoints(t, s)
	c.boundAt = 8
	ctx := testContext(t)
	long, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := long.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	insertAccounts(t, s, "long", 20)
	// tried: whether each step held the writer for a TRUNCATE.
	var tried []bool
	for range 8 {
		before := c.holdOff
		res, err := c.stepResult(ctx)
		if err != nil {
			t.Fatal(err)
		}
		attempted := before == 0
		tried = append(tried, attempted)
		if attempted && !res.busy {
			t.Fatal("TRUNCATE finished while a reader held an older snapshot")
		}
	}
	// Tries at steps 1, 3, 6: skip 1, then 2, then 4.
	want := []bool{true, false, true, false, false, true, false, false}
	for i := range want {
		if tried[i] != want[i] {
			t.Fatalf("TRUNCATE tries by step %v, want %v", tried, want)
		}
	}
	_ = long.Rollback()
	for c.holdOff > 0 {
		if err := c.step(ctx); err != nil {
			t.Fatal(err)
		}
	}
	res, err := c.stepResult(ctx)
	if err != nil || res.busy {
		t.Fatalf("TRUNCATE after the read ended: %+v, %v", res, err)
	}
	if c.backoff != 0 {
		t.Fatalf("backoff %d after a TRUNCATE that finished, want 0", c.backoff)
	}
	insertAccounts(t, s, "after", 1)
	if got := walFrames(t, c); got > 4 {
		t.Fatalf("log of %d frames after one commit: it was not started over", got)
	}
}

// TestCheckpointerParksUntilACommit checks that a checkpointer with an
// empty log sleeps its parked interval instead of stepping every
// interval, and that a commit of the store wakes it at once: with the
// parked interval an hour, only the commit's kick can bring the log back
// to empty.
func TestCheckpointerParksUntilACommit(t *testing.T) {
	s := newSQLite(t)
	c := manualCheckpoints(t, s)
	c.run(5*time.Millisecond, time.Hour)
	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("after 20 s: %s", what)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	// The writes of the store's set-up are copied and, once idle, the
	// log is truncated: then the goroutine parks.
	waitFor("the checkpointer never parked", func() bool { return c.parked.Load() && c.walSize() == 0 })
	for round := range 3 {
		insertAccounts(t, s, fmt.Sprintf("kick%d", round), 5)
		if c.walSize() == 0 {
			t.Fatal("a commit left the log empty")
		}
		// idleTicks steps of 5 ms after the commit, then TRUNCATE: well
		// under the hour the parked goroutine would otherwise sleep.
		waitFor(fmt.Sprintf("round %d: the log was not emptied after a commit woke the checkpointer", round),
			func() bool { return c.walSize() == 0 })
		waitFor(fmt.Sprintf("round %d: the checkpointer did not park again", round), c.parked.Load)
	}
	if !accountExists(t, s, "kick2-00004") {
		t.Fatal("a committed row is missing")
	}
}

// TestKickNilCheckpointer: a PostgreSQL store has no checkpointer and its
// commits call kick on nil.
func TestKickNilCheckpointer(t *testing.T) {
	var c *checkpointer
	c.kick()
}
