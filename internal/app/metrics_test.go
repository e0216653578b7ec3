package app

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/metrics/metricstest"
)

// TestServeMetricsListener: with --metrics-listen, serve answers GET
// /metrics on that address only; the public listener does not serve it,
// and the metrics listener serves nothing else.
func TestServeMetricsListener(t *testing.T) {
	lines, base, stop, stderr := startServe(t, t.TempDir(), "--metrics-listen", "127.0.0.1:0")
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("serve exited %d\n%s", code, stderr.String())
		}
	}()
	var metricsURL string
	for _, l := range lines {
		if rest, ok := strings.CutPrefix(l, "Metrics on "); ok {
			metricsURL = rest
		}
	}
	if !strings.HasPrefix(metricsURL, "http://127.0.0.1:") || !strings.HasSuffix(metricsURL, "/metrics") {
		t.Fatalf("no metrics address printed:\n%s", strings.Join(lines, "\n"))
	}
	client := &http.Client{Timeout: 10 * time.Second}
	status := func(method, u string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(method, u, nil)
		if strings.HasPrefix(u, base) {
			req.Host = "localhost:8080" // the public URL's host: the admin tenant
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		if code, _ := status(http.MethodGet, base+p); code != http.StatusOK {
			t.Fatalf("%s: %d", p, code)
		}
	}

	e := metricstest.ScrapeURL(t, client, metricsURL)
	if got := e.Value("authalla_build_info", "version", Version); got != 1 {
		t.Errorf("build_info{version=%q} = %v", Version, got)
	}
	if got := e.Value("authalla_http_request_duration_seconds", "route", "/.well-known/openid-configuration", "code", "200"); got != 1 {
		t.Errorf("discovery requests = %v, want 1", got)
	}
	// The JWKS came through the key cache, the tenant through the
	// resolver's: both report here.
	for _, cache := range []string{"signing_keys", "tenants"} {
		if n := e.Value("authalla_cache_lookups_total", "cache", cache); n < 1 {
			t.Errorf("%s cache lookups = %v, want some", cache, n)
		}
	}
	if e.Value("authalla_db_connections_open", "dialect", "sqlite") < 1 {
		t.Error("no open SQLite connections reported")
	}

	metricsBase := strings.TrimSuffix(metricsURL, "/metrics")
	for _, c := range []struct {
		method, url string
		want        int
	}{
		{http.MethodGet, base + "/metrics", http.StatusNotFound},
		{http.MethodGet, metricsBase + "/healthz", http.StatusNotFound},
		{http.MethodGet, metricsBase + "/", http.StatusNotFound},
		{http.MethodPost, metricsURL, http.StatusMethodNotAllowed},
	} {
		if code, body := status(c.method, c.url); code != c.want || strings.Contains(body, "# HELP") {
			t.Errorf("%s %s = %d, want %d without metrics", c.method, c.url, code, c.want)
		}
	}
}

func TestLoopbackListener(t *testing.T) {
	for _, c := range []struct {
		addr string
		want bool
	}{
		{"127.0.0.1:9090", true}, {"[::1]:9090", true}, {"0.0.0.0:9090", false}, {"[::]:9090", false},
		{"10.0.0.5:9090", false}, {"[::ffff:127.0.0.1]:9090", true},
	} {
		a, err := net.ResolveTCPAddr("tcp", c.addr)
		if err != nil {
			t.Fatal(err)
		}
		if got := loopbackListener(a); got != c.want {
			t.Errorf("%s: %v, want %v", c.addr, got, c.want)
		}
	}
}
