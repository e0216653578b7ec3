package metrics_test

import (
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/metrics"
	"github.com/authalla/authalla/internal/metrics/cachestat"
	"github.com/authalla/authalla/internal/metrics/metricstest"
)

func TestRegistriesAreIndependent(t *testing.T) {
	a := metrics.New(metrics.Options{Version: "v1.2.3"})
	b := metrics.New(metrics.Options{})
	a.TokenIssued("client_credentials", "access_token")
	ea, eb := metricstest.Scrape(t, a.Handler()), metricstest.Scrape(t, b.Handler())
	if got := ea.Value("authalla_oauth_tokens_issued_total", "grant_type", "client_credentials"); got != 1 {
		t.Errorf("a: issued = %v, want 1", got)
	}
	if got := eb.Value("authalla_oauth_tokens_issued_total", "grant_type", "client_credentials"); got != 0 {
		t.Errorf("b: issued = %v, want 0 (registries must not share state)", got)
	}
	if got := ea.Value("authalla_build_info", "version", "v1.2.3"); got != 1 {
		t.Errorf("build_info{version=v1.2.3} = %v, want 1", got)
	}
	if got := eb.Value("authalla_build_info", "version", "dev"); got != 1 {
		t.Errorf("build_info{version=dev} = %v, want 1", got)
	}
	// The Go runtime and process collectors (the process one reads /proc:
	// this server runs on Linux).
	for _, fam := range []string{"go_goroutines", "go_memstats_heap_alloc_bytes", "process_cpu_seconds_total", "process_resident_memory_bytes"} {
		if !ea.Has(fam) {
			t.Errorf("%s missing from the exposition", fam)
		}
	}
}

func TestNilMetricsRecordsNothing(t *testing.T) {
	var m *metrics.Metrics
	m.ObserveRequest("/x", "GET", 200, time.Millisecond)
	m.RequestStarted()
	m.RequestFinished()
	m.TokenIssued("authorization_code", "access_token")
	m.TokenError("authorization_code", "invalid_grant")
	m.ReplayDetected("refresh_token")
	m.SignIn("pin", "ok")
	if _, ok := m.Cache("tenants").(cachestat.Nop); !ok {
		t.Error("nil Metrics: Cache is not cachestat.Nop")
	}
	if err := m.WatchDB("sqlite", func() map[string]sql.DBStats { return nil }); err != nil {
		t.Errorf("nil Metrics: WatchDB: %v", err)
	}
}

func TestRequestDurationLabels(t *testing.T) {
	cases := []struct {
		name                string
		route, method       string
		status              int
		wantRoute, wantMeth string
		wantCode            string
	}{
		{"method pattern", "POST /oauth2/token", "POST", 200, "/oauth2/token", "POST", "200"},
		{"wildcard kept as written", "GET /assets/brand/{kind}", "GET", 404, "/assets/brand/{kind}", "GET", "404"},
		{"methodless pattern", "/admin/", "PATCH", 303, "/admin/", "PATCH", "303"},
		{"no pattern matched", "", "GET", 404, "unmatched", "GET", "404"},
		{"unknown method", "/", "BREW", 405, "/", "other", "405"},
		{"not a pattern", "GET nopath", "GET", 200, "other", "GET", "200"},
		{"overlong pattern", "/" + strings.Repeat("a", 200), "GET", 200, "other", "GET", "200"},
		{"status out of range", "GET /healthz", "GET", 42, "/healthz", "GET", "other"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := metrics.New(metrics.Options{})
			// The second observation takes the cached series.
			m.ObserveRequest(c.route, c.method, c.status, 3*time.Millisecond)
			m.ObserveRequest(c.route, c.method, c.status, 3*time.Millisecond)
			e := metricstest.Scrape(t, m.Handler())
			const fam = "authalla_http_request_duration_seconds"
			if got := e.Value(fam, "route", c.wantRoute, "method", c.wantMeth, "code", c.wantCode); got != 2 {
				t.Errorf("count{route=%q,method=%q,code=%q} = %v, want 2\n%s", c.wantRoute, c.wantMeth, c.wantCode, got, e.Raw)
			}
			if n := e.Series(fam); n != 1 {
				t.Errorf("%d series, want 1", n)
			}
		})
	}
}

func TestInFlight(t *testing.T) {
	m := metrics.New(metrics.Options{})
	m.RequestStarted()
	m.RequestStarted()
	m.RequestFinished()
	if got := metricstest.Scrape(t, m.Handler()).Value("authalla_http_requests_in_flight"); got != 1 {
		t.Errorf("in flight = %v, want 1", got)
	}
}

// TestVocabularies: values outside a label's vocabulary never reach the
// output; they are counted as "other".
func TestVocabularies(t *testing.T) {
	m := metrics.New(metrics.Options{})
	const leak = "tnt_SENTINEL_abc"
	m.TokenIssued("password", leak)
	m.TokenIssued("refresh_token", "id_token")
	m.TokenError(leak, "invalid_client")
	m.TokenError("client_credentials", leak)
	m.ReplayDetected(leak)
	m.ReplayDetected("authorization_code")
	m.SignIn(leak, "ok")
	m.SignIn("pin", leak)
	m.SignIn("magic_link", "invalid_link")
	e := metricstest.Scrape(t, m.Handler())
	if strings.Contains(e.Raw, "SENTINEL") {
		t.Fatalf("a value outside the vocabulary reached the output:\n%s", e.Raw)
	}
	checks := []struct {
		fam    string
		labels []string
		want   float64
	}{
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "other", "token_type", "other"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "refresh_token", "token_type", "id_token"}, 1},
		{"authalla_oauth_token_errors_total", []string{"grant_type", "other", "error", "invalid_client"}, 1},
		{"authalla_oauth_token_errors_total", []string{"grant_type", "client_credentials", "error", "other"}, 1},
		{"authalla_oauth_replays_detected_total", []string{"artifact", "other"}, 1},
		{"authalla_oauth_replays_detected_total", []string{"artifact", "authorization_code"}, 1},
		{"authalla_oauth_replays_detected_total", []string{"artifact", "refresh_token"}, 0},
		{"authalla_login_sign_ins_total", []string{"method", "other", "outcome", "ok"}, 1},
		{"authalla_login_sign_ins_total", []string{"method", "pin", "outcome", "other"}, 1},
		{"authalla_login_sign_ins_total", []string{"method", "magic_link", "outcome", "invalid_link"}, 1},
	}
	for _, c := range checks {
		if got := e.Value(c.fam, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.fam, c.labels, got, c.want)
		}
	}
}

// TestSeriesExistBeforeEvents: the known combinations are exported at
// zero from the start, so that rate() and absent-series alerts work.
func TestSeriesExistBeforeEvents(t *testing.T) {
	e := metricstest.Scrape(t, metrics.New(metrics.Options{}).Handler())
	for _, c := range []struct {
		fam    string
		labels []string
	}{
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "authorization_code", "token_type", "id_token"}},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "client_credentials", "token_type", "access_token"}},
		{"authalla_oauth_replays_detected_total", []string{"artifact", "refresh_token"}},
		{"authalla_login_sign_ins_total", []string{"method", "pin", "outcome", "wrong_pin"}},
	} {
		want := strings.Join(c.labels, "=")
		found := false
		for _, v := range e.LabelValues(c.fam, c.labels[len(c.labels)-2]) {
			if v == c.labels[len(c.labels)-1] {
				found = true
			}
		}
		if !found {
			t.Errorf("%s{%s} not exported before any event", c.fam, want)
		}
	}
}

func TestCache(t *testing.T) {
	m := metrics.New(metrics.Options{})
	tenants := m.Cache("tenants")
	again := m.Cache("tenants")
	keys := m.Cache("signing_keys")
	tenants.Hit()
	tenants.Hit()
	again.Miss()
	keys.Miss()
	e := metricstest.Scrape(t, m.Handler())
	const fam = "authalla_cache_lookups_total"
	for _, c := range []struct {
		cache, result string
		want          float64
	}{
		{"tenants", "hit", 2}, {"tenants", "miss", 1}, {"signing_keys", "hit", 0}, {"signing_keys", "miss", 1},
	} {
		if got := e.Value(fam, "cache", c.cache, "result", c.result); got != c.want {
			t.Errorf("%s{cache=%s,result=%s} = %v, want %v", fam, c.cache, c.result, got, c.want)
		}
	}
}

func TestCacheRejectsMalformedNames(t *testing.T) {
	for _, name := range []string{"", "Tenants", "tenant cache", "tnt_0123456789abcdef0123456789abcdef012345678", "1st"} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("Cache(%q) did not panic", name)
				}
			}()
			metrics.New(metrics.Options{}).Cache(name)
		})
	}
}

func TestWatchDB(t *testing.T) {
	m := metrics.New(metrics.Options{})
	stats := map[string]sql.DBStats{
		"write":    {MaxOpenConnections: 1, OpenConnections: 1, InUse: 1, WaitCount: 7, WaitDuration: 1500 * time.Millisecond},
		"read":     {MaxOpenConnections: 4, OpenConnections: 3, InUse: 1, Idle: 2, MaxIdleTimeClosed: 5},
		"Bad Name": {OpenConnections: 99},
	}
	if err := m.WatchDB("sqlite", func() map[string]sql.DBStats { return stats }); err != nil {
		t.Fatal(err)
	}
	if err := m.WatchDB("sqlite", func() map[string]sql.DBStats { return stats }); err == nil {
		t.Error("a second WatchDB was accepted")
	}
	if err := metrics.New(metrics.Options{}).WatchDB("SQL Lite", func() map[string]sql.DBStats { return stats }); err == nil {
		t.Error("a malformed dialect was accepted")
	}
	e := metricstest.Scrape(t, m.Handler())
	for _, c := range []struct {
		fam, pool string
		want      float64
	}{
		{"authalla_db_connections_max_open", "write", 1},
		{"authalla_db_connections_open", "read", 3},
		{"authalla_db_connections_in_use", "write", 1},
		{"authalla_db_connections_idle", "read", 2},
		{"authalla_db_wait_total", "write", 7},
		{"authalla_db_wait_seconds_total", "write", 1.5},
		{"authalla_db_closed_max_idle_time_total", "read", 5},
	} {
		if got := e.Value(c.fam, "dialect", "sqlite", "pool", c.pool); got != c.want {
			t.Errorf("%s{pool=%s} = %v, want %v", c.fam, c.pool, got, c.want)
		}
	}
	if got := e.LabelValues("authalla_db_connections_open", "pool"); strings.Join(got, ",") != "read,write" {
		t.Errorf("pools = %v, want [read write] (a malformed pool name must be skipped)", got)
	}
	// The statistics are read at scrape time.
	stats["read"] = sql.DBStats{OpenConnections: 4}
	if got := metricstest.Scrape(t, m.Handler()).Value("authalla_db_connections_open", "pool", "read"); got != 4 {
		t.Errorf("after a change: open = %v, want 4", got)
	}
}
