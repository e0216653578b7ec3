package sqlstore

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkCommitTail traces the latency of SQLite write transactions
// under the token endpoint's pattern: 64 concurrent callers, each reading
// one row through the reader pool and then running a group-committed
// transaction that inserts three rows with random keys (as a code
// exchange inserts a grant, a refresh token and an access record). It
// reports the median, p99 and maximum of each caller's read-and-commit
// time and the largest log file seen, once with SQLite's automatic
// checkpoint inside commits (the old configuration) and once with the
// checkpointer (checkpoint.go). Run with a fixed count so that the log
// passes the checkpoint thresholds several times:
//
//	go test -run '^$' -bench CommitTail -benchtime 20000x -count 3 ./internal/store/sqlstore/
func BenchmarkCommitTail(b *testing.B) {
	for _, mode := range []string{"autocheckpoint", "checkpointer"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			path := filepath.Join(b.TempDir(), "authalla.db")
			s, err := Open(ctx, path)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if err := s.Migrate(ctx); err != nil {
				b.Fatal(err)
			}
			if mode == "autocheckpoint" {
				if err := s.ckpt.close(); err != nil {
					b.Fatal(err)
				}
				// The writer pool has one connection: the pragma sticks.
				if _, err := s.w.ExecContext(ctx, `PRAGMA wal_autocheckpoint=1000`); err != nil {
					b.Fatal(err)
				}
			}
			ids := prefillAccounts(b, s, 20000)

			const workers = 64
			lat := make([]time.Duration, b.N)
			var next atomic.Int64
			var maxWAL atomic.Int64
			stopWatch := watchWAL(path+"-wal", &maxWAL)
			var wg sync.WaitGroup
			b.ResetTimer()
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rng := rand.New(rand.NewPCG(uint64(w), 1))
					for {
						i := next.Add(1) - 1
						if i >= int64(b.N) {
							return
						}
						start := time.Now()
						var name string
						if err := s.reader().row(ctx, `SELECT name FROM accounts WHERE id = ?`, ids[rng.IntN(len(ids))]).Scan(&name); err != nil {
							b.Error(err)
							return
						}
						err := s.groupTx(ctx, "bench", func(ctx context.Context, d runner) error {
							for range 3 {
								id := fmt.Sprintf("acc_%016x%016x", rng.Uint64(), rng.Uint64())
								if _, err := d.exec(ctx, `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, id, name+id); err != nil {
									return err
								}
							}
							return nil
						})
						if err != nil {
							b.Error(err)
							return
						}
						lat[i] = time.Since(start)
					}
				}()
			}
			wg.Wait()
			b.StopTimer()
			stopWatch()
			slices.Sort(lat)
			pick := func(q float64) time.Duration { return lat[min(len(lat)-1, int(q*float64(len(lat))))] }
			p50, p99 := pick(0.50), pick(0.99)
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
			if p50 > 0 {
				b.ReportMetric(float64(p99)/float64(p50), "p99/p50")
			}
			b.ReportMetric(float64(maxWAL.Load())/(1<<20), "max-wal-MiB")
		})
	}
}

// prefillAccounts inserts n accounts in one transaction and returns their
// ids, so that the benchmark's reads find rows and its inserts land in a
// table of some depth.
func prefillAccounts(tb testing.TB, s *Store, n int) []string {
	tb.Helper()
	ids := make([]string, n)
	err := s.tx(context.Background(), "prefill", func(d runner) error {
		for i := range ids {
			ids[i] = fmt.Sprintf("acc_pre_%08d", i)
			if _, err := d.exec(context.Background(), `INSERT INTO accounts (id, name, created_at) VALUES (?, ?, 0)`, ids[i], ids[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ids
}

// watchWAL records the largest size of the log file at path into max
// until the returned function is called.
func watchWAL(path string, max *atomic.Int64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			c := &checkpointer{walPath: path}
			if n := c.walSize(); n > max.Load() {
				max.Store(n)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
