package main

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// clockTicks is Linux's USER_HZ, the unit of the CPU times in
// /proc/PID/stat (proc(5)); it is 100 on every architecture Go supports.
const clockTicks = 100

// processCPU returns a function that reads the CPU time (user and system)
// process pid has used so far, from /proc/PID/stat. A benchmark that knows
// the server's pid reports the server's CPU time per request: unlike the
// request rate, that figure is not distorted by other work competing for
// the server's core or by the disk's latency.
func processCPU(pid int) func() (time.Duration, error) {
	path := fmt.Sprintf("/proc/%d/stat", pid)
	return func() (time.Duration, error) {
		b, err := os.ReadFile(path)
		if err != nil {
			return 0, err
		}
		return parseStatCPU(string(b))
	}
}

// parseStatCPU extracts utime + stime (fields 14 and 15) from a
// /proc/PID/stat line. The command name (field 2) is parenthesised and
// may hold spaces, so the fields are counted after its closing parenthesis.
func parseStatCPU(stat string) (time.Duration, error) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, errors.New("malformed /proc stat line")
	}
	// After ")": field 3 (state) is index 0, so field n is index n-3.
	f := strings.Fields(stat[i+1:])
	if len(f) < 13 {
		return 0, errors.New("short /proc stat line")
	}
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat cpu field %q: %w", s, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}
