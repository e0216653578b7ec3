package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/cliauth"
)

// publicHost is the host the test server believes it serves (its
// default public URL); the test dials the real loopback port instead.
const publicHost = "localhost:8080"

// redirectingClient returns an HTTP client (with a cookie jar when
// jar is true) that reaches publicHost at the listener base and every
// other loopback address as is: the CLI and the "browser" then use the
// server's real URLs (issuer, endpoints, cookies) as in production.
func redirectingClient(base string, jar bool) *http.Client {
	target := strings.TrimPrefix(base, "http://")
	d := &net.Dialer{Timeout: 5 * time.Second}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == publicHost {
			addr = target
		}
		return d.DialContext(ctx, network, addr)
	}}
	c := &http.Client{Timeout: 10 * time.Second, Transport: tr}
	if jar {
		c.Jar, _ = cookiejar.New(nil)
	}
	return c
}

// mailPINs returns the PINs the development outbox logged for to, oldest
// first.
func mailPINs(log, to string) []string {
	var pins []string
	sc := bufio.NewScanner(strings.NewReader(log))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var l struct {
			Msg, To, Text string
		}
		if json.Unmarshal(sc.Bytes(), &l) != nil || !strings.Contains(l.Msg, "development outbox") || !strings.EqualFold(l.To, to) {
			continue
		}
		if pin := regexp.MustCompile(`\b\d{6}\b`).FindString(l.Text); pin != "" {
			pins = append(pins, pin)
		}
	}
	return pins
}

var hiddenInput = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`)

// browse plays the administrator's browser from the authorization URL
// the CLI opened: the login page, the email, the PIN read from the
// server's log (--dev style outbox), then the redirect to the CLI's
// loopback listener. It returns the callback page's status.
func browse(ctx context.Context, authURL, base, email string, serverLog func() string) error {
	c := redirectingClient(base, true)
	do := func(method, u string, form url.Values) (*http.Response, string, error) {
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		if err != nil {
			return nil, "", err
		}
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "http://"+publicHost)
		}
		resp, err := c.Do(req)
		if err != nil {
			return nil, "", err
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b), nil
	}
	formOf := func(page string) url.Values {
		v := url.Values{}
		end := strings.Index(page, "</form>")
		if end < 0 {
			end = len(page)
		}
		for _, m := range hiddenInput.FindAllStringSubmatch(page[:end], -1) {
			v.Set(m[1], html.UnescapeString(m[2]))
		}
		return v
	}
	resp, page, err := do(http.MethodGet, authURL, nil)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/oauth2/login") {
		return fmt.Errorf("authorize led to %d %s", resp.StatusCode, resp.Request.URL)
	}
	before := len(mailPINs(serverLog(), email))
	v := formOf(page)
	v.Set("email", email)
	resp, page, err = do(http.MethodPost, resp.Request.URL.String(), v)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Request.URL.Path, "/oauth2/pin-code") {
		return fmt.Errorf("email step led to %d %s", resp.StatusCode, resp.Request.URL)
	}
	// The mail is handed to the outbox asynchronously: wait for its log
	// line (bounded).
	var pin string
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for pin == "" {
		if pins := mailPINs(serverLog(), email); len(pins) > before {
			pin = pins[len(pins)-1]
			break
		}
		select {
		case <-tick.C:
		case <-deadline:
			return errors.New("no sign-in mail in the server log")
		}
	}
	v = formOf(page)
	v.Set("pin", pin)
	resp, page, err = do(http.MethodPost, resp.Request.URL.String(), v)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != "/callback" || !strings.HasPrefix(resp.Request.URL.Host, "127.0.0.1:") {
		return fmt.Errorf("the PIN step ended at %d %s:\n%s", resp.StatusCode, resp.Request.URL.Redacted(), page)
	}
	return nil
}

// cliRun runs one CLI command with the test's configuration directory
// and HTTP client and returns its exit code, stdout and stderr.
func cliRun(t *testing.T, e *env, args ...string) (int, string, string) {
	t.Helper()
	var out, errs strings.Builder
	e2 := *e
	e2.stdout, e2.stderr = &out, &errs
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	code := run(ctx, &e2, args)
	return code, out.String(), errs.String()
}

// TestRemoteCLI: "authalla login" against a running server signs the
// first administrator in through the hosted pages (email + PIN) and the
// CLI's loopback redirect; the management commands then go through the
// API with the same output shapes as locally; an expired access token is
// refreshed (and the rotated refresh token saved); logout revokes, after
// which the old access token no longer works.
func TestRemoteCLI(t *testing.T) {
	dir := t.TempDir()
	lines, base, stop, serverLog := startServe(t, dir)
	defer func() {
		if code := stop(); code != 0 {
			t.Errorf("serve exit code %d", code)
		}
	}()
	def := regexp.MustCompile(`http://localhost:8080/t/([a-z0-9-]+)`).FindStringSubmatch(strings.Join(lines, "\n"))
	if def == nil {
		t.Fatalf("no default tenant in:\n%s", strings.Join(lines, "\n"))
	}
	defaultTenant := def[1]

	cfgHome := filepath.Join(t.TempDir(), "config")
	browsed := make(chan error, 1)
	e := &env{
		getenv: func(k string) string {
			if k == "XDG_CONFIG_HOME" {
				return cfgHome
			}
			return ""
		},
		httpClient: redirectingClient(base, false),
		openURL: func(u string) {
			go func() { browsed <- browse(context.Background(), u, base, "admin@localhost", serverLog.String) }()
		},
	}
	credPath := filepath.Join(cfgHome, "authalla", "credentials.json")

	// Before login, management commands are local (no credentials).
	if remote, _, err := selectTarget(e, []string{"--json"}); remote || err != nil {
		t.Fatalf("selectTarget before login: %v %v", remote, err)
	}

	code, out, errs := cliRun(t, e, "login", "--server", "http://localhost:8080", "--tenant", defaultTenant)
	if err := <-browsed; err != nil {
		t.Fatalf("browser: %v", err)
	}
	if code != 0 {
		t.Fatalf("login: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
	}
	if !strings.Contains(out, "Logged in to http://localhost:8080 as admin@localhost") || !strings.Contains(errs, "http://localhost:8080/oauth2/authorize?") ||
		strings.Contains(errs, "warning") || strings.Contains(errs, "note") {
		t.Fatalf("login output:\n%s\nstderr:\n%s", out, errs)
	}
	st, err := os.Stat(credPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v", st, err)
	}
	creds, err := cliauth.Load(credPath)
	if err != nil || creds.ClientID != "authalla-cli" || creds.Issuer != "http://localhost:8080" || creds.DefaultTenant != defaultTenant ||
		creds.RefreshToken == "" || creds.AccessToken == "" || creds.Expiry.IsZero() {
		t.Fatalf("credentials %+v %v", creds, err)
	}
	if strings.Contains(serverLog.String(), creds.AccessToken) || strings.Contains(serverLog.String(), creds.RefreshToken) {
		t.Fatal("a token reached the server log")
	}

	// tenant list through the API.
	code, out, errs = cliRun(t, e, "tenant", "list", "--json")
	if code != 0 {
		t.Fatalf("tenant list: %d %s", code, errs)
	}
	var tenants struct {
		Items []tenantJSON `json:"items"`
		Total int          `json:"total"`
	}
	if err := json.Unmarshal([]byte(out), &tenants); err != nil || tenants.Total < 1 {
		t.Fatalf("tenant list: %v\n%s", err, out)
	}
	found := false
	for _, tn := range tenants.Items {
		found = found || (tn.ID == defaultTenant && tn.Issuer == "http://localhost:8080/t/"+defaultTenant)
	}
	if !found {
		t.Fatalf("the default tenant is not listed with its issuer:\n%s", out)
	}

	// client create on the default tenant: the secret comes once.
	code, out, errs = cliRun(t, e, "client", "create", "--name", "Billing job", "--type", "backend", "--json")
	if code != 0 {
		t.Fatalf("client create: %d %s", code, errs)
	}
	var created clientJSON
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.ID == "" || created.ClientID != created.ID ||
		created.ClientSecret == "" || created.TenantID != defaultTenant || created.Type != "backend" {
		t.Fatalf("client create: %v\n%s", err, out)
	}
	code, out, _ = cliRun(t, e, "client", "get", created.ID, "--json")
	var got clientJSON
	if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.ID != created.ID || got.ClientSecret != "" || strings.Contains(out, "client_secret") {
		t.Fatalf("client get: %d\n%s", code, out)
	}
	// Human output is the local one.
	code, out, _ = cliRun(t, e, "client", "get", created.ID, "--tenant", defaultTenant)
	if code != 0 || !strings.Contains(out, "client_id") || !strings.Contains(out, "Billing job") {
		t.Fatalf("client get (human): %d\n%s", code, out)
	}
	// An API error prints its error_description and fails.
	code, _, errs = cliRun(t, e, "client", "get", "no-such-client")
	if code != 1 || !strings.HasPrefix(errs, "authalla: ") || strings.Contains(errs, "{") {
		t.Fatalf("client get of a missing client: %d %q", code, errs)
	}
	// A command that needs the database says so.
	if code, _, errs = cliRun(t, e, "user", "sign-in-link", "x"); code != 2 || !strings.Contains(errs, "--local") {
		t.Fatalf("sign-in-link remotely: %d %q", code, errs)
	}

	// The other groups, and the same answer locally and remotely: both
	// read the same database, so --json must match byte for byte.
	for _, args := range [][]string{
		{"user", "create", "--email", "pat@example.com", "--name", "Pat", "--json"},
		{"resource-server", "create", "--identifier", "https://orders.example.com", "--name", "Orders", "--scope", "orders:read", "--json"},
		{"resource-server", "add-scope", "https://orders.example.com", "--scope", "orders:write", "--json"},
		{"keys", "rotate", "--json"},
		{"tenant", "create", "--name", "Shop", "--id", "shop", "--json"},
		{"tenant", "update", "shop", "--allow-registration", "--add-allowed-origin", "https://shop.example.com", "--json"},
	} {
		if code, out, errs := cliRun(t, e, args...); code != 0 || !strings.HasPrefix(out, "{") {
			t.Fatalf("%v: %d\n%s\n%s", args, code, out, errs)
		}
	}
	for _, args := range [][]string{
		{"tenant", "get", "shop", "--json"},
		{"tenant", "get", defaultTenant},
		{"client", "get", created.ID, "--tenant", defaultTenant, "--json"},
		{"client", "list", "--tenant", defaultTenant, "--json"},
		{"client", "list-secrets", created.ID, "--tenant", defaultTenant, "--json"},
		{"user", "list", "--tenant", defaultTenant, "--search", "pat", "--json"},
		{"resource-server", "get", "https://orders.example.com", "--tenant", defaultTenant, "--json"},
		{"resource-server", "list", "--tenant", defaultTenant},
		{"keys", "list", "--tenant", defaultTenant, "--json"},
	} {
		code, remoteOut, errs := cliRun(t, e, args...)
		if code != 0 {
			t.Fatalf("%v remotely: %d %s", args, code, errs)
		}
		code, localOut, errs := cliRun(t, e, append(append([]string{}, args...), "--local", "--data-dir", dir)...)
		if code != 0 {
			t.Fatalf("%v locally: %d %s", args, code, errs)
		}
		if remoteOut != localOut {
			t.Errorf("%v: remote and local output differ\nremote:\n%s\nlocal:\n%s", args, remoteOut, localOut)
		}
	}
	testRemoteSuspend(t, e, dir)
	testRemoteKeyLifecycle(t, e, dir)
	testRemoteTheme(t, e, dir, defaultTenant)
	if code, out, _ := cliRun(t, e, "tenant", "delete", "shop", "--server", "http://localhost:8080/"); code != 0 || !strings.Contains(out, "Deleted tenant shop") {
		t.Fatalf("tenant delete with --server: %d %s", code, out)
	}
	if code, _, errs := cliRun(t, e, "tenant", "list", "--server", "https://elsewhere.example.com"); code != 1 || !strings.Contains(errs, "not logged in to https://elsewhere.example.com") {
		t.Fatalf("another server: %d %s", code, errs)
	}

	// An expired access token is refreshed before use; the rotated
	// refresh token is saved.
	creds.Expiry = time.Now().Add(-time.Minute)
	if err := cliauth.Save(credPath, creds); err != nil {
		t.Fatal(err)
	}
	if code, _, errs = cliRun(t, e, "tenant", "get", defaultTenant, "--json"); code != 0 {
		t.Fatalf("tenant get after expiry: %d %s", code, errs)
	}
	refreshed, err := cliauth.Load(credPath)
	if err != nil || refreshed.RefreshToken == creds.RefreshToken || refreshed.AccessToken == creds.AccessToken || !refreshed.Expiry.After(time.Now()) {
		t.Fatalf("after refresh: %+v %v", refreshed, err)
	}

	// logout revokes: the old access token is refused by the API.
	code, out, errs = cliRun(t, e, "logout")
	if code != 0 || !strings.Contains(out, "Logged out") {
		t.Fatalf("logout: %d\n%s\n%s", code, out, errs)
	}
	if _, err := os.Stat(credPath); !os.IsNotExist(err) {
		t.Fatalf("credentials file still there: %v", err)
	}
	req, _ := http.NewRequest(http.MethodGet, "http://localhost:8080/api/v1/tenants", nil)
	req.Header.Set("Authorization", "Bearer "+refreshed.AccessToken)
	resp, err := redirectingClient(base, false).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("the revoked access token got %d", resp.StatusCode)
	}
	// The revoked refresh token cannot be used either.
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refreshed.RefreshToken}, "client_id": {"authalla-cli"}}
	resp, err = redirectingClient(base, false).PostForm("http://localhost:8080/oauth2/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("the revoked refresh token got %d", resp.StatusCode)
	}
	// Logged out, commands are local again; logging out twice is fine.
	if remote, _, _ := selectTarget(e, nil); remote {
		t.Fatal("still remote after logout")
	}
	if code, out, _ = cliRun(t, e, "logout"); code != 0 || !strings.Contains(out, "Not logged in") {
		t.Fatalf("second logout: %d %s", code, out)
	}
}

// testRemoteSuspend suspends the tenant "shop" through the API and resumes
// it; the local CLI reads the same state from the database.
func testRemoteSuspend(t *testing.T, e *env, dir string) {
	t.Helper()
	for _, c := range []struct {
		verb, status, human string
	}{
		{"suspend", "suspended", "Suspended tenant shop"},
		{"resume", "active", "Tenant shop is active"},
	} {
		code, out, errs := cliRun(t, e, "tenant", c.verb, "shop", "--json")
		var got tenantJSON
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.ID != "shop" || got.Status != c.status {
			t.Fatalf("tenant %s remotely: %d\n%s\n%s", c.verb, code, out, errs)
		}
		code, out, errs = cliRun(t, e, "tenant", "get", "shop", "--local", "--data-dir", dir, "--json")
		if code != 0 || json.Unmarshal([]byte(out), &got) != nil || got.Status != c.status {
			t.Fatalf("tenant get locally after %s: %d\n%s\n%s", c.verb, code, out, errs)
		}
		if code, out, _ := cliRun(t, e, "tenant", c.verb, "shop"); code != 0 || !strings.Contains(out, c.human) {
			t.Fatalf("tenant %s (human): %d %s", c.verb, code, out)
		}
	}
}
