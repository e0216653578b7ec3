package e2e

import (
	"testing"

	"github.com/authalla/authalla/internal/pgtest"
)

// freshPostgres creates an empty database for one test on the server of
// AUTHALLA_TEST_POSTGRES_URL and drops it when the test ends. Without the
// variable the test is skipped, or fails when CI is set.
func freshPostgres(t *testing.T) string {
	t.Helper()
	return pgtest.FreshDatabase(t, "authalla_e2e_")
}
