package app

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// lockedBuffer is a bytes.Buffer safe for one writer and concurrent readers.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startServe runs "serve" in the background on a loopback port and
// returns the lines it prints, the base URL it listens on, and a stop
// function that cancels the context and returns the exit code. extra are
// further serve flags.
func startServe(t *testing.T, dataDir string, extra ...string) (lines []string, base string, stop func() int, stderr *lockedBuffer) {
	t.Helper()
	return startServeEnv(t, dataDir, func(string) string { return "" }, extra...)
}

// startServeEnv is startServe with the process environment getenv reads.
func startServeEnv(t *testing.T, dataDir string, getenv func(string) string, extra ...string) (lines []string, base string, stop func() int, stderr *lockedBuffer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	stderr = &lockedBuffer{}
	e := &env{stdout: pw, stderr: stderr, getenv: getenv}
	done := make(chan int, 1)
	go func() {
		code := run(ctx, e, append([]string{"serve", "--listen", "127.0.0.1:0", "--data-dir", dataDir, "--shutdown-grace", "5s"}, extra...))
		pw.Close()
		done <- code
	}()
	got := make(chan string)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			got <- sc.Text()
		}
		close(got)
	}()
	timeout := time.After(30 * time.Second)
	for base == "" {
		select {
		case l, ok := <-got:
			if !ok {
				cancel()
				code := <-done
				t.Fatalf("serve exited (code %d) before listening:\n%s\nstderr:\n%s", code, strings.Join(lines, "\n"), stderr.String())
			}
			lines = append(lines, l)
			if rest, ok := strings.CutPrefix(l, "Listening on "); ok {
				base = rest
			}
		case <-timeout:
			cancel()
			t.Fatalf("serve did not start in time; output so far:\n%s\nstderr:\n%s", strings.Join(lines, "\n"), stderr.String())
		}
	}
	go func() { // drain the rest
		for range got {
		}
	}()
	stop = func() int {
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not stop after cancellation")
			return -1
		}
	}
	return lines, base, stop, stderr
}

// TestServe: the zero-config start prints the issuers and the one-time
// sign-in link, answers on the port it printed, shuts down cleanly when
// its context is cancelled, and on the next start prints the issuers but
// no new link.
func TestServe(t *testing.T) {
	dir := t.TempDir()
	lines, base, stop, stderr := startServe(t, dir)
	out := strings.Join(lines, "\n")
	for _, want := range []string{"Admin issuer     http://localhost:8080", "Default tenant   http://localhost:8080/t/", "http://localhost:8080/oauth2/magic-link?token=", "admin@localhost"} {
		if !strings.Contains(out, want) {
			t.Errorf("first start output lacks %q:\n%s", want, out)
		}
	}
	if !strings.HasPrefix(base, "http://127.0.0.1:") || strings.HasSuffix(base, ":0") {
		t.Errorf("listening address %q is not the real port", base)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/healthz: %d", resp.StatusCode)
	}
	// The printed issuers are the ones the server answers on.
	def := regexp.MustCompile(`http://localhost:8080/t/([a-z0-9-]+)`).FindStringSubmatch(out)
	if def == nil {
		t.Fatalf("no default tenant issuer in:\n%s", out)
	}
	for _, issuer := range []string{"http://localhost:8080", def[0]} {
		path := strings.TrimPrefix(issuer, "http://localhost:8080") + "/.well-known/openid-configuration"
		var doc struct {
			Issuer string `json:"issuer"`
		}
		if code := getJSON(t, client, base+path, &doc); code != http.StatusOK || doc.Issuer != issuer {
			t.Errorf("discovery at %s: %d, issuer %q", path, code, doc.Issuer)
		}
	}
	// The sign-in link reaches the hosted page.
	link := regexp.MustCompile(`http://localhost:8080(/oauth2/magic-link\?token=[A-Za-z0-9_-]+)`).FindStringSubmatch(out)
	if link == nil {
		t.Fatalf("no sign-in link in:\n%s", out)
	}
	signInWithLink(t, base, link[1])
	if code := stop(); code != 0 {
		t.Fatalf("exit code %d after shutdown; stderr:\n%s", code, stderr.String())
	}
	if strings.Contains(stderr.String(), "token=") {
		t.Fatal("the sign-in link reached the log")
	}

	lines, _, stop, _ = startServe(t, dir)
	out = strings.Join(lines, "\n")
	if strings.Contains(out, "magic-link") || !strings.Contains(out, "Admin issuer") || !strings.Contains(out, "/t/") {
		t.Errorf("second start output:\n%s", out)
	}
	if code := stop(); code != 0 {
		t.Fatalf("second run exit code %d", code)
	}
}

// getJSON fetches url on the public host name and decodes the body.
func getJSON(t *testing.T, c *http.Client, url string, v any) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = "localhost:8080"
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Errorf("%s: %v", url, err)
	}
	return resp.StatusCode
}

// signInWithLink follows the printed one-time link as a browser would: the
// page shows a Continue button (a GET never consumes the link), the POST
// signs the first administrator in and lands on the start page, which then
// names them; the link cannot be used twice.
func signInWithLink(t *testing.T, base, path string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	browser := &http.Client{Timeout: 10 * time.Second, Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	do := func(method, path string, form url.Values) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, _ := http.NewRequest(method, base+path, body)
		req.Host = "localhost:8080" // the configured public host; the test listens on 127.0.0.1
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "http://localhost:8080")
		}
		resp, err := browser.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, page := do(http.MethodGet, path, nil)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("sign-in link page: %d", resp.StatusCode)
	}
	form := url.Values{}
	for _, m := range regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		form.Set(m[1], html.UnescapeString(m[2]))
	}
	resp, _ = do(http.MethodPost, "/oauth2/magic-link", form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Fatalf("using the sign-in link: %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, home := do(http.MethodGet, "/", nil); !strings.Contains(home, "admin@localhost") {
		t.Fatalf("the start page does not show the signed-in administrator:\n%s", home)
	}
	if resp, _ := do(http.MethodPost, "/oauth2/magic-link", form); resp.StatusCode == http.StatusSeeOther {
		t.Fatal("the one-time link worked twice")
	}
}
