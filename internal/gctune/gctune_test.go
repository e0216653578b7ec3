package gctune

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"testing"
	"time"
)

func TestPercentFor(t *testing.T) {
	const mib = 1 << 20
	tests := []struct {
		name string
		live uint64
		want int
	}{
		{"nothing live yet", 0, 400},
		{"tiny heap is capped", 1 * mib, 400},
		{"exactly the cap", 4 * mib, 400},
		{"between", 8 * mib, 200},
		{"a third", 12 * mib, 133},
		{"at the headroom", 16 * mib, 100},
		{"large heap keeps Go's default", 200 * mib, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := PercentFor(tc.live, 16*mib, 400); got != tc.want {
				t.Fatalf("PercentFor(%d MiB) = %d, want %d", tc.live/mib, got, tc.want)
			}
		})
	}
}

// TestRunFollowsTheLiveHeap: Run sets GOGC at once, follows the live heap
// only when the value moves by a quarter or more, and restores the value
// it found.
func TestRunFollowsTheLiveHeap(t *testing.T) {
	const mib = 1 << 20
	var mu sync.Mutex
	live := uint64(1 * mib)
	var sets []int
	percent := 100
	changed := make(chan struct{}, 16)
	o := Options{
		Interval: time.Millisecond,
		liveHeap: func() uint64 { mu.Lock(); defer mu.Unlock(); return live },
		setPercent: func(p int) int {
			mu.Lock()
			defer mu.Unlock()
			prev := percent
			percent = p
			sets = append(sets, p)
			changed <- struct{}{}
			return prev
		},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, o); close(done) }()
	<-changed // the first setting

	mu.Lock()
	live = 1*mib + mib/2 // still 400: no change
	mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	mu.Lock()
	live = 8 * mib // 200
	mu.Unlock()
	select {
	case <-changed:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not follow the live heap")
	}
	mu.Lock()
	live = 8*mib + mib/2 // 188: less than a quarter away from 200
	mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	cancel()
	<-done

	mu.Lock()
	defer mu.Unlock()
	want := []int{400, 200, 100}
	if len(sets) != len(want) {
		t.Fatalf("GOGC set to %v, want %v", sets, want)
	}
	for i := range want {
		if sets[i] != want[i] {
			t.Fatalf("GOGC set to %v, want %v", sets, want)
		}
	}
}

// TestRunTouchesTheRealCollector: with the runtime's own hooks, Run changes
// GOGC while it runs and puts the previous value back.
func TestRunTouchesTheRealCollector(t *testing.T) {
	before := debug.SetGCPercent(100)
	defer debug.SetGCPercent(before)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { Run(ctx, Options{MinHeadroom: 1 << 40, Interval: time.Hour}); close(done) }()
	deadline := time.Now().Add(5 * time.Second)
	for gogc() != DefaultMaxPercent {
		if time.Now().After(deadline) {
			t.Fatalf("GOGC is %d, want %d while Run runs", gogc(), DefaultMaxPercent)
		}
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	if p := gogc(); p != 100 {
		t.Fatalf("GOGC is %d after Run returned, want the 100 it found", p)
	}
}

// gogc reads the collector's current GOGC without changing it.
func gogc() int {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return int(s[0].Value.Uint64())
}
