package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromiumPath is Debian's chromium, the browser the tests drive.
const chromiumPath = "/usr/bin/chromium"

// requireE2E skips the test unless AUTHALLA_E2E=1, and fails it (in CI) or
// skips it (elsewhere) when chromium or node is missing.
func requireE2E(t *testing.T) {
	t.Helper()
	if os.Getenv("AUTHALLA_E2E") != "1" {
		t.Skip("end-to-end tests run with AUTHALLA_E2E=1 (scripts/test sets it)")
	}
	var missing []string
	if _, err := os.Stat(chromiumPath); err != nil {
		missing = append(missing, chromiumPath)
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing = append(missing, "node")
	}
	if _, err := exec.LookPath("npm"); err != nil {
		missing = append(missing, "npm")
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("CI is set and %s missing: the end-to-end tests must run in CI", strings.Join(missing, ", "))
	}
	t.Skipf("%s missing", strings.Join(missing, ", "))
}

// repoRoot is the module root (the parent of this package's directory).
func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatalf("repo root: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("repo root %s has no go.mod: %v", root, err)
	}
	return root
}

// artifactsDir is where failing tests leave screenshots and logs.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "e2e", "artifacts")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Logf("artifacts: %v", err)
	}
	return dir
}

// artifactName turns a test name into a file name prefix.
func artifactName(t *testing.T, suffix string) string {
	name := strings.NewReplacer("/", "_", " ", "_", ":", "_").Replace(t.Name())
	return filepath.Join(artifactsDir(t), name+"-"+suffix)
}

// buildBinary compiles ./cmd/authalla into a temporary directory.
func buildBinary(ctx context.Context, t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "authalla")
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/authalla")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/authalla: %v\n%s", err, out)
	}
	return bin
}

// ensureNodeModules installs e2e/node's npm packages when scripts/test has
// not done it already.
func ensureNodeModules(ctx context.Context, t *testing.T) string {
	t.Helper()
	dir := filepath.Join(repoRoot(t), "e2e", "node")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "oauth4webapi")); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return dir
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// logBuffer is a goroutine-safe buffer for a child process's output that
// also signals when a line containing a marker appears.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	marker  string
	found   chan struct{}
	foundOK bool
}

func newLogBuffer(marker string) *logBuffer {
	return &logBuffer{marker: marker, found: make(chan struct{})}
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if b.marker != "" && !b.foundOK && strings.Contains(b.buf.String(), b.marker) {
		b.foundOK = true
		close(b.found)
	}
	return len(p), nil
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// process is a child process whose output is kept for failure reports.
type process struct {
	name string
	cmd  *exec.Cmd
	out  *logBuffer
	done chan struct{}
	err  error
}

// startProcess starts cmd with stdout and stderr captured, and stops it
// (SIGTERM, then SIGKILL after a grace period) when the test ends. When the
// test failed, its output is written to the artifacts directory.
func startProcess(t *testing.T, name string, cmd *exec.Cmd, marker string) *process {
	t.Helper()
	p := &process{name: name, cmd: cmd, out: newLogBuffer(marker), done: make(chan struct{})}
	cmd.Stdout = p.out
	cmd.Stderr = p.out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		p.err = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-p.done
		}
		if t.Failed() {
			path := artifactName(t, name+".log")
			if err := os.WriteFile(path, []byte(p.out.String()), 0o644); err == nil {
				t.Logf("%s output saved to %s", name, path)
			}
			t.Logf("%s output (tail):\n%s", name, tail(p.out.String(), 4000))
		}
	})
	return p
}

// waitMarker waits until the process printed its marker, exits, or ctx ends.
func (p *process) waitMarker(ctx context.Context) error {
	select {
	case <-p.out.found:
		return nil
	case <-p.done:
		return fmt.Errorf("%s exited before it was ready (%v):\n%s", p.name, p.err, tail(p.out.String(), 4000))
	case <-ctx.Done():
		return fmt.Errorf("%s not ready: %w\n%s", p.name, ctx.Err(), tail(p.out.String(), 4000))
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}

// server is a running authalla binary.
type server struct {
	bin         string
	dataDir     string
	databaseURL string // empty: SQLite in the data directory
	url         string // the public URL, http://127.0.0.1:<port>
	proc        *process
}

// startServer runs `authalla serve` on a free loopback port with mail sent
// to the given SMTP listener, and waits until /healthz answers. An empty
// databaseURL means SQLite in a fresh data directory.
func startServer(ctx context.Context, t *testing.T, bin, databaseURL, smtpHost string, smtpPort int) *server {
	t.Helper()
	port := freePort(t)
	s := &server{
		bin:         bin,
		dataDir:     t.TempDir(),
		databaseURL: databaseURL,
		url:         fmt.Sprintf("http://127.0.0.1:%d", port),
	}
	cmd := exec.Command(bin, "serve",
		"--listen", fmt.Sprintf("127.0.0.1:%d", port),
		"--public-url", s.url,
		"--data-dir", s.dataDir,
		"--dev",
		"--smtp-host", smtpHost,
		"--smtp-port", strconv.Itoa(smtpPort),
		"--smtp-tls", "none",
		"--smtp-from", "Authalla E2E <no-reply@e2e.test>",
	)
	cmd.Env = s.env()
	s.proc = startProcess(t, "authalla", cmd, "")
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := waitHTTP(ctx, s.url+"/healthz", s.proc.done); err != nil {
		t.Fatalf("authalla did not become healthy: %v\n%s", err, tail(s.proc.out.String(), 4000))
	}
	return s
}

// env is the environment of the server and of the CLI: the CLI reads the
// same data directory and public URL through AUTHALLA_* variables.
func (s *server) env() []string {
	env := append(os.Environ(),
		"AUTHALLA_DATA_DIR="+s.dataDir,
		"AUTHALLA_PUBLIC_URL="+s.url,
		"AUTHALLA_DEV=true",
		"AUTHALLA_LOG_LEVEL=debug",
	)
	if s.databaseURL != "" {
		env = append(env, "AUTHALLA_DATABASE_URL="+s.databaseURL)
	}
	return env
}

// cli runs one management command against the server's database and decodes
// its --json output. --local keeps it on that database even when the person
// running the tests has signed the CLI in to some server (authalla login).
func (s *server) cli(ctx context.Context, t *testing.T, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append(slices.Clone(args), "--local")...)
	cmd.Env = s.env()
	var stdout, stderr bytes.Buffer
	cmd.Stdout = &stdout
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("authalla %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		t.Fatalf("authalla %s: output is not a JSON object: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return out
}

// str reads a string field of a JSON object, failing the test when absent.
func str(t *testing.T, m map[string]any, key string) string {
	t.Helper()
	v, ok := m[key].(string)
	if !ok || v == "" {
		t.Fatalf("JSON output has no string %q: %v", key, m)
	}
	return v
}

// waitHTTP polls url until it answers 200, the process exits, or ctx ends.
// Polling is the only way to learn that another process is listening.
func waitHTTP(ctx context.Context, url string, exited <-chan struct{}) error {
	client := &http.Client{Timeout: 2 * time.Second}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var last error
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if err != nil {
			return err
		}
		resp, err := client.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET %s: %s", url, resp.Status)
		}
		last = err
		select {
		case <-exited:
			return errors.New("the process exited")
		case <-ctx.Done():
			return fmt.Errorf("%w (last: %v)", ctx.Err(), last)
		case <-tick.C:
		}
	}
}

// startNode runs a Node script of e2e/node with env added, and waits until
// it prints "listening on".
func startNode(ctx context.Context, t *testing.T, name, script string, env ...string) *process {
	t.Helper()
	dir := ensureNodeModules(ctx, t)
	cmd := exec.Command("node", filepath.Join(dir, script))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	p := startProcess(t, name, cmd, "listening on")
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := p.waitMarker(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}
