package main

import (
	"os"
	"testing"
	"time"
)

func TestParseStatCPU(t *testing.T) {
	cases := []struct {
		name, line string
		want       time.Duration
		ok         bool
	}{
		{"plain", "4242 (authalla) S 1 4242 4242 0 -1 4194560 900 0 0 0 250 37 0 0 20 0 9 0 100 1000 200", 2870 * time.Millisecond, true},
		{"name with spaces and parenthesis", "7 (a b) c) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 1 1 1", 70 * time.Millisecond, true},
		{"short", "7 (x) R 1 2 3", 0, false},
		{"no name", "7 x R", 0, false},
		{"not a number", "7 (x) R 1 7 7 0 -1 0 0 0 0 0 ab 4 0", 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseStatCPU(tc.line)
			if (err == nil) != tc.ok || got != tc.want {
				t.Fatalf("parseStatCPU = %v, %v; want %v (ok %v)", got, err, tc.want, tc.ok)
			}
		})
	}
}

func TestProcessCPUSelf(t *testing.T) {
	read := processCPU(os.Getpid())
	before, err := read()
	if err != nil {
		t.Fatal(err)
	}
	// Burn a little CPU so the counter moves (ticks are 10 ms).
	deadline := time.Now().Add(50 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	after, err := read()
	if err != nil {
		t.Fatal(err)
	}
	if after < before || x == 0 {
		t.Fatalf("CPU time went from %v to %v", before, after)
	}
}
