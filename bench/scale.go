package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Scale mode (-seed-credentials): the load is spread over the tenants that
// "authalla seed" created, each request to a tenant drawn at random,
// addressed by host ({id}.{base-domain}, with -base-domain) or by path
// issuer ({url}/t/{id}). See docs/benchmarks.md, "Scale".

// seedTenant is one line of the seed's credentials file.
type seedTenant struct {
	Tenant       string `json:"tenant"`
	Users        int    `json:"users"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	SPAClientID  string `json:"spa_client_id"`
	RedirectURI  string `json:"redirect_uri"`
}

// scale holds what the scale scenarios share.
type scale struct {
	o       options
	stderr  io.Writer
	tenants []seedTenant
	// withUsers are the indexes of tenants that have users.
	withUsers []int
	// large is the index of the tenant with the most users.
	large  int
	scheme string
	port   string // ":18140"
	http   *http.Client
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
	sink   *smtpSink

	mu       sync.Mutex
	inFlight map[string]bool // emails being signed in
	tokens   map[int]string  // management tokens by tenant index
	// families are refresh tokens, each of its own grant, ready to rotate.
	families chan family
	nextIP   uint32
}

// family is one refresh-token family of a seeded user.
type family struct {
	tenant  int
	refresh string
}

func readSeedTenants(path string) ([]seedTenant, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []seedTenant
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var t seedTenant
		if err := json.Unmarshal(sc.Bytes(), &t); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, t)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no tenants", path)
	}
	return out, nil
}

func newScale(o options, stderr io.Writer) (*scale, error) {
	tenants, err := readSeedTenants(o.seedCredentials)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(o.url)
	if err != nil {
		return nil, err
	}
	s := &scale{o: o, stderr: stderr, tenants: tenants, scheme: u.Scheme, port: ":" + u.Port(),
		inFlight: map[string]bool{}, tokens: map[int]string{}, families: make(chan family, 4096)}
	for i, t := range tenants {
		if t.Users > 0 {
			s.withUsers = append(s.withUsers, i)
		}
		if t.Users > tenants[s.large].Users {
			s.large = i
		}
	}
	// Every connection goes to the server's loopback address, whatever
	// host name the URL carries: the tenants' host names resolve nowhere.
	target := u.Host
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	s.dial = func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, target)
	}
	s.http = &http.Client{Timeout: 30 * time.Second, Transport: s.transport(o.workers * 2)}
	return s, nil
}

func (s *scale) transport(idle int) *http.Transport {
	return &http.Transport{DialContext: s.dial, MaxIdleConns: idle, MaxIdleConnsPerHost: idle, IdleConnTimeout: 90 * time.Second}
}

// issuer is tenant i's issuer.
func (s *scale) issuer(i int) string {
	id := s.tenants[i].Tenant
	if s.o.baseDomain != "" {
		return s.scheme + "://" + id + "." + s.o.baseDomain + s.port
	}
	return s.o.url + "/t/" + id
}

// pick draws a tenant index.
func pick(r *rand.Rand, n int) int { return r.IntN(n) }

// workerRand gives each worker of each run its own generator, seeded from
// -seed, so that runs are repeatable.
func (s *scale) workerRand(worker, i int) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(s.o.seed), uint64(worker)<<32|uint64(i)))
}

func (s *scale) get(ctx context.Context, u, bearer string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

func (s *scale) postForm(ctx context.Context, u string, form url.Values, user, pass string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(url.QueryEscape(user), url.QueryEscape(pass))
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: %s: %.200s", req.URL.Path, resp.Status, body)
	}
	return json.Unmarshal(body, out)
}

// runScale runs the scale scenarios and, with -server-pid, reports the
// server's resident memory before and after a pass over every tenant.
func runScale(ctx context.Context, o options, stdout, stderr io.Writer) error {
	s, err := newScale(o, stderr)
	if err != nil {
		return err
	}
	if s.wantsAny("signin", "refresh") {
		if s.sink, err = listenSMTP(o.smtpListen); err != nil {
			return err
		}
		defer s.sink.Close()
	}
	// One discovery answer checks the addressing before any load.
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	first := s.issuer(0)
	if err := s.getJSON(ctx, first+"/.well-known/openid-configuration", &meta); err != nil {
		return fmt.Errorf("discovery of %s: %w", s.tenants[0].Tenant, err)
	}
	if meta.Issuer != first || meta.TokenEndpoint != first+"/oauth2/token" {
		return fmt.Errorf("discovery of %s: issuer %q, token endpoint %q; want %s", s.tenants[0].Tenant, meta.Issuer, meta.TokenEndpoint, first)
	}
	form := "path"
	if o.baseDomain != "" {
		form = "host"
	}
	fmt.Fprintf(stdout, "Authalla scale benchmark: %d tenants (%s issuers, e.g. %s), largest %s with %d users; %d workers, %d requests or %s per run, %d runs per scenario\n",
		len(s.tenants), form, first, s.tenants[s.large].Tenant, s.tenants[s.large].Users, o.workers, o.requests, o.duration, o.runs)
	fmt.Fprintf(stdout, "load average before the runs: %s\n", loadAverage())
	if o.serverPID > 0 {
		fmt.Fprintf(stdout, "server memory at the start: %s\n", memoryOf(o.serverPID))
	}
	if o.touchAll {
		t0 := time.Now()
		n, err := s.touchAll(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "served discovery and JWKS of all %d tenants (%d requests, %.1fs)\n", len(s.tenants), n, time.Since(t0).Seconds())
		if o.serverPID > 0 {
			fmt.Fprintf(stdout, "server memory after serving every tenant: %s\n", memoryOf(o.serverPID))
		}
	}
	fmt.Fprintln(stdout)
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "scenario\truns\trequests\terrors\treq/s (median)\tp50\tp99\treq/server-CPU-s\t")
	lim := limits{workers: o.workers, requests: o.requests, duration: o.duration}
	if o.serverPID > 0 {
		lim.serverCPU = processCPU(o.serverPID)
	}
	for _, sc := range s.scenarios() {
		if err := ctx.Err(); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "%s: warm-up\n", sc.name)
		if o.warmup > 0 {
			if _, err := run(ctx, sc, limits{workers: o.workers, requests: min(o.warmup, o.requests), duration: o.duration}); err != nil {
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
			results = append(results, r)
		}
		sum := summarize(sc.name, results)
		perCPU := "-"
		if v := sum.perCPUSecond(); v > 0 {
			perCPU = fmt.Sprintf("%.0f", v)
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t%s\t%s\t%s\t\n", sum.name, sum.runs, sum.requests, sum.errors, sum.medianRate, formatDuration(sum.p50), formatDuration(sum.p99), perCPU)
		if sum.firstErr != nil {
			fmt.Fprintf(stderr, "%s: first error: %v\n", sc.name, sum.firstErr)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if o.serverPID > 0 {
		fmt.Fprintf(stdout, "\nserver memory at the end: %s\n", memoryOf(o.serverPID))
	}
	fmt.Fprintf(stdout, "load average after the runs: %s\n", loadAverage())
	return nil
}

func (s *scale) getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s: %.200s", u, resp.Status, body)
	}
	return json.Unmarshal(body, out)
}

func (s *scale) wantsAny(names ...string) bool {
	for _, n := range names {
		if s.o.scenarios == "all" {
			return true
		}
		for _, x := range strings.Split(s.o.scenarios, ",") {
			if strings.TrimSpace(x) == n {
				return true
			}
		}
	}
	return false
}

// touchAll fetches discovery and the JWKS of every tenant once, with the
// run's workers, so that every per-tenant structure the server keeps has
// been built.
func (s *scale) touchAll(ctx context.Context) (int, error) {
	var next int64
	var mu sync.Mutex
	var firstErr error
	var wg sync.WaitGroup
	for range s.o.workers {
		wg.Go(func() {
			for {
				mu.Lock()
				i := int(next)
				next++
				mu.Unlock()
				if i >= len(s.tenants) || ctx.Err() != nil {
					return
				}
				iss := s.issuer(i)
				for _, p := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
					if err := s.get(ctx, iss+p, ""); err != nil {
						mu.Lock()
						if firstErr == nil {
							firstErr = err
						}
						mu.Unlock()
					}
				}
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, fmt.Errorf("serving every tenant: %w", firstErr)
	}
	return 2 * len(s.tenants), nil
}

// memoryOf reads the resident set (VmRSS) and its peak (VmHWM) of pid
// from /proc (Linux).
func memoryOf(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	var rss, hwm string
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			rss = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm = strings.TrimSpace(v)
		}
	}
	if rss == "" {
		return "unknown"
	}
	return "VmRSS " + rss + " (peak VmHWM " + hwm + ")"
}

var errNoUsers = errors.New("no seeded tenant has users")
