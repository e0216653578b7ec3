package main

import (
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
	}
	for _, tt := range tests {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestPercentile(t *testing.T) {
	var hundred []time.Duration
	for i := 1; i <= 100; i++ {
		hundred = append(hundred, time.Duration(i)*time.Millisecond)
	}
	tests := []struct {
		name   string
		sorted []time.Duration
		p      int
		want   time.Duration
	}{
		{"empty", nil, 50, 0},
		{"one value", []time.Duration{7}, 99, 7},
		{"p50 of 1..100", hundred, 50, 50 * time.Millisecond},
		{"p99 of 1..100", hundred, 99, 99 * time.Millisecond},
		{"p100 of 1..100", hundred, 100, 100 * time.Millisecond},
		{"p99 of 3 values is the largest", []time.Duration{1, 2, 3}, 99, 3},
		{"p50 of 4 values is the second", []time.Duration{1, 2, 3, 4}, 50, 2},
	}
	for _, tt := range tests {
		if got := percentile(tt.sorted, tt.p); got != tt.want {
			t.Errorf("%s: percentile(p%d) = %v, want %v", tt.name, tt.p, got, tt.want)
		}
	}
}

func TestSummarize(t *testing.T) {
	runs := []runResult{
		{completed: 100, elapsed: time.Second, latencies: []time.Duration{1, 2}},
		{completed: 300, elapsed: time.Second, latencies: []time.Duration{3}},
		{completed: 200, errors: 2, elapsed: time.Second, latencies: []time.Duration{4}},
	}
	s := summarize("x", runs)
	if s.medianRate != 200 || s.requests != 600 || s.errors != 2 || s.runs != 3 {
		t.Fatalf("summary = %+v", s)
	}
	if s.p50 != 2 || s.p99 != 4 {
		t.Fatalf("p50/p99 = %v/%v, want 2/4", s.p50, s.p99)
	}
}

func TestCheckLoopback(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://127.3.4.5", true},
		{"http://10.0.0.1:8080", false},
		{"https://example.com", false},
		{"http://192.168.1.1", false},
		{"not a url", false},
	}
	for _, tt := range tests {
		err := checkLoopback(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestSlowByTenth(t *testing.T) {
	ms := time.Millisecond
	r := runResult{
		elapsed:   100 * ms,
		latencies: []time.Duration{1 * ms, 50 * ms, 40 * ms, 2 * ms, 45 * ms},
		starts:    []time.Duration{0, 5 * ms, 55 * ms, 60 * ms, 99 * ms},
	}
	got := r.slowByTenth(40 * ms)
	want := [10]int{0: 1, 5: 1, 9: 1}
	if got != want {
		t.Fatalf("slowByTenth = %v, want %v", got, want)
	}
	if got := (runResult{}).slowByTenth(ms); got != [10]int{} {
		t.Fatalf("empty run: %v", got)
	}
}
