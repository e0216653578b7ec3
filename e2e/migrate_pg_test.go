package e2e

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// migrateCmd is `authalla migrate` on databaseURL.
func migrateCmd(ctx context.Context, t *testing.T, bin, databaseURL string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, bin, "migrate")
	cmd.Env = append(os.Environ(), "AUTHALLA_DATABASE_URL="+databaseURL, "AUTHALLA_DATA_DIR="+t.TempDir(), "AUTHALLA_DEV=true")
	return cmd
}

// appliedVersions lists schema_migrations, in order.
func appliedVersions(ctx context.Context, t *testing.T, db *sql.DB) []int {
	t.Helper()
	rows, err := db.QueryContext(ctx, `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// wantOnce checks that versions are 1..n, each once.
func wantOnce(t *testing.T, versions []int) {
	t.Helper()
	if len(versions) == 0 {
		t.Fatal("no migration recorded")
	}
	for i, v := range versions {
		if v != i+1 {
			t.Fatalf("schema_migrations = %v, want 1..%d each once", versions, len(versions))
		}
	}
}

// TestMigrationsPostgres runs the migration cases of issue 5 on
// PostgreSQL with one build of the binary, each on a fresh database.
func TestMigrationsPostgres(t *testing.T) {
	requireE2E(t)
	freshPostgres(t) // skips (or fails in CI) without a server
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	t.Run("replicas start together", func(t *testing.T) { migrateReplicasStartTogether(ctx, t, bin) })
	t.Run("killed midway", func(t *testing.T) { migrateKilledMidway(ctx, t, bin) })
	t.Run("older binary refuses", func(t *testing.T) { migrateRefusesOlderBinary(ctx, t, bin) })
}

// migrateReplicasStartTogether: three `authalla migrate` processes
// started at once on a fresh PostgreSQL database all succeed, and every
// migration is applied exactly once (the advisory lock serialises them).
func migrateReplicasStartTogether(ctx context.Context, t *testing.T, bin string) {
	databaseURL := freshPostgres(t)

	const n = 3
	outs := make([]bytes.Buffer, n)
	errs := make([]error, n)
	cmds := make([]*exec.Cmd, n)
	for i := range cmds {
		cmds[i] = migrateCmd(ctx, t, bin, databaseURL)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	var wg sync.WaitGroup
	for i := range cmds {
		wg.Go(func() { errs[i] = cmds[i].Run() })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil || !strings.Contains(outs[i].String(), "Database is at schema version") {
			t.Fatalf("migrate %d: %v\n%s", i+1, err, outs[i].String())
		}
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantOnce(t, appliedVersions(ctx, t, db))
}

// migrateKilledMidway: `authalla migrate` is killed (SIGKILL) in the
// middle of a migration, while it holds the advisory lock and has run
// part of the step's statements; the step's transaction is rolled back
// whole, and the next `authalla migrate` completes the schema.
//
// The database starts one release behind (migration 3, which alters the
// clients table, undone by hand); the test holds a lock on clients so
// that the migration's ALTER TABLE waits, which is when it is killed.
func migrateKilledMidway(ctx context.Context, t *testing.T, bin string) {
	databaseURL := freshPostgres(t)
	if out, err := migrateCmd(ctx, t, bin, databaseURL).CombinedOutput(); err != nil {
		t.Fatalf("first migrate: %v\n%s", err, out)
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	full := appliedVersions(ctx, t, db)
	// One release behind: migration 3 undone.
	if _, err := db.ExecContext(ctx, `
		DROP TABLE admin_preferences;
		DROP INDEX clients_dynamic_idx;
		ALTER TABLE clients DROP COLUMN dynamic, DROP COLUMN registration_token_hash, DROP COLUMN client_uri;
		DELETE FROM schema_migrations WHERE version = 3`); err != nil {
		t.Fatalf("undo migration 3: %v", err)
	}

	// Another session reads clients in an open transaction: migration 3's
	// ALTER TABLE must wait for it.
	blocker, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer blocker.Rollback() //nolint:errcheck // released below; a no-op then
	if _, err := blocker.ExecContext(ctx, `LOCK TABLE clients IN ACCESS SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	cmd := migrateCmd(ctx, t, bin, databaseURL)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the migration is inside its transaction, blocked on the
	// lock, with the advisory lock held.
	deadline := time.Now().Add(30 * time.Second)
	for {
		var waiting, locks int
		if err := db.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()
				AND wait_event_type = 'Lock' AND query LIKE '%ALTER TABLE clients%'),
			(SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted
				AND database = (SELECT oid FROM pg_database WHERE datname = current_database()))`).Scan(&waiting, &locks); err != nil {
			t.Fatal(err)
		}
		if waiting == 1 && locks == 1 {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			t.Fatalf("migrate never blocked in migration 3 (waiting %d, advisory locks %d)\n%s", waiting, locks, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if err := blocker.Rollback(); err != nil {
		t.Fatal(err)
	}
	// The killed step left nothing behind.
	if got := appliedVersions(ctx, t, db); len(got) != len(full)-1 {
		t.Fatalf("after the kill schema_migrations = %v, want migration 3 missing", got)
	}

	// The next start completes the schema (waiting, if need be, for the
	// killed session's advisory lock to go with its connection).
	if out, err := migrateCmd(ctx, t, bin, databaseURL).CombinedOutput(); err != nil {
		t.Fatalf("migrate after the kill: %v\n%s", err, out)
	}
	got := appliedVersions(ctx, t, db)
	wantOnce(t, got)
	if len(got) != len(full) {
		t.Fatalf("schema_migrations = %v, want %v", got, full)
	}
	var cols int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM information_schema.columns
		WHERE table_name = 'clients' AND column_name IN ('dynamic', 'registration_token_hash', 'client_uri')`).Scan(&cols); err != nil {
		t.Fatal(err)
	}
	if cols != 3 {
		t.Fatalf("clients has %d of migration 3's columns, want 3", cols)
	}
}

// migrateRefusesOlderBinary: a binary older than the schema (the
// database records a migration it does not know) refuses to migrate and
// to serve, and says so. (sqlstore's TestMigrateRefusesNewerSchema checks
// the store; this checks what an operator sees.)
func migrateRefusesOlderBinary(ctx context.Context, t *testing.T, bin string) {
	databaseURL := freshPostgres(t)
	if out, err := migrateCmd(ctx, t, bin, databaseURL).CombinedOutput(); err != nil {
		t.Fatalf("migrate: %v\n%s", err, out)
	}
	db, err := sql.Open("pgx", databaseURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (9999, now())`); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"migrate"}, {"serve", "--listen", fmt.Sprintf("127.0.0.1:%d", freePort(t))}} {
		cmd := migrateCmd(ctx, t, bin, databaseURL)
		cmd.Args = append([]string{bin}, args...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Fatalf("authalla %s on a newer schema succeeded:\n%s", args[0], out)
		}
		if !strings.Contains(string(out), "older than the schema") || !strings.Contains(string(out), "9999") {
			t.Fatalf("authalla %s on a newer schema: %v, output lacks a clear reason:\n%s", args[0], err, out)
		}
	}
}
