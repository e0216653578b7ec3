package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// pgCluster is a throwaway PostgreSQL cluster the test owns (initdb into a
// temporary directory, a free loopback port), so that it may crash it
// (pg_ctl stop -m immediate) without touching the shared server. When the
// tests run as root, the cluster runs as the postgres user, the way
// scripts/test starts its own throwaway cluster.
type pgCluster struct {
	t       *testing.T
	bin     string // /usr/lib/postgresql/N/bin
	dir     string
	port    int
	cred    *syscall.Credential // nil: run as ourselves
	logPath string
}

// newPGCluster initialises and starts a cluster, or skips (fails in CI)
// when the PostgreSQL server binaries are not installed.
func newPGCluster(ctx context.Context, t *testing.T) *pgCluster {
	t.Helper()
	bins, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	if len(bins) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatal("CI is set and no /usr/lib/postgresql/*/bin/initdb: the PostgreSQL fault tests must run in CI")
		}
		t.Skip("no /usr/lib/postgresql/*/bin/initdb")
	}
	sort.Strings(bins)
	c := &pgCluster{t: t, bin: filepath.Dir(bins[len(bins)-1]), port: freePort(t)}
	dir, err := os.MkdirTemp("", "authalla-faults-pg-")
	if err != nil {
		t.Fatal(err)
	}
	c.dir = dir
	c.logPath = filepath.Join(dir, "server.log")
	if os.Geteuid() == 0 {
		// initdb refuses to run as root.
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Skipf("running as root and there is no postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		c.cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chmod(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Chown(dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() {
		_ = c.ctl(context.Background(), "-m", "immediate", "stop")
		_ = os.RemoveAll(dir)
	})
	if out, err := c.run(ctx, "initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	c.start(ctx)
	db, err := sql.Open("pgx", c.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE authalla_faults"); err != nil {
		t.Fatalf("create database: %v", err)
	}
	return c
}

// url is the connection URL of database name.
func (c *pgCluster) url(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// run runs a server binary as the cluster's owner.
func (c *pgCluster) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(c.bin, name), args...)
	cmd.Dir = c.dir
	if c.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: c.cred}
	}
	return cmd.CombinedOutput()
}

// ctl runs pg_ctl on the cluster.
func (c *pgCluster) ctl(ctx context.Context, args ...string) error {
	base := []string{"-D", filepath.Join(c.dir, "data"), "-l", c.logPath, "-w", "-t", "30"}
	out, err := c.run(ctx, "pg_ctl", append(base, args...)...)
	if err != nil {
		return fmt.Errorf("pg_ctl %v: %w\n%s", args, err, out)
	}
	return nil
}

// start starts the server on the cluster's port (loopback only, socket in
// the cluster directory) and waits until it accepts connections.
func (c *pgCluster) start(ctx context.Context) {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=on", c.port, c.dir)
	if err := c.ctl(ctx, "-o", opts, "start"); err != nil {
		log, _ := os.ReadFile(c.logPath)
		c.t.Fatalf("%v\n%s", err, tail(string(log), 2000))
	}
}

// crash stops the server the way a power cut would (no checkpoint; crash
// recovery on the next start).
func (c *pgCluster) crash(ctx context.Context) {
	c.t.Helper()
	if err := c.ctl(ctx, "-m", "immediate", "stop"); err != nil {
		c.t.Fatal(err)
	}
}

// stop shuts the server down cleanly (sessions are terminated).
func (c *pgCluster) stop(ctx context.Context) {
	c.t.Helper()
	if err := c.ctl(ctx, "-m", "fast", "stop"); err != nil {
		c.t.Fatal(err)
	}
}
