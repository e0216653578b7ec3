package e2e

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// faultPostgresOutage is the PostgreSQL half of SECURITY-TESTS 50 and 51,
// on a cluster the test owns. Under a mixed load with a ledger:
//  1. PostgreSQL crashes (pg_ctl stop -m immediate) and comes back after a
//     few seconds;
//  2. PostgreSQL is shut down and unreachable for a while, then comes back.
//
// While it is down: /readyz is not ready, /healthz stays up, requests fail
// fast (within the request budget, never a hang) with 503 and Retry-After —
// JSON for the API and the token endpoint, a page for a browser — and never
// a 500 or driver text. Once it is back, success resumes within 10 s
// without restarting Authalla, and every acknowledged write survived.
func faultPostgresOutage(ctx context.Context, t *testing.T, bin string) {
	pg := newPGCluster(ctx, t)
	fx := newFaultFixture(ctx, t, bin, pg.url("authalla_faults"))
	l := newLedger()
	var (
		badMu sync.Mutex
		bads  []string
	)
	const budget = 5 * time.Second // longest acceptable answer under fault
	bad := func(op string, a answer) {
		badMu.Lock()
		defer badMu.Unlock()
		bads = append(bads, op+": "+a.String())
	}
	slow := func(op string, a answer) {
		if a.took > budget {
			bad(op+fmt.Sprintf(" took %s", a.took.Round(time.Millisecond)), a)
		}
	}
	c := faultClient(15 * time.Second)

	// probe checks the answers a client sees while the database is down.
	probe := func(phase string) {
		t.Helper()
		if a := send(c, mustGet(ctx, fx.srv.url+"/healthz")); a.status != http.StatusOK {
			t.Errorf("%s: /healthz = %v, want 200 (liveness does not depend on the database)", phase, a)
		}
		a := fx.mach.call(ctx, c, http.MethodPost, "/api/v1/users", map[string]any{"email": "probe-" + phase + "@faults.test"})
		slow(phase+": API write", a)
		if a.status != http.StatusServiceUnavailable || a.header.Get("Retry-After") == "" || a.json()["error"] == nil || leaksInternals(a) {
			t.Errorf("%s: POST /api/v1/users = %v (Retry-After %q), want 503 JSON with Retry-After", phase, a, a.header.Get("Retry-After"))
		}
		if _, a := fx.strict.newFamily(ctx); a.err == nil {
			slow(phase+": authorize+token", a)
			if !acceptableUnderFault(a) || leaksInternals(a) {
				t.Errorf("%s: authorize + code exchange = %v, want 503 with Retry-After", phase, a)
			}
		}
		req := mustGet(ctx, fx.srv.url+"/t/"+faultTenant+"/oauth2/login")
		req.Header.Set("Accept", "text/html")
		a = send(c, req)
		slow(phase+": login page", a)
		if a.status >= 500 && (a.status != http.StatusServiceUnavailable || leaksInternals(a)) {
			t.Errorf("%s: GET login page = %v, want a page without internals (503 when it needs the database)", phase, a)
		}
	}
	// outage runs one fault: down() breaks the database, then after hold
	// up() repairs it; load runs throughout.
	outage := func(name string, down, up func(), hold time.Duration) {
		stop := make(chan struct{})
		wg := l.runLoad(ctx, stop, 6, fx, func(op string, a answer) { bad(name+": "+op, a) })
		time.Sleep(time.Second)
		downAt := time.Now()
		down()
		// Readiness follows the database (within its 2 s probe).
		notReady := waitStatus(ctx, fx.srv.url+"/readyz", func(s int) bool { return s != http.StatusOK }, 5*time.Second)
		if !notReady {
			t.Errorf("%s: /readyz still 200 %s after the database went down", name, time.Since(downAt).Round(time.Millisecond))
		}
		probe(name)
		time.Sleep(max(0, hold-time.Since(downAt)))
		began := time.Now()
		up()
		upAt := time.Now() // PostgreSQL accepts connections again
		t.Logf("%s: PostgreSQL took %s to start again (crash recovery included)", name, upAt.Sub(began).Round(time.Millisecond))
		// Success resumes within 10 s, without restarting Authalla.
		deadline := upAt.Add(10 * time.Second)
		for {
			a := fx.mach.call(ctx, c, http.MethodPost, "/api/v1/users", map[string]any{"email": fmt.Sprintf("resume-%s-%d@faults.test", strings.ReplaceAll(name, " ", "-"), time.Now().UnixNano())})
			if a.status == http.StatusCreated || a.status == http.StatusOK {
				t.Logf("%s: writes resumed %s after PostgreSQL came back (%s down)", name, time.Since(upAt).Round(time.Millisecond), upAt.Sub(downAt).Round(time.Millisecond))
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: writes did not resume within 10 s of PostgreSQL's restart: %v", name, a)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if !waitStatus(ctx, fx.srv.url+"/readyz", func(s int) bool { return s == http.StatusOK }, 10*time.Second) {
			t.Errorf("%s: /readyz not ready 10 s after PostgreSQL came back", name)
		}
		time.Sleep(time.Second) // some load after recovery too
		close(stop)
		wg.Wait()
		select {
		case <-fx.srv.current().done:
			t.Fatalf("%s: Authalla exited during the outage", name)
		default:
		}
		l.verify(ctx, t, fx, name, false)
		t.Logf("%s: ledger: %d users, %d clients, %d live families, %d dead tokens, %d uncertain; %d acknowledged, %d refused",
			name, len(l.users), len(l.clients), len(l.live), len(l.dead), l.uncertain, l.acked.Load(), l.refused.Load())
	}

	hold := time.Duration(pick(3, 15)) * time.Second
	outage("crash", func() { pg.crash(ctx) }, func() { pg.start(ctx) }, hold)
	outage("unreachable", func() { pg.stop(ctx) }, func() { pg.start(ctx) }, time.Duration(pick(5, 30))*time.Second)

	// pg_terminate_backend on the server's connections mid-load: each
	// request either succeeds, is retried on a fresh connection, or gets a
	// clean 503; the ledger shows no half-done rotation.
	func() {
		admin, err := sql.Open("pgx", pg.url("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		stop := make(chan struct{})
		wg := l.runLoad(ctx, stop, 6, fx, func(op string, a answer) { bad("terminate: "+op, a) })
		killed := 0
		for range pick(10, 60) {
			time.Sleep(200 * time.Millisecond)
			var n int
			err := admin.QueryRowContext(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
				WHERE datname = 'authalla_faults' AND pid <> pg_backend_pid()`).Scan(&n)
			if err != nil {
				t.Fatalf("pg_terminate_backend: %v", err)
			}
			killed += n
		}
		close(stop)
		wg.Wait()
		if killed == 0 {
			t.Fatal("pg_terminate_backend found no connection of Authalla to end")
		}
		l.verify(ctx, t, fx, "after pg_terminate_backend", true)
		t.Logf("terminate: %d backends ended mid-load; ledger: %d users, %d live families, %d dead tokens, %d uncertain; %d acknowledged, %d refused",
			killed, len(l.users), len(l.live), len(l.dead), l.uncertain, l.acked.Load(), l.refused.Load())
	}()

	if len(bads) > 0 {
		t.Fatalf("%d answers were a 5xx without Retry-After, leaked internals or hung, e.g.:\n%s", len(bads), strings.Join(bads[:min(len(bads), 10)], "\n"))
	}
}

// mustGet builds a GET request.
func mustGet(ctx context.Context, u string) *http.Request {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		panic(err)
	}
	return req
}

// waitStatus polls u until ok(status) or within is over.
func waitStatus(ctx context.Context, u string, ok func(int) bool, within time.Duration) bool {
	c := faultClient(5 * time.Second)
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if a := send(c, mustGet(ctx, u)); a.err == nil && ok(a.status) {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return false
}
