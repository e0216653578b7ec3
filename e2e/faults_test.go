package e2e

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/mail/mailtest"
	"github.com/authalla/authalla/internal/pgtest"
)

// TestFaults is SECURITY-TESTS group H against the built binary: kill -9
// under load with a ledger (49, 50), PostgreSQL crash and outage (50, 51),
// concurrent refresh (52), write contention (53) and resource exhaustion
// (56). Signing-key rotation (54) and the clock boundaries (58) run in
// process with a fake clock (faults_rotation_test.go, faults_clock_test.go).
// The normal suite runs the short form; scripts/faults runs the full form
// (AUTHALLA_FAULTS=full: more kill cycles, more rounds, longer outages).
func TestFaults(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Duration(pick(6, 40))*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)

	t.Run("ConcurrentRefresh/SQLite", func(t *testing.T) { faultConcurrentRefresh(ctx, t, bin, "") })
	t.Run("ConcurrentRefresh/PostgreSQL", func(t *testing.T) { faultConcurrentRefresh(ctx, t, bin, faultPostgres(ctx, t)) })
	t.Run("WriteContention/SQLite", func(t *testing.T) { faultWriteContention(ctx, t, bin, "") })
	t.Run("WriteContention/PostgreSQL", func(t *testing.T) { faultWriteContention(ctx, t, bin, faultPostgres(ctx, t)) })
	t.Run("Kill9/SQLite", func(t *testing.T) { faultKill9(ctx, t, bin, "") })
	t.Run("Kill9/PostgreSQL", func(t *testing.T) { faultKill9(ctx, t, bin, faultPostgres(ctx, t)) })
	t.Run("PostgreSQLOutage", func(t *testing.T) { faultPostgresOutage(ctx, t, bin) })
	t.Run("Exhaustion", func(t *testing.T) { faultExhaustion(ctx, t, bin) })
}

// faultFixture is a started server with a tenant, a signed-in relying
// party per grace setting and a management machine client.
type faultFixture struct {
	srv    *faultServer
	mails  *mailtest.Server
	strict *rp // refresh grace 0
	grace  *rp // refresh grace 30 s
	mach   *machine
}

const faultTenant = "faults"

// newFaultFixture starts a server and prepares the tenant and clients.
func newFaultFixture(ctx context.Context, t *testing.T, bin, databaseURL string, extra ...string) *faultFixture {
	t.Helper()
	mails := mailtest.Start(t)
	fs := newFaultServer(t, bin, databaseURL, mails, extra...)
	fs.start(ctx)
	s := fs.asServer()
	s.cli(ctx, t, "tenant", "create", "--id", faultTenant, "--name", "Faults", "--allow-registration", "--json")
	f := &faultFixture{srv: fs, mails: mails}
	f.strict = newRP(ctx, t, s, faultTenant, 0)
	f.grace = newRP(ctx, t, s, faultTenant, 30)
	f.strict.signIn(ctx, t, mails, "strict@faults.test")
	f.grace.signIn(ctx, t, mails, "grace@faults.test")
	f.mach = newMachine(ctx, t, s, faultTenant)
	return f
}

// faultPostgres is an empty database for one fault test: on the server of
// AUTHALLA_TEST_POSTGRES_URL when set (scripts/test), otherwise on a
// throwaway cluster the test starts itself (scripts/faults needs no
// PostgreSQL set up beforehand).
func faultPostgres(ctx context.Context, t *testing.T) string {
	t.Helper()
	if os.Getenv(pgtest.Env) != "" {
		return freshPostgres(t)
	}
	return newPGCluster(ctx, t).url("authalla_faults")
}
