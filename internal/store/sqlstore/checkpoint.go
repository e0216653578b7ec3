package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// WAL checkpoints for SQLite, off the request path.
//
// In WAL mode a commit appends pages to the -wal file; a checkpoint copies
// them back into the database file and fsyncs that file. By default SQLite
// runs the checkpoint inside whichever commit takes the log past 1,000
// pages (wal_autocheckpoint): that request waits for the copy and the
// fsync, and so does every write queued behind it on the single writer.
// Under load that was most of the token endpoint's latency tail.
//
// So the writer connection has automatic checkpoints off
// (wal_autocheckpoint(0)), and the store's checkpointer goroutine runs them
// on a connection of its own, one at a time:
//
//   - Every checkpointInterval, a PASSIVE checkpoint. It copies the frames
//     no reader still needs, never waits for a reader or the writer, and
//     commits carry on while it runs. (The log's length is only reported by
//     a checkpoint, so the trigger is time, not a page count; a call with
//     nothing to copy costs microseconds and no fsync.)
//   - When the log holds boundFrames frames or more, a TRUNCATE checkpoint
//     while the store's writer connection is held. Under steady writes
//     SQLite never starts the log over by itself: that needs a moment with
//     the log fully copied and no reader on it, and some reader is always
//     on it. (A RESTART checkpoint was not enough: under load, readers
//     were back on the log before the next commit, which then appended.
//     TRUNCATE resets the log inside the checkpoint.) The pause is the copy
//     of the frames written since the last PASSIVE checkpoint, one fsync,
//     and up to checkpointBusyMS for readers to let go of the log; if they
//     do not, the checkpoint gives up and is tried again later, less and
//     less often while it keeps failing. This bounds the log file.
//   - When the log is fully copied and nothing was written for idleTicks
//     intervals, the same TRUNCATE checkpoint empties the file.
//   - With the log empty there is nothing to do until something commits, so
//     the goroutine parks: it sleeps parkedInterval instead of
//     checkpointInterval, and the store wakes it when one of its writes
//     commits (kick). An idle server, or one answering only reads and
//     client_credentials tokens, is not woken 50 times a second: those
//     wake-ups cost it about 2 % of a core (17 ms of CPU a second, measured
//     with /proc/PID/stat on an idle server), which the load benchmarks
//     count against it. Writes of another process on the same file (the
//     CLI with --local) are seen within parkedInterval.
//
// Durability is unchanged: every commit still fsyncs the log before it
// returns (synchronous=FULL), and a checkpoint fsyncs the database file
// before the log it copied may be overwritten.

// Checkpoint settings.
const (
	// checkpointInterval: small steps, so that a burst of commits (3,000
	// authorization codes minted at once) is copied and fsynced into the
	// database file a little at a time while it is written, not in one
	// long copy and fsync that the next commits' log fsyncs queue behind.
	// With 100 ms, bench's code exchange at 64 connections showed bursts
	// of 4 x p50 requests right after the minting; with 20 ms none in 8 runs (see
	// docs/benchmarks.md). A tick with nothing to copy costs microseconds.
	checkpointInterval = 20 * time.Millisecond
	// boundFrames is 4,096 pages: 16 MiB of log with 4 KiB pages, about a
	// second of code exchanges at full speed. (With 64 MiB the pauses were
	// rarer but longer: BenchmarkCommitTail's slowest commit took 480-520
	// ms, against 140-300 ms with 16 MiB, on the same loaded machine.)
	boundFrames = 4096
	idleTicks   = 50 // 1 s at checkpointInterval
	// parkedInterval is the step interval while the log is empty and no
	// write of this store has committed since.
	parkedInterval = time.Second
	// checkpointBusyMS is the checkpointer connection's busy timeout: how
	// long a TRUNCATE checkpoint waits for readers (and for another
	// process's writer) while writes wait. Past it the checkpoint is tried
	// again on a later tick.
	checkpointBusyMS = 20
	// writerWait bounds how long the checkpointer waits for the writer
	// connection before a TRUNCATE checkpoint.
	writerWait = time.Second
	// maxHoldOff is the longest backoff of TRUNCATE, in steps
	// (6.4 s at checkpointInterval).
	maxHoldOff = 320
)

// Checkpoint modes (https://sqlite.org/pragma.html#pragma_wal_checkpoint).
const (
	ckptPassive  = "PASSIVE"
	ckptTruncate = "TRUNCATE"
)

// checkpointer runs the checkpoints of one SQLite store.
type checkpointer struct {
	db      *sql.DB // one connection, used by nothing else
	writer  *sql.DB // the store's writer, held during TRUNCATE
	walPath string
	// boundAt is boundFrames; tests lower it.
	boundAt int

	mu      sync.Mutex // one checkpoint at a time
	lastLog int        // log frames after the previous step
	idle    int        // consecutive steps that found nothing new
	failing bool       // the previous step failed (logged once)
	// backoff is the number of steps to skip TRUNCATE after
	// the last one found a reader in the way (doubling up to maxHoldOff);
	// holdOff counts them down.
	backoff, holdOff int
	// parked is set while the goroutine sleeps parkedInterval; kicks
	// wakes it (kick).
	parked   atomic.Bool
	kicks    chan struct{}
	stop     context.CancelFunc
	done     chan struct{}
	stopOnce sync.Once
}

// ckptResult is one row of PRAGMA wal_checkpoint: whether the checkpoint
// could not finish (another connection held a lock it needed), the frames
// in the log and the frames copied into the database.
type ckptResult struct {
	busy       bool
	log, moved int
}

// openCheckpointer opens the checkpointer's connection to path. It does
// not start the goroutine (start).
func openCheckpointer(ctx context.Context, path string, writer *sql.DB) (*checkpointer, error) {
	db, err := sql.Open("sqlite", checkpointerDSN(path))
	if err != nil {
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("checkpointer: %w", err)
	}
	return &checkpointer{db: db, writer: writer, walPath: path + "-wal", boundAt: boundFrames, kicks: make(chan struct{}, 1)}, nil
}

// start runs a step every interval until close, every parkedInterval
// while the log stays empty (see the top of this file).
func (c *checkpointer) start(interval time.Duration) {
	c.run(interval, parkedInterval)
}

// run is start with the parked interval given (tests shorten it).
func (c *checkpointer) run(interval, parked time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	c.stop = cancel
	c.done = make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTimer(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-c.kicks:
				// The timer may be running: Reset below starts it
				// over (Go 1.23+ timers need no drain).
			}
			if err := c.step(ctx); ctx.Err() == nil {
				c.report(err)
			}
			t.Reset(c.next(interval, parked))
		}
	}()
}

// next decides the wait before the following step: parked when the log
// is empty, else interval. Parking is announced before the log is looked
// at again, so a commit that lands in between either is seen by that
// look or finds parked set and kicks.
func (c *checkpointer) next(interval, parked time.Duration) time.Duration {
	if c.walSize() != 0 {
		c.parked.Store(false)
		return interval
	}
	c.parked.Store(true)
	if c.walSize() != 0 {
		c.parked.Store(false)
		return interval
	}
	return parked
}

// kick wakes a parked checkpointer: the store calls it after each commit.
// It costs one atomic load while the checkpointer is awake, and c may be
// nil (PostgreSQL has no checkpointer).
func (c *checkpointer) kick() {
	if c == nil || !c.parked.Load() {
		return
	}
	c.parked.Store(false)
	select {
	case c.kicks <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// report logs the first failure of a run of failing steps, and the
// recovery: the next tick tries again, so one line per outage is enough.
func (c *checkpointer) report(err error) {
	if err == nil {
		if c.failing {
			slog.Info("sqlstore: WAL checkpoints work again")
		}
		c.failing = false
		return
	}
	if !c.failing {
		slog.Warn("sqlstore: WAL checkpoint failed; retrying", "err", err)
	}
	c.failing = true
}

// close stops the goroutine, waits for a running step, and closes the
// connection.
func (c *checkpointer) close() error {
	c.stopOnce.Do(func() {
		if c.stop != nil {
			c.stop()
			<-c.done
		}
	})
	return c.db.Close()
}

// step runs one PASSIVE checkpoint and, if the log is long or idle, the
// TRUNCATE checkpoint that follows (see the top of this file).
func (c *checkpointer) step(ctx context.Context) error {
	_, err := c.stepResult(ctx)
	return err
}

// stepResult is step, returning the last checkpoint's result.
func (c *checkpointer) stepResult(ctx context.Context) (ckptResult, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	// An empty log (truncated, nothing committed since) has nothing to
	// copy: a stat instead of a checkpoint statement every interval keeps
	// an idle server from running SQL 50 times a second.
	if c.walSize() == 0 {
		return ckptResult{}, nil
	}
	res, err := c.checkpoint(ctx, ckptPassive)
	if err != nil {
		return res, err
	}
	if res.log == c.lastLog && res.moved == res.log {
		c.idle++
	} else {
		c.idle = 0
	}
	c.lastLog = res.log
	long := res.log >= c.boundAt
	idle := c.idle >= idleTicks && c.walSize() > 0
	if !long && !idle {
		return res, nil
	}
	if c.holdOff > 0 {
		c.holdOff--
		return res, nil
	}
	res, err = c.holdingWriter(ctx, ckptTruncate)
	switch {
	case err != nil:
	case res.busy:
		// A reader held on to the log for checkpointBusyMS while writes
		// waited: wait longer before holding them up again, so that a
		// long read (an export, a large search) costs the writer one
		// pause per backoff period, not one per tick.
		c.backoff = min(max(2*c.backoff, 1), maxHoldOff)
		c.holdOff = c.backoff
	default:
		c.lastLog, c.idle, c.backoff = 0, 0, 0
	}
	return res, err
}

// holdingWriter runs a checkpoint of mode while it holds the store's writer
// connection, so that no write of this process waits on a lock inside
// SQLite (it waits for the connection instead, and starts as soon as the
// checkpoint ends).
func (c *checkpointer) holdingWriter(ctx context.Context, mode string) (ckptResult, error) {
	wctx, cancel := context.WithTimeout(ctx, writerWait)
	defer cancel()
	conn, err := c.writer.Conn(wctx)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
		// The writer stayed busy (a queue of plain writes): not a
		// failure, the next step tries again.
		return ckptResult{busy: true}, nil
	}
	if err != nil {
		return ckptResult{}, fmt.Errorf("checkpoint %s: writer connection: %w", mode, err)
	}
	defer conn.Close()
	return c.checkpoint(ctx, mode)
}

// checkpoint runs PRAGMA wal_checkpoint(mode) on the checkpointer's
// connection.
func (c *checkpointer) checkpoint(ctx context.Context, mode string) (ckptResult, error) {
	var busy, log, moved int
	if err := c.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &log, &moved); err != nil {
		return ckptResult{}, fmt.Errorf("checkpoint %s: %w", mode, err)
	}
	return ckptResult{busy: busy != 0, log: log, moved: moved}, nil
}

// walSize is the size of the log file in bytes; 0 when it does not exist.
func (c *checkpointer) walSize() int64 {
	fi, err := os.Stat(c.walPath)
	if err != nil {
		return 0 // missing: nothing to truncate; unreadable: the next step sees
	}
	return fi.Size()
}

// checkpointerDSN is the checkpointer connection's DSN: synchronous=FULL
// (a checkpoint syncs the log and the database file only when its
// connection's synchronous setting asks for it) and a short busy timeout.
func checkpointerDSN(path string) string {
	return path + "?" + sqlitePragmas(checkpointBusyMS, "synchronous(FULL)").Encode()
}
