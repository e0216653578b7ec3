package changes

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/pgtest"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// node is one bus with its listener, as a server process has.
type node struct {
	bus *Bus
	rec *recorder
	l   *Listener
}

func startNode(t *testing.T, ctx context.Context, url, name string) *node {
	t.Helper()
	st, err := sqlstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := &node{bus: New(Options{Notifier: st}), rec: &recorder{}}
	n.bus.Subscribe(n.rec)
	n.l, err = NewListener(n.bus, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Named per node so that the test can cut one node's connection.
	n.l.config.RuntimeParams["application_name"] = name
	lctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); n.l.Run(lctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-n.l.Ready():
	case <-ctx.Done():
		t.Fatalf("%s never listened", name)
	}
	return n
}

// waitFor polls the recorder until it holds want, for at most d.
func (n *node) waitFor(t *testing.T, want idp.Change, d time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for time.Since(start) < d {
		for _, ch := range n.rec.changes() {
			if ch == want {
				return time.Since(start)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %v within %s; got %v", want, d, n.rec.changes())
	return 0
}

func (n *node) count(want idp.Change) int {
	c := 0
	for _, ch := range n.rec.changes() {
		if ch == want {
			c++
		}
	}
	return c
}

func randomTenant(t *testing.T) string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "t" + hex.EncodeToString(b)
}

// TestPostgresTwoNodes: a change published on one node reaches the other
// within a second, once on the publisher; a listener whose connection is
// cut drops everything and hears later changes after it reconnects.
func TestPostgresTwoNodes(t *testing.T) {
	url := pgtest.AdminURL(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	tenant := randomTenant(t)
	a := startNode(t, ctx, url, "changes-test-a-"+tenant)
	b := startNode(t, ctx, url, "changes-test-b-"+tenant)

	ch := idp.Change{Kind: idp.ChangeClient, TenantID: tenant, ID: "c1"}
	a.bus.Publish(ch)
	took := b.waitFor(t, ch, time.Second)
	t.Logf("node b heard node a's change after %s", took)
	time.Sleep(100 * time.Millisecond) // let a's own echo arrive, if it were delivered
	if got := a.count(ch); got != 1 {
		t.Fatalf("node a delivered its own change %d times, want once", got)
	}

	// Cut b's listening connection as a database restart or a proxy's idle
	// cut would.
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	everything := b.count(idp.ChangeEverything)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1`,
		"changes-test-b-"+tenant).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate b's listener: %d backends, %v", n, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for b.count(idp.ChangeEverything) < everything+2 || !b.l.Connected() {
		// One drop when the connection is lost, one on the new LISTEN.
		if time.Now().After(deadline) {
			t.Fatalf("b did not drop everything twice and reconnect: %v (connected %v)", b.rec.changes(), b.l.Connected())
		}
		time.Sleep(10 * time.Millisecond)
	}
	ch2 := idp.Change{Kind: idp.ChangeKeys, TenantID: tenant}
	a.bus.Publish(ch2)
	b.waitFor(t, ch2, time.Second)
}
