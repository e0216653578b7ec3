// Command footprint measures how much memory an idle Authalla server holds
// and how long a restart on existing data takes to answer its first
// discovery request. scripts/footprint builds the binary and runs it; the
// figures land in docs/benchmarks.md ("Footprint: memory and cold start").
//
// It starts `authalla serve` on a fresh data directory (zero-config
// SQLite, or -database-url), reads the default tenant's issuer from the
// first-start banner, requests its discovery document once, waits -idle and
// reads VmRSS and VmHWM from /proc/PID/status. Then it stops the server and
// starts it -runs times again on the same data, each time timing from just
// before the process is started to the first 200 on
// GET {issuer}/.well-known/openid-configuration, polled in a tight loop
// (a fresh connection per attempt, no sleep between attempts). Loopback
// only; every wait is bounded.
//
// Usage:
//
//	go run ./bench/footprint -bin ./authalla -port 18150 [-database-url postgres://…] [-runs 5]
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

// options are the command-line settings.
type options struct {
	bin         string
	port        int
	databaseURL string
	masterKey   string
	runs        int
	idle        time.Duration
	dataDir     string
	serverCPU   string
	extra       []string
}

func main() {
	o, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(2)
	}
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "footprint:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (options, error) {
	var o options
	var extra string
	fs := flag.NewFlagSet("footprint", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "./authalla", "the authalla binary")
	fs.IntVar(&o.port, "port", 18150, "loopback port the server listens on")
	fs.StringVar(&o.databaseURL, "database-url", "", "database URL (empty: SQLite in the data directory); must name an empty database")
	fs.StringVar(&o.masterKey, "master-key", "", "master key (needed with PostgreSQL)")
	fs.IntVar(&o.runs, "runs", 5, "restarts timed on the existing data")
	fs.DurationVar(&o.idle, "idle", 10*time.Second, "how long the server idles before its memory is read")
	fs.StringVar(&o.dataDir, "data-dir", "", "data directory (empty: a new temporary one, removed at the end)")
	fs.StringVar(&o.serverCPU, "server-cpu", "", "pin the server to these cores with taskset (empty: no pinning)")
	fs.StringVar(&extra, "serve-flags", "", "extra flags for authalla serve, space-separated")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if o.runs < 1 || o.port < 1 || o.port > 65535 {
		return o, errors.New("-runs must be ≥ 1 and -port a port number")
	}
	o.extra = strings.Fields(extra)
	return o, nil
}

// server is one started authalla process.
type server struct {
	cmd    *exec.Cmd
	stdout *bufio.Scanner
	done   chan struct{}
}

func start(o options, dir string) (*server, error) {
	base := fmt.Sprintf("http://127.0.0.1:%d", o.port)
	args := []string{"serve", "--listen", fmt.Sprintf("127.0.0.1:%d", o.port),
		"--public-url", base, "--data-dir", dir, "--log-level", "warn"}
	if o.databaseURL != "" {
		args = append(args, "--database-url", o.databaseURL)
	}
	if o.masterKey != "" {
		args = append(args, "--master-key", o.masterKey)
	}
	args = append(args, o.extra...)
	cmd := exec.Command(o.bin, args...)
	if o.serverCPU != "" {
		// taskset execs the server in place: the pid is the server's.
		cmd = exec.Command("taskset", append([]string{"-c", o.serverCPU, o.bin}, args...)...)
	}
	cmd.Stderr = io.Discard
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, stdout: bufio.NewScanner(out), done: make(chan struct{})}
	go func() { _ = cmd.Wait(); close(s.done) }()
	return s, nil
}

func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		return nil
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		return errors.New("server did not stop within 30s of SIGTERM")
	}
}

var issuerLine = regexp.MustCompile(`Default tenant\s+(\S+)`)

// issuer reads the first-start banner up to the default tenant's issuer,
// then drains the rest so the server never blocks on its stdout.
func (s *server) issuer() (string, error) {
	for s.stdout.Scan() {
		if m := issuerLine.FindStringSubmatch(s.stdout.Text()); m != nil {
			go s.drain()
			return m[1], nil
		}
	}
	return "", errors.New("the server's first-start banner named no default tenant")
}

func (s *server) drain() {
	for s.stdout.Scan() {
	}
}

// firstOK polls url until it answers 200, deadline bounded; each attempt
// uses a new connection so a refused connect is retried at once.
func firstOK(url string, deadline time.Duration) error {
	tr := &http.Transport{DisableKeepAlives: true, DialContext: (&net.Dialer{Timeout: time.Second}).DialContext}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		resp, err := c.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
	}
	return fmt.Errorf("no 200 from %s within %s", url, deadline)
}

// memory is VmRSS and VmHWM of a process in kB.
type memory struct{ rss, hwm, anon, file int }

func readMemory(pid int) (memory, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return memory{}, err
	}
	var m memory
	for _, line := range strings.Split(string(b), "\n") {
		var v int
		switch {
		case strings.HasPrefix(line, "VmRSS:"):
			fmt.Sscanf(line[len("VmRSS:"):], "%d", &v)
			m.rss = v
		case strings.HasPrefix(line, "VmHWM:"):
			fmt.Sscanf(line[len("VmHWM:"):], "%d", &v)
			m.hwm = v
		case strings.HasPrefix(line, "RssAnon:"):
			fmt.Sscanf(line[len("RssAnon:"):], "%d", &v)
			m.anon = v
		case strings.HasPrefix(line, "RssFile:"):
			fmt.Sscanf(line[len("RssFile:"):], "%d", &v)
			m.file = v
		}
	}
	return m, nil
}

func (m memory) String() string {
	return fmt.Sprintf("VmRSS %.1f MB (anon %.1f, file %.1f), VmHWM %.1f MB",
		float64(m.rss)/1024, float64(m.anon)/1024, float64(m.file)/1024, float64(m.hwm)/1024)
}

// cpuTime is the user plus system CPU time a process has used, all its
// threads together (/proc/PID/stat fields 14 and 15, in clock ticks of
// 1/100 s on Linux).
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces; fields restart after ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc/PID/stat")
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc/PID/stat")
	}
	var utime, stime int64
	fmt.Sscanf(f[11], "%d", &utime)
	fmt.Sscanf(f[12], "%d", &stime)
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

func run(o options, w io.Writer) error {
	dir := o.dataDir
	if dir == "" {
		d, err := os.MkdirTemp("", "authalla-footprint-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = filepath.Join(d, "data")
	}
	fmt.Fprintf(w, "load average before: %s\n", loadAvg())

	// First start: a fresh install, bootstrap included.
	t0 := time.Now()
	s, err := start(o, dir)
	if err != nil {
		return err
	}
	iss, err := s.issuer()
	if err != nil {
		_ = s.stop()
		return err
	}
	discovery := iss + "/.well-known/openid-configuration"
	if err := firstOK(discovery, 60*time.Second); err != nil {
		_ = s.stop()
		return err
	}
	fmt.Fprintf(w, "first start (empty data) to first 200: %s\n", ms(time.Since(t0)))
	time.Sleep(o.idle)
	m, err := readMemory(s.cmd.Process.Pid)
	if err != nil {
		_ = s.stop()
		return err
	}
	fmt.Fprintf(w, "idle after first start (+%s): %s\n", o.idle, m)
	if err := s.stop(); err != nil {
		return err
	}

	// Restarts on the existing data.
	var took, cpu []time.Duration
	for i := range o.runs {
		t0 := time.Now()
		s, err := start(o, dir)
		if err != nil {
			return err
		}
		go s.drain()
		if err := firstOK(discovery, 60*time.Second); err != nil {
			_ = s.stop()
			return err
		}
		took = append(took, time.Since(t0))
		c, err := cpuTime(s.cmd.Process.Pid)
		if err != nil {
			_ = s.stop()
			return err
		}
		cpu = append(cpu, c)
		if i == o.runs-1 {
			time.Sleep(o.idle)
			m, err := readMemory(s.cmd.Process.Pid)
			if err != nil {
				_ = s.stop()
				return err
			}
			fmt.Fprintf(w, "idle after a restart (+%s): %s\n", o.idle, m)
		}
		if err := s.stop(); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "cold start (existing data) to first 200 on discovery: %s\n", summary(took))
	fmt.Fprintf(w, "server CPU time (user+sys) by that first 200: %s\n", summary(cpu))
	fmt.Fprintf(w, "load average after: %s\n", loadAvg())
	return nil
}

// summary is the median of ds and every value in run order.
func summary(ds []time.Duration) string {
	sorted := slices.Clone(ds)
	slices.Sort(sorted)
	var all []string
	for _, d := range ds {
		all = append(all, ms(d))
	}
	return fmt.Sprintf("median %s of %d (%s)", ms(sorted[len(sorted)/2]), len(ds), strings.Join(all, ", "))
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
