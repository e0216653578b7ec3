// Command bench drives a running Authalla server on loopback with bounded
// load and prints, per scenario, the median requests per second over
// several runs and the p50 and p99 latencies over all their requests.
//
// Scenarios: client_credentials, code exchange (authorization codes minted
// untimed with a signed-in session, then exchanged under load), authorize
// with a signed-in session, refresh-token rotation, introspection,
// discovery and JWKS. The one hosted sign-in needs the server to send its
// mail to the SMTP sink this command starts (-smtp-listen). See
// docs/benchmarks.md for the setup commands and this machine's figures.
//
// Usage:
//
//	go run ./bench -url http://127.0.0.1:8080 -tenant bench \
//	    -client-id <backend id> -client-secret <secret> \
//	    -spa-client-id <spa id> -redirect-uri http://127.0.0.1:9/callback \
//	    -smtp-listen 127.0.0.1:2525
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"text/tabwriter"
	"time"
)

type options struct {
	url          string
	tenant       string
	issuer       string
	clientID     string
	clientSecret string
	spaClientID  string
	redirectURI  string
	smtpListen   string
	email        string
	scenarios    string
	workers      int
	requests     int
	duration     time.Duration
	runs         int
	warmup       int
	serverPID    int
	// Scale mode (scale.go).
	seedCredentials string
	baseDomain      string
	touchAll        bool
	seed            int64
	coldStart       string
	// introspectTokens > 0 introspects that many fresh tokens per run
	// (introspect_tokens.go).
	introspectTokens int
	tail             bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := mainErr(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func mainErr(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.url, "url", "http://127.0.0.1:8080", "the server's public URL (loopback only)")
	fs.StringVar(&o.tenant, "tenant", "", "tenant id (required)")
	fs.StringVar(&o.issuer, "issuer", "", "the tenant's issuer (default {url}/t/{tenant})")
	fs.StringVar(&o.clientID, "client-id", "", "a backend client of the tenant (client_credentials, introspection)")
	fs.StringVar(&o.clientSecret, "client-secret", "", "that client's secret (or env BENCH_CLIENT_SECRET)")
	fs.StringVar(&o.spaClientID, "spa-client-id", "", "a spa client of the tenant (code exchange, authorize, refresh)")
	fs.StringVar(&o.redirectURI, "redirect-uri", "http://127.0.0.1:9/callback", "the spa client's redirect URI (never fetched)")
	fs.StringVar(&o.smtpListen, "smtp-listen", "127.0.0.1:2525", "where the SMTP sink listens; start the server with this --smtp-host/--smtp-port and --smtp-tls none")
	fs.StringVar(&o.email, "email", "bench@bench.test", "the user that signs in once (the tenant must allow registration)")
	fs.StringVar(&o.scenarios, "scenarios", "all", "comma-separated: client_credentials,code_exchange,authorize,refresh,introspect,discovery,jwks")
	fs.IntVar(&o.workers, "c", 4, "concurrent workers")
	fs.IntVar(&o.requests, "n", 2000, "requests per run")
	fs.DurationVar(&o.duration, "d", 20*time.Second, "maximum duration of a run")
	fs.IntVar(&o.runs, "runs", 5, "timed runs per scenario (the median rate is reported)")
	fs.IntVar(&o.warmup, "warmup", 200, "untimed requests before the runs of each scenario")
	fs.IntVar(&o.introspectTokens, "introspect-tokens", 0, "introspect this many distinct client_credentials tokens, minted before each run (untimed); >= -n: every request a token the server has not seen")
	fs.IntVar(&o.serverPID, "server-pid", 0, "the server's process id on this machine: report its CPU time per request (Linux /proc)")
	fs.StringVar(&o.seedCredentials, "seed-credentials", "", "scale mode: the credentials file of \"authalla seed\"; the load is spread over the seeded tenants")
	fs.StringVar(&o.baseDomain, "base-domain", "", "scale mode: address tenants as {id}.{base-domain} (the server's --base-domain) instead of {url}/t/{id}")
	fs.BoolVar(&o.touchAll, "touch-all", false, "scale mode: first serve discovery and JWKS of every tenant (with -server-pid, report the server's memory after)")
	fs.Int64Var(&o.seed, "seed", 1, "scale mode: seed of the random choice of tenants and users")
	fs.StringVar(&o.coldStart, "cold-start", "", "measure cold starts instead: the server command line to start -runs times, polling -url's discovery of the first seeded tenant until it answers 200")
	fs.BoolVar(&o.tail, "tail", false, "per run, print how many requests took 4 x the median or more in each tenth of the run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	o.url = strings.TrimRight(o.url, "/")
	if o.seedCredentials != "" {
		if err := checkLoopback(o.url); err != nil {
			return err
		}
		if o.coldStart != "" {
			return runColdStart(ctx, o, stdout, stderr)
		}
		return runScale(ctx, o, stdout, stderr)
	}
	if o.tenant == "" {
		return errors.New("-tenant is required")
	}
	if o.clientSecret == "" {
		o.clientSecret = os.Getenv("BENCH_CLIENT_SECRET")
	}
	o.url = strings.TrimRight(o.url, "/")
	if o.issuer == "" {
		o.issuer = o.url + "/t/" + o.tenant
	}
	if err := checkLoopback(o.url); err != nil {
		return err
	}
	if err := checkLoopback(o.issuer); err != nil {
		return err
	}
	if o.workers < 1 || o.requests < 1 || o.runs < 1 || o.duration <= 0 {
		return errors.New("-c, -n, -runs and -d must be positive")
	}

	b, err := newBench(ctx, o, stderr)
	if err != nil {
		return err
	}
	defer b.close()

	fmt.Fprintf(stdout, "Authalla load benchmark: %s, %d workers, %d requests or %s per run, %d runs per scenario\n",
		o.issuer, o.workers, o.requests, o.duration, o.runs)
	fmt.Fprintf(stdout, "load average before the runs: %s\n\n", loadAverage())
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\truns\trequests\terrors\treq/s (median)\tp50\tp99\treq/server-CPU-s\t")
	lim := limits{workers: o.workers, requests: o.requests, duration: o.duration}
	if o.serverPID > 0 {
		lim.serverCPU = processCPU(o.serverPID)
	}
	for _, sc := range b.selected() {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: warm-up\n", sc.name)
		if o.warmup > 0 {
			if _, err := run(ctx, sc, limits{workers: o.workers, requests: o.warmup, duration: o.duration}); err != nil {
				return fmt.Errorf("%s: warm-up: %w", sc.name, err)
			}
		}
		var results []runResult
		for i := range o.runs {
			r, err := run(ctx, sc, lim)
			if err != nil {
				return fmt.Errorf("%s: run %d: %w", sc.name, i+1, err)
			}
			fmt.Fprintf(stderr, "%s: run %d: %d ok, %d errors, %.0f req/s\n", sc.name, i+1, r.completed, r.errors, r.rate())
			if o.tail && len(r.latencies) > 0 {
				p50 := summarize(sc.name, []runResult{r}).p50
				fmt.Fprintf(stderr, "%s: run %d: requests of 4 x p50 (%s) or more by tenth of the run: %v\n", sc.name, i+1, formatDuration(4*p50), r.slowByTenth(4*p50))
			}
			results = append(results, r)
		}
		s := summarize(sc.name, results)
		perCPU := "-"
		if v := s.perCPUSecond(); v > 0 {
			perCPU = fmt.Sprintf("%.0f", v)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t\n", s.name, s.runs, s.requests, s.errors, s.medianRate, formatDuration(s.p50), formatDuration(s.p99), perCPU)
		if s.firstErr != nil {
			fmt.Fprintf(stderr, "%s: first error: %v\n", sc.name, s.firstErr)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "\nload average after the runs: %s\n", loadAverage())
	return nil
}

// checkLoopback refuses any target that is not on this machine's loopback:
// the benchmark must never send load elsewhere.
func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q is not an absolute URL", raw)
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if a, err := netip.ParseAddr(host); err == nil && a.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address: the benchmark only targets 127.0.0.0/8, [::1] or localhost", host)
}

// loadAverage reads the 1, 5 and 15 minute load averages (Linux), so a
// report shows whether other work shared the machine.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// newHTTPClient keeps one idle connection per worker, as a real client
// pool would.
func newHTTPClient(workers int) *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        workers * 2,
		MaxIdleConnsPerHost: workers * 2,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}
}
