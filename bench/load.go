package main

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"
)

// scenario is one kind of request to measure.
type scenario struct {
	name string
	// prepare runs before each timed run, untimed (for example to mint the
	// authorization codes the run exchanges). It returns the number of
	// requests the run may make (0: the configured count).
	prepare func(ctx context.Context, n int) (int, error)
	// op sends one request; worker is the caller's index in [0, workers),
	// i the request's index in the run.
	op func(ctx context.Context, worker, i int) error
}

// limits bound a run: at most requests operations, for at most duration.
type limits struct {
	workers  int
	requests int
	duration time.Duration
	// serverCPU, when set, reads the server's CPU time; the run records
	// how much the server used while it was timed.
	serverCPU func() (time.Duration, error)
}

// run performs one timed run of sc with the given limits.
func run(ctx context.Context, sc scenario, lim limits) (runResult, error) {
	n := lim.requests
	if sc.prepare != nil {
		m, err := sc.prepare(ctx, n)
		if err != nil {
			return runResult{}, err
		}
		if m > 0 {
			n = m
		}
	}
	ctx, cancel := context.WithTimeout(ctx, lim.duration)
	defer cancel()

	var next atomic.Int64
	type workerResult struct {
		latencies []time.Duration
		starts    []time.Duration // since the run's start, per latency
		errors    int
		firstErr  error
	}
	results := make([]workerResult, lim.workers)
	var cpu0 time.Duration
	if lim.serverCPU != nil {
		var err error
		if cpu0, err = lim.serverCPU(); err != nil {
			return runResult{}, err
		}
	}
	var wg sync.WaitGroup
	start := time.Now()
	for w := range lim.workers {
		wg.Go(func() {
			res := &results[w]
			res.latencies = make([]time.Duration, 0, n/lim.workers+1)
			res.starts = make([]time.Duration, 0, n/lim.workers+1)
			for {
				i := int(next.Add(1)) - 1
				if i >= n || ctx.Err() != nil {
					return
				}
				t0 := time.Now()
				err := sc.op(ctx, w, i)
				d := time.Since(t0)
				switch {
				case err == nil:
					res.latencies = append(res.latencies, d)
					res.starts = append(res.starts, t0.Sub(start))
				case errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil:
					return // the run's time is up; this request does not count
				default:
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
				}
			}
		})
	}
	wg.Wait()
	out := runResult{elapsed: time.Since(start)}
	if lim.serverCPU != nil {
		cpu1, err := lim.serverCPU()
		if err != nil {
			return runResult{}, err
		}
		out.serverCPU = cpu1 - cpu0
	}
	for _, r := range results {
		out.latencies = append(out.latencies, r.latencies...)
		out.starts = append(out.starts, r.starts...)
		out.errors += r.errors
		if out.firstErr == nil {
			out.firstErr = r.firstErr
		}
	}
	out.completed = len(out.latencies)
	return out, nil
}
