package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"time"
)

// coldStartPoll is how often discovery is polled while the server starts.
const coldStartPoll = time.Millisecond

// runColdStart starts the server command -runs times on the existing
// data and reports, for each start, the time from starting the process to
// the first 200 of discovery of the first seeded tenant, and the median,
// with the server's memory and the CPU time it had used by then (on a
// loaded machine the CPU time is the figure that does not depend on how
// much of its core the server got).
// The server must not be running already on -url.
func runColdStart(ctx context.Context, o options, stdout, stderr io.Writer) error {
	s, err := newScale(o, stderr)
	if err != nil {
		return err
	}
	argv := strings.Fields(o.coldStart)
	if len(argv) == 0 {
		return errors.New("-cold-start: empty command")
	}
	target := s.issuer(0) + "/.well-known/openid-configuration"
	// A fresh connection per poll: no connection outlives a server.
	s.http.Transport.(*http.Transport).DisableKeepAlives = true
	if err := s.get(ctx, target, ""); err == nil {
		return fmt.Errorf("-cold-start: %s already answers: stop that server first", target)
	}
	fmt.Fprintf(stdout, "cold start: %s\nuntil GET %s answers 200, %d runs\nload average before: %s\n", o.coldStart, target, o.runs, loadAverage())
	var times []time.Duration
	for i := range o.runs {
		d, mem, err := coldStartOnce(ctx, s, argv, target)
		if err != nil {
			return fmt.Errorf("cold start %d: %w", i+1, err)
		}
		fmt.Fprintf(stdout, "run %d: %s to the first 200; server memory then: %s\n", i+1, formatDuration(d), mem)
		times = append(times, d)
	}
	slices.Sort(times)
	mid := times[len(times)/2]
	if len(times)%2 == 0 {
		mid = (times[len(times)/2-1] + mid) / 2
	}
	fmt.Fprintf(stdout, "median of %d: %s (min %s, max %s)\nload average after: %s\n", len(times), formatDuration(mid), formatDuration(times[0]), formatDuration(times[len(times)-1]), loadAverage())
	return nil
}

func coldStartOnce(ctx context.Context, s *scale, argv []string, target string) (time.Duration, string, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = os.Environ()
	var logs strings.Builder
	cmd.Stdout, cmd.Stderr = io.Discard, &logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, "", err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	deadline := start.Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if err := s.get(ctx, target, ""); err == nil {
			d := time.Since(start)
			mem := memoryOf(cmd.Process.Pid)
			if cpu, err := processCPU(cmd.Process.Pid)(); err == nil {
				mem += "; server CPU time until then " + formatDuration(cpu)
			}
			return d, mem, nil
		}
		if cmd.ProcessState != nil {
			break
		}
		time.Sleep(coldStartPoll)
	}
	return 0, "", fmt.Errorf("no 200 from %s within 60s; server output: %.500s", target, logs.String())
}
