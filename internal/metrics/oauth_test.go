package metrics_test

import (
	"testing"

	"github.com/authalla/authalla/internal/metrics"
	"github.com/authalla/authalla/internal/metrics/metricstest"
)

// TestTokenRequestOutcomes: introspection and revocation outcomes are
// counted by endpoint, token type and outcome; every series exists from
// the start, and a token type outside the vocabulary is "other".
func TestTokenRequestOutcomes(t *testing.T) {
	m := metrics.New(metrics.Options{})
	const fam = "authalla_oauth_token_requests_total"
	if n := metricstest.Scrape(t, m.Handler()).Series(fam); n != 8 {
		t.Fatalf("%d series before any request, want 8", n)
	}
	m.Introspected("access_token", true)
	m.Introspected("access_token", true)
	m.Introspected("refresh_token", false)
	m.Revoked("access_token", false)
	m.Revoked("refresh_token", true)
	m.Introspected("eyJhbGciOi.leaked.token", false)
	var none *metrics.Metrics
	none.Introspected("access_token", true)
	none.Revoked("access_token", true)

	e := metricstest.Scrape(t, m.Handler())
	cases := []struct {
		endpoint, tokenType, outcome string
		want                         float64
	}{
		{"introspect", "access_token", "active", 2},
		{"introspect", "access_token", "inactive", 0},
		{"introspect", "refresh_token", "inactive", 1},
		{"revoke", "access_token", "unchanged", 1},
		{"revoke", "refresh_token", "revoked", 1},
		{"introspect", "other", "inactive", 1},
	}
	for _, c := range cases {
		if got := e.Value(fam, "endpoint", c.endpoint, "token_type", c.tokenType, "outcome", c.outcome); got != c.want {
			t.Errorf("%s %s %s = %v, want %v", c.endpoint, c.tokenType, c.outcome, got, c.want)
		}
	}
}
