package e2e

import (
	"context"
	"database/sql"
	"math/rand/v2"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, for PRAGMA integrity_check
)

// faultKill9 is SECURITY-TESTS 49 (SQLite) and the kill half of 50
// (PostgreSQL): a load generator creates users and clients, exchanges
// codes, rotates and revokes refresh tokens, and keeps a ledger of the
// acknowledged writes; the server is SIGKILLed at a random moment, started
// again, and the ledger is checked (every acknowledged write present, no
// revoked or rotated-away token valid again). Restart to ready takes under
// 5 s. On SQLite the database file then passes PRAGMA integrity_check and
// foreign_key_check; PostgreSQL enforces the foreign keys itself.
func faultKill9(ctx context.Context, t *testing.T, bin, databaseURL string) {
	fx := newFaultFixture(ctx, t, bin, databaseURL)
	cycles := pick(3, 20)
	l := newLedger()
	var (
		badMu sync.Mutex
		bads  []string
	)
	bad := func(op string, a answer) {
		badMu.Lock()
		defer badMu.Unlock()
		bads = append(bads, op+": "+a.String())
	}
	r := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))
	for cycle := range cycles {
		stop := make(chan struct{})
		wg := l.runLoad(ctx, stop, 8, fx, bad)
		time.Sleep(time.Duration(500+r.IntN(1500)) * time.Millisecond)
		fx.srv.kill()
		close(stop)
		wg.Wait()
		took := fx.srv.start(ctx)
		rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := waitHTTP(rctx, fx.srv.url+"/readyz", fx.srv.current().done)
		cancel()
		if err != nil {
			t.Fatalf("cycle %d: not ready after restart: %v", cycle, err)
		}
		if took > 5*time.Second {
			t.Errorf("cycle %d: restart took %s, want under 5 s (SECURITY-TESTS 49)", cycle, took)
		}
		l.verify(ctx, t, fx, "after kill -9 cycle "+strconv.Itoa(cycle), cycle == cycles-1)
		t.Logf("cycle %d: restart %s; ledger: %d users, %d clients, %d live families, %d dead tokens, %d uncertain; %d acknowledged, %d refused",
			cycle, took.Round(time.Millisecond), len(l.users), len(l.clients), len(l.live), len(l.dead), l.uncertain, l.acked.Load(), l.refused.Load())
	}
	if len(bads) > 0 {
		t.Fatalf("%d answers were 5xx without Retry-After or leaked internals, e.g.:\n%s", len(bads), strings.Join(bads[:min(len(bads), 10)], "\n"))
	}
	if l.acked.Load() == 0 || len(l.users) == 0 {
		t.Fatalf("the load generator got no write acknowledged: the test did not exercise anything")
	}
	if databaseURL == "" {
		fx.srv.kill()
		sqliteIntegrity(t, filepath.Join(fx.srv.dataDir, "authalla.db"))
	}
}

// sqliteIntegrity runs PRAGMA integrity_check and foreign_key_check on a
// database no process has open.
func sqliteIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRow("PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("PRAGMA integrity_check = %q, %v; want ok", res, err)
	}
	rows, err := db.Query("PRAGMA foreign_key_check")
	if err != nil {
		t.Fatalf("PRAGMA foreign_key_check: %v", err)
	}
	defer rows.Close()
	if rows.Next() {
		t.Fatalf("PRAGMA foreign_key_check reports violations")
	}
}
