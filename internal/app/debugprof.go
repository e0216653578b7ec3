package app

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// heapProfileEnv names a file that serve writes a heap profile to when it
// stops (after a GC, so the profile shows what is live). A debugging aid
// for docs/benchmarks.md "Footprint: memory and cold start"; read it with
// `go tool pprof -sample_index=inuse_space BINARY FILE`. Unset: nothing.
const heapProfileEnv = "AUTHALLA_DEBUG_HEAP_PROFILE"

// writeHeapProfile writes the heap profile to path.
func writeHeapProfile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("heap profile: %w", err)
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("heap profile: %w", err)
	}
	return f.Close()
}

// cpuProfileEnv names a file that serve writes a CPU profile to, covering
// everything from when it starts listening to when it is told to stop. A
// debugging aid for docs/benchmarks.md (profiling a benchmark run against
// the real binary); read it with `go tool pprof -top BINARY FILE`. Unset:
// nothing.
const cpuProfileEnv = "AUTHALLA_DEBUG_CPU_PROFILE"

// startCPUProfile starts the CPU profile into path and returns the function
// that stops it and closes the file.
func startCPUProfile(path string) (stop func() error, err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("cpu profile: %w", err)
	}
	return func() error {
		pprof.StopCPUProfile()
		return f.Close()
	}, nil
}
