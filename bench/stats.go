package main

import (
	"fmt"
	"slices"
	"time"
)

// runResult is one timed run of a scenario.
type runResult struct {
	completed int           // successful requests
	errors    int           // failed requests
	elapsed   time.Duration // wall time from the first request to the last answer
	latencies []time.Duration
	starts    []time.Duration // when each of latencies' requests was sent, since the run's start
	firstErr  error
	serverCPU time.Duration // the server's CPU time during the run (0: not measured)
}

// rate is the run's successful requests per second.
func (r runResult) rate() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.completed) / r.elapsed.Seconds()
}

// summary aggregates the runs of one scenario: the median of the per-run
// rates, and latency percentiles over every request of every run.
type summary struct {
	name       string
	runs       int
	requests   int
	errors     int
	medianRate float64
	p50, p99   time.Duration
	firstErr   error
	// serverCPU is the server's CPU time over all runs, 0 when not measured.
	serverCPU time.Duration
}

// perCPUSecond is the requests (successful or not) the server answered
// per second of its CPU time: the rate one fully available core would
// sustain. It is 0 when the server's CPU time was not measured.
func (s summary) perCPUSecond() float64 {
	if s.serverCPU <= 0 {
		return 0
	}
	return float64(s.requests+s.errors) / s.serverCPU.Seconds()
}

func summarize(name string, runs []runResult) summary {
	s := summary{name: name, runs: len(runs)}
	var rates []float64
	var all []time.Duration
	for _, r := range runs {
		s.requests += r.completed
		s.errors += r.errors
		if s.firstErr == nil {
			s.firstErr = r.firstErr
		}
		s.serverCPU += r.serverCPU
		rates = append(rates, r.rate())
		all = append(all, r.latencies...)
	}
	s.medianRate = median(rates)
	slices.Sort(all)
	s.p50 = percentile(all, 50)
	s.p99 = percentile(all, 99)
	return s
}

// median of xs (the mean of the two middle values for an even count).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile of sorted values by the nearest-rank method.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 × n)
	if rank < 1 {
		rank = 1
	}
	return sorted[rank-1]
}

// formatDuration prints a latency in milliseconds with enough precision.
func formatDuration(d time.Duration) string {
	ms := float64(d) / float64(time.Millisecond)
	switch {
	case ms < 10:
		return fmt.Sprintf("%.2f ms", ms)
	case ms < 100:
		return fmt.Sprintf("%.1f ms", ms)
	default:
		return fmt.Sprintf("%.0f ms", ms)
	}
}

// slowByTenth counts, for each tenth of the run's duration (by the time a
// request was sent), the requests that took at least limit: where in the
// run the tail of the latencies sits.
func (r runResult) slowByTenth(limit time.Duration) [10]int {
	var out [10]int
	if r.elapsed <= 0 {
		return out
	}
	for i, d := range r.latencies {
		if d < limit || i >= len(r.starts) {
			continue
		}
		k := min(int(10*r.starts[i]/r.elapsed), 9)
		out[k]++
	}
	return out
}
