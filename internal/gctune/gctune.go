package gctune

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Defaults for the zero values of Options.
const (
	DefaultMinHeadroom = 16 << 20
	DefaultMaxPercent  = 400
	DefaultInterval    = time.Second
)

// basePercent is Go's own default GOGC: the tuner never goes below it.
const basePercent = 100

// Options tune Run. The zero value takes the defaults.
type Options struct {
	// MinHeadroom is the least the heap may grow over the live heap
	// before a collection starts.
	MinHeadroom uint64
	// MaxPercent caps GOGC, which bounds the headroom of a tiny heap.
	MaxPercent int
	// Interval is how often the live heap is read.
	Interval time.Duration

	// liveHeap and setPercent replace the runtime in tests.
	liveHeap   func() uint64
	setPercent func(int) int
}

// PercentFor returns the GOGC that gives a live heap of live bytes at least
// minHeadroom bytes of growth before the next collection, between Go's
// default 100 and maxPercent.
func PercentFor(live, minHeadroom uint64, maxPercent int) int {
	if live == 0 {
		return maxPercent
	}
	p := minHeadroom * 100 / live
	switch {
	case p >= uint64(maxPercent):
		return maxPercent
	case p <= basePercent:
		return basePercent
	}
	return int(p)
}

// Run sets GOGC for the current live heap at once and then every
// Interval until ctx ends, changing it only when the new value differs by
// a quarter or more (the live heap drifts; each change is cheap but not
// free). It restores the GOGC it found when it returns.
func Run(ctx context.Context, o Options) {
	if o.MinHeadroom == 0 {
		o.MinHeadroom = DefaultMinHeadroom
	}
	if o.MaxPercent <= 0 {
		o.MaxPercent = DefaultMaxPercent
	}
	if o.Interval <= 0 {
		o.Interval = DefaultInterval
	}
	if o.liveHeap == nil {
		o.liveHeap = liveHeap
	}
	if o.setPercent == nil {
		o.setPercent = debug.SetGCPercent
	}
	current := PercentFor(o.liveHeap(), o.MinHeadroom, o.MaxPercent)
	previous := o.setPercent(current)
	defer o.setPercent(previous)

	t := time.NewTicker(o.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next := PercentFor(o.liveHeap(), o.MinHeadroom, o.MaxPercent)
		if differsByAQuarter(next, current) {
			o.setPercent(next)
			current = next
		}
	}
}

func differsByAQuarter(a, b int) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return 4*d >= b
}

// liveHeap reads the bytes the last collection left live
// (runtime/metrics, no stop-the-world).
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}
