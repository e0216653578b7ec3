package e2e

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// faultsFull reports whether the full form of the fault tests was asked
// for (scripts/faults sets AUTHALLA_FAULTS=full); the normal suite runs the
// short form.
func faultsFull() bool { return os.Getenv("AUTHALLA_FAULTS") == "full" }

// pick returns short in the normal suite and full under scripts/faults.
func pick(short, full int) int {
	if faultsFull() {
		return full
	}
	return short
}

// faultServer is an authalla process the test may SIGKILL, SIGTERM and
// start again on the same port, data directory and database.
type faultServer struct {
	t           *testing.T
	bin         string
	dataDir     string
	databaseURL string
	port        int
	url         string
	smtpHost    string
	smtpPort    int
	extraArgs   []string
	mu          sync.Mutex
	proc        *process
	starts      int
}

// newFaultServer prepares (without starting) a server; databaseURL empty
// means SQLite in the data directory.
func newFaultServer(t *testing.T, bin, databaseURL string, mails *mailtest.Server, extra ...string) *faultServer {
	t.Helper()
	port := freePort(t)
	host, sport := mails.Addr()
	return &faultServer{
		t: t, bin: bin, dataDir: t.TempDir(), databaseURL: databaseURL, port: port,
		url: fmt.Sprintf("http://127.0.0.1:%d", port), smtpHost: host, smtpPort: sport, extraArgs: extra,
	}
}

// asServer is the view the shared helpers (cli) work with.
func (s *faultServer) asServer() *server {
	return &server{bin: s.bin, dataDir: s.dataDir, databaseURL: s.databaseURL, url: s.url}
}

// start runs the process and waits (bounded) until /healthz answers; it
// returns how long that took.
func (s *faultServer) start(ctx context.Context) time.Duration {
	s.t.Helper()
	args := []string{"serve",
		"--listen", fmt.Sprintf("127.0.0.1:%d", s.port),
		"--public-url", s.url,
		"--data-dir", s.dataDir,
		"--dev",
		"--smtp-host", s.smtpHost,
		"--smtp-port", strconv.Itoa(s.smtpPort),
		"--smtp-tls", "none",
		"--smtp-from", "Authalla Faults <no-reply@e2e.test>",
	}
	cmd := exec.Command(s.bin, append(args, s.extraArgs...)...)
	cmd.Env = append(s.asServer().env(), "AUTHALLA_LOG_LEVEL=info")
	began := time.Now()
	s.mu.Lock()
	s.starts++
	p := startProcess(s.t, fmt.Sprintf("authalla-%d", s.starts), cmd, "")
	s.proc = p
	s.mu.Unlock()
	wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := waitHTTP(wctx, s.url+"/healthz", p.done); err != nil {
		s.t.Fatalf("authalla did not become healthy: %v\n%s", err, tail(p.out.String(), 4000))
	}
	return time.Since(began)
}

// kill sends SIGKILL (by PID) and waits for the process to be gone.
func (s *faultServer) kill() {
	s.mu.Lock()
	p := s.proc
	s.mu.Unlock()
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// current is the running process.
func (s *faultServer) current() *process {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.proc
}

// faultClient is a plain HTTP client for the fault tests: loopback only,
// no redirects followed, every call bounded.
func faultClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{MaxIdleConnsPerHost: 128, MaxConnsPerHost: 0, IdleConnTimeout: 30 * time.Second},
	}
}

// answer is a finished request: status, headers and the body read whole.
type answer struct {
	status int
	header http.Header
	body   []byte
	err    error // transport error (no answer)
	took   time.Duration
}

func (a answer) json() map[string]any {
	var m map[string]any
	_ = json.Unmarshal(a.body, &m)
	return m
}

func (a answer) String() string {
	if a.err != nil {
		return "transport error: " + a.err.Error()
	}
	return fmt.Sprintf("%d %s", a.status, tail(string(a.body), 300))
}

// send runs req with c and reads the whole answer.
func send(c *http.Client, req *http.Request) answer {
	began := time.Now()
	resp, err := c.Do(req)
	if err != nil {
		return answer{err: err, took: time.Since(began)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return answer{status: resp.StatusCode, header: resp.Header, body: body, err: err, took: time.Since(began)}
}

// postForm posts form to u, with HTTP Basic client authentication when id
// is not empty.
func postForm(ctx context.Context, c *http.Client, u string, form url.Values, id, secret string) answer {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	if id != "" {
		req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	}
	return send(c, req)
}

// rp is a confidential web client of one tenant that signs a person in
// over plain HTTP (PIN by mail) once, and then obtains any number of
// independent refresh-token families from the session without a browser.
type rp struct {
	issuer, clientID, secret, redirect string
	jar                                http.CookieJar
	c                                  *http.Client
}

var (
	csrfField    = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	requestField = regexp.MustCompile(`name="request" value="([^"]+)"`)
)

// newRP creates a web client (with --refresh-grace-seconds grace) in
// tenant and returns it.
func newRP(ctx context.Context, t *testing.T, srv *server, tenantID string, grace int) *rp {
	t.Helper()
	redirect := "http://127.0.0.1:9/callback" // never contacted: the code is read from Location
	cl := srv.cli(ctx, t, "client", "create", "--tenant", tenantID, "--name", fmt.Sprintf("Faults RP %d", grace),
		"--type", "web", "--redirect-uri", redirect, "--refresh-grace-seconds", strconv.Itoa(grace), "--json")
	jar, _ := cookiejar.New(nil)
	c := faultClient(10 * time.Second)
	c.Jar = jar
	return &rp{issuer: srv.url + "/t/" + tenantID, clientID: str(t, cl, "client_id"), secret: str(t, cl, "client_secret"),
		redirect: redirect, jar: jar, c: c}
}

// pkcePair returns an RFC 7636 verifier and its S256 challenge.
func pkcePair() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// authorize starts an authorization request and returns the answer (a
// redirect to the login page, or with a session straight to the callback).
func (p *rp) authorize(ctx context.Context, challenge string) answer {
	q := url.Values{
		"response_type": {"code"}, "client_id": {p.clientID}, "redirect_uri": {p.redirect},
		"scope": {"openid email offline_access"}, "state": {"faults"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.issuer+"/oauth2/authorize?"+q.Encode(), nil)
	return send(p.c, req)
}

// formPost posts a login form with the Origin a browser would send.
func (p *rp) formPost(ctx context.Context, target string, form url.Values) answer {
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	u, _ := url.Parse(p.issuer)
	req.Header.Set("Origin", u.Scheme+"://"+u.Host)
	return send(p.c, req)
}

// resolve makes a Location absolute against the issuer.
func (p *rp) resolve(loc string) string {
	base, _ := url.Parse(p.issuer + "/")
	u, err := base.Parse(loc)
	if err != nil {
		return loc
	}
	return u.String()
}

// signIn runs the hosted PIN flow over HTTP so that the client's cookie jar
// holds a session.
func (p *rp) signIn(ctx context.Context, t *testing.T, mails *mailtest.Server, email string) {
	t.Helper()
	_, challenge := pkcePair()
	a := p.authorize(ctx, challenge)
	if a.status != http.StatusFound && a.status != http.StatusSeeOther {
		t.Fatalf("authorize: %v", a)
	}
	loginURL := p.resolve(a.header.Get("Location"))
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, loginURL, nil)
	page := send(p.c, req)
	csrf, request := csrfField.FindSubmatch(page.body), requestField.FindSubmatch(page.body)
	if page.status != http.StatusOK || csrf == nil || request == nil {
		t.Fatalf("login page %s: %v", loginURL, page)
	}
	a = p.formPost(ctx, p.issuer+"/oauth2/login", url.Values{"email": {email}, "request": {string(request[1])}, "csrf_token": {string(csrf[1])}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("login POST: %v", a)
	}
	pinURL, _ := url.Parse(p.resolve(a.header.Get("Location")))
	pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, email).Text)
	a = p.formPost(ctx, p.issuer+"/oauth2/pin-code", url.Values{"challenge": {pinURL.Query().Get("challenge")}, "pin": {pin}, "csrf_token": {string(csrf[1])}})
	if a.status != http.StatusSeeOther && a.status != http.StatusFound {
		t.Fatalf("PIN POST: %v", a)
	}
	// The PIN page resumes the authorization request, which then redirects
	// to the callback.
	for hop := 0; hop < 5 && a.err == nil && !strings.HasPrefix(a.header.Get("Location"), p.redirect); hop++ {
		if a.status != http.StatusSeeOther && a.status != http.StatusFound {
			break
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.resolve(a.header.Get("Location")), nil)
		a = send(p.c, req)
	}
	if _, err := p.code(a); err != nil {
		t.Fatalf("after the PIN: %v", err)
	}
}

// code reads the authorization code from a redirect to the callback.
func (p *rp) code(a answer) (string, error) {
	if a.err != nil {
		return "", a.err
	}
	loc := a.header.Get("Location")
	if !strings.HasPrefix(loc, p.redirect) {
		return "", fmt.Errorf("not redirected to the callback: %v (Location %q)", a, loc)
	}
	u, _ := url.Parse(loc)
	if c := u.Query().Get("code"); c != "" {
		return c, nil
	}
	return "", fmt.Errorf("callback without a code: %s", loc)
}

// tokens is a token response.
type tokens struct {
	Access  string `json:"access_token"`
	Refresh string `json:"refresh_token"`
	ID      string `json:"id_token"`
}

// newFamily runs authorize (with the session) and the code exchange: a new
// refresh-token family. It returns the answers for the caller to judge.
func (p *rp) newFamily(ctx context.Context) (tokens, answer) {
	verifier, challenge := pkcePair()
	a := p.authorize(ctx, challenge)
	code, err := p.code(a)
	if err != nil {
		if a.err == nil && a.status < 300 {
			a.err = err
		}
		return tokens{}, a
	}
	a = postForm(ctx, p.c, p.issuer+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {p.redirect}, "code_verifier": {verifier}}, p.clientID, p.secret)
	var tk tokens
	if a.status == http.StatusOK {
		_ = json.Unmarshal(a.body, &tk)
	}
	return tk, a
}

// refresh presents a refresh token.
func (p *rp) refresh(ctx context.Context, c *http.Client, rt string) (tokens, answer) {
	a := postForm(ctx, c, p.issuer+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}, p.clientID, p.secret)
	var tk tokens
	if a.status == http.StatusOK {
		_ = json.Unmarshal(a.body, &tk)
	}
	return tk, a
}

// revoke revokes a token (RFC 7009).
func (p *rp) revoke(ctx context.Context, token string) answer {
	return postForm(ctx, p.c, p.issuer+"/oauth2/revoke", url.Values{"token": {token}}, p.clientID, p.secret)
}

// active introspects a token (RFC 7662) and returns its "active" member.
func (p *rp) active(ctx context.Context, token string) (bool, answer) {
	a := postForm(ctx, p.c, p.issuer+"/oauth2/introspect", url.Values{"token": {token}}, p.clientID, p.secret)
	return a.status == http.StatusOK && a.json()["active"] == true, a
}

// machine is a backend client of a tenant holding a management-API token
// with users:write and clients:write.
type machine struct {
	issuer, base, id, secret string
	token                    string
}

// newMachine creates the backend client and fetches its token.
func newMachine(ctx context.Context, t *testing.T, srv *server, tenantID string) *machine {
	t.Helper()
	cl := srv.cli(ctx, t, "client", "create", "--tenant", tenantID, "--name", "Faults machine", "--type", "backend",
		"--scope", "users:write", "--scope", "users:read", "--scope", "clients:write", "--scope", "clients:read", "--json")
	m := &machine{issuer: srv.url + "/t/" + tenantID, id: str(t, cl, "client_id"), secret: str(t, cl, "client_secret")}
	m.base = m.issuer
	a := postForm(ctx, faultClient(10*time.Second), m.issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"resource": {"urn:authalla:management"}, "scope": {"users:write users:read clients:write clients:read"}}, m.id, m.secret)
	tok, _ := a.json()["access_token"].(string)
	if a.status != http.StatusOK || tok == "" {
		t.Fatalf("management token: %v", a)
	}
	m.token = tok
	return m
}

// call sends a management API request with a JSON body.
func (m *machine) call(ctx context.Context, c *http.Client, method, path string, body any) answer {
	var r io.Reader
	if body != nil {
		raw, _ := json.Marshal(body)
		r = strings.NewReader(string(raw))
	}
	req, err := http.NewRequestWithContext(ctx, method, m.base+path, r)
	if err != nil {
		return answer{err: err}
	}
	req.Header.Set("Authorization", "Bearer "+m.token)
	req.Header.Set("Content-Type", "application/json")
	return send(c, req)
}

// acceptable reports whether a status under fault is one the service
// documents: any 2xx/3xx, a 4xx that is an answer about the request, or
// 503 with Retry-After. A 500 (or any other 5xx) is a bug.
func acceptableUnderFault(a answer) bool {
	if a.err != nil {
		return true // the connection itself failed: judged by the caller
	}
	if a.status == http.StatusServiceUnavailable {
		return a.header.Get("Retry-After") != ""
	}
	return a.status < 500
}

// leaksInternals reports an error answer (4xx/5xx) whose body shows
// driver or runtime text. Success and redirect bodies are not judged: they
// carry random identifiers that may spell anything.
func leaksInternals(a answer) bool {
	if a.status < 400 {
		return false
	}
	s := strings.ToLower(string(a.body))
	for _, w := range []string{"sqlstate", "pgconn", "database/sql", "sqlite_", "database is locked", "goroutine ", "panic:", "dial tcp", "connection refused", "runtime error"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}
