package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// propagation is how soon a change made through one node must be in force
// on another (issue 5, "Scale-out").
const propagation = time.Second

// nodeHeader tells the test's load balancer which node (1-based) a
// request goes to; it is removed before the request is forwarded.
const nodeHeader = "X-E2E-Node"

// cluster is several `authalla serve` processes on one PostgreSQL
// database behind a load balancer at the public URL, as in production:
// the same master key and public URL everywhere, each node with its own
// data directory, X-Forwarded-* trusted from the balancer only.
type cluster struct {
	bin, databaseURL, masterKey string
	public                      string // the balancer: every issuer is under it
	nodes                       []*clusterNode
	// route is the node (0-based) that requests without nodeHeader (the
	// browser's) go to.
	route atomic.Int32
}

// clusterNode is one server process.
type clusterNode struct {
	url     string // its own listener, http://127.0.0.1:<port>
	dataDir string
	proc    *process
}

// startCluster starts n nodes one after the other (the first bootstraps
// the database) and the balancer in front of them.
func startCluster(ctx context.Context, t *testing.T, bin, databaseURL string, mails *mailtest.Server, n int) *cluster {
	t.Helper()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	c := &cluster{bin: bin, databaseURL: databaseURL, masterKey: base64.StdEncoding.EncodeToString(key)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c.public = "http://" + ln.Addr().String()
	proxies := make([]*httputil.ReverseProxy, n)
	for i := range n {
		port := freePort(t)
		node := &clusterNode{url: fmt.Sprintf("http://127.0.0.1:%d", port), dataDir: t.TempDir()}
		target, _ := url.Parse(node.url)
		proxies[i] = &httputil.ReverseProxy{Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.Host = pr.In.Host // tenants are found by the public host
			pr.SetXForwarded()
		}}
		host, smtpPort := mails.Addr()
		cmd := exec.Command(bin, "serve",
			"--listen", fmt.Sprintf("127.0.0.1:%d", port),
			"--smtp-host", host, "--smtp-port", strconv.Itoa(smtpPort), "--smtp-tls", "none",
			"--smtp-from", "Authalla E2E <no-reply@e2e.test>",
		)
		cmd.Env = c.env(node.dataDir)
		node.proc = startProcess(t, fmt.Sprintf("node%d", i+1), cmd, "")
		wctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		err := waitHTTP(wctx, node.url+"/healthz", node.proc.done)
		cancel()
		if err != nil {
			t.Fatalf("node %d did not become healthy: %v\n%s", i+1, err, tail(node.proc.out.String(), 4000))
		}
		c.nodes = append(c.nodes, node)
	}
	lb := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(c.route.Load())
		if h := r.Header.Get(nodeHeader); h != "" {
			k, err := strconv.Atoi(h)
			if err != nil || k < 1 || k > n {
				http.Error(w, "bad "+nodeHeader, http.StatusBadRequest)
				return
			}
			i = k - 1
		}
		r.Header.Del(nodeHeader)
		proxies[i].ServeHTTP(w, r)
	}), ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = lb.Serve(ln) }()
	t.Cleanup(func() { lb.Close() })
	return c
}

// env is the environment of every node and of the CLI: one database, one
// master key, one public URL.
func (c *cluster) env(dataDir string) []string {
	return append(os.Environ(),
		"AUTHALLA_DATA_DIR="+dataDir,
		"AUTHALLA_DATABASE_URL="+c.databaseURL,
		"AUTHALLA_MASTER_KEY="+c.masterKey,
		"AUTHALLA_PUBLIC_URL="+c.public,
		"AUTHALLA_TRUSTED_PROXIES=127.0.0.1/32",
		"AUTHALLA_DEV=true",
		"AUTHALLA_LOG_LEVEL=debug",
	)
}

// cli runs a management command on the shared database (a separate
// process, like an operator's shell) and decodes its --json output.
func (c *cluster) cli(ctx context.Context, t *testing.T, args ...string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, append(slices.Clone(args), "--local", "--json")...)
	cmd.Env = c.env(t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("authalla %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	var out map[string]any
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &out); err != nil {
		t.Fatalf("authalla %s: output is not a JSON object: %v\n%s", strings.Join(args, " "), err, stdout.String())
	}
	return out
}

// noRedirects is a client that shows redirects instead of following them.
var noRedirects = &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
	return http.ErrUseLastResponse
}}

// reply is a response read whole.
type reply struct {
	status   int
	location string
	body     []byte
	json     map[string]any
}

// nodeCall sends a request through the balancer to node (1-based).
func nodeCall(ctx context.Context, t *testing.T, node int, method, u string, body io.Reader, set func(*http.Request)) reply {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set(nodeHeader, strconv.Itoa(node))
	if set != nil {
		set(req)
	}
	resp, err := noRedirects.Do(req)
	if err != nil {
		t.Fatalf("%s %s on node %d: %v", method, u, node, err)
	}
	defer resp.Body.Close()
	a := reply{status: resp.StatusCode, location: resp.Header.Get("Location")}
	a.body, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = json.Unmarshal(a.body, &a.json)
	return a
}

// nodeForm posts an application/x-www-form-urlencoded body, authenticating
// with client_secret_basic (RFC 6749 §2.3.1) when id is given.
func nodeForm(ctx context.Context, t *testing.T, node int, u string, v url.Values, id, secret string) reply {
	t.Helper()
	return nodeCall(ctx, t, node, http.MethodPost, u, strings.NewReader(v.Encode()), func(r *http.Request) {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if id != "" {
			r.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
		}
	})
}

// nodeAPI calls the management API with a bearer token.
func nodeAPI(ctx context.Context, t *testing.T, node int, method, u, token string, body any) reply {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	return nodeCall(ctx, t, node, method, u, rd, func(r *http.Request) {
		r.Header.Set("Authorization", "Bearer "+token)
		if body != nil {
			r.Header.Set("Content-Type", "application/json")
		}
	})
}

// withinPropagation polls check until it holds or propagation (plus a margin for a
// loaded machine in the error message only) has passed, and returns how
// long it took from start. The deadline is the requirement: one second.
func withinPropagation(t *testing.T, what string, start time.Time, check func() (bool, string)) time.Duration {
	t.Helper()
	last := ""
	for {
		ok, state := check()
		took := time.Since(start)
		if ok {
			t.Logf("%s: in force on the other node after %s", what, took.Round(time.Millisecond))
			return took
		}
		last = state
		if took > propagation {
			t.Fatalf("%s: not in force on the other node after %s (last: %s)", what, propagation, last)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// newPKCE returns a code verifier and its S256 challenge (RFC 7636 §4.1-4.2).
func newPKCE(t *testing.T) (verifier, challenge string) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

// TestMultiNode runs two nodes on one PostgreSQL database behind a load
// balancer (issue 5, "Scale-out"): a user signs in on node 1, the code is
// exchanged on node 2, the refresh token is rotated on node 1 and
// introspected on node 2, and logout on node 2 ends the session on node
// 1. Then changes made through one node (REST API on node 1, or the CLI,
// a third process) are in force on node 2 within one second: a new
// client, a removed redirect URI, a new signing key, a tenant's new
// settings, its suspension (in the Admin UI through node 1) and
// resumption (through node 2), and its deletion. The nodes' caches would
// otherwise serve the old state for their TTLs (clients 5 s, keys 30 s,
// tenants 2 s): only the change bus
// (LISTEN/NOTIFY) makes that second.
func TestMultiNode(t *testing.T) {
	requireE2E(t)
	databaseURL := freshPostgres(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	mails := mailtest.Start(t)
	c := startCluster(ctx, t, bin, databaseURL, mails, 2)

	const tenantID = "e2e-multi"
	issuer := c.public + "/t/" + tenantID
	c.cli(ctx, t, "tenant", "create", "--id", tenantID, "--name", "Multi", "--allow-registration")

	// The relying party's callback and post-logout pages.
	cb := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "<!doctype html><title>rp</title><p>%s</p>", r.URL.Path)
	}), ReadHeaderTimeout: 5 * time.Second}
	cbLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = cb.Serve(cbLn) }()
	t.Cleanup(func() { cb.Close() })
	rpBase := "http://" + cbLn.Addr().String()
	callback, loggedOut := rpBase+"/callback", rpBase+"/logged-out"
	rp := c.cli(ctx, t, "client", "create", "--tenant", tenantID, "--name", "RP", "--type", "web",
		"--redirect-uri", callback, "--post-logout-redirect-uri", loggedOut)
	rpID, rpSecret := str(t, rp, "client_id"), str(t, rp, "client_secret")

	authorizeURL := func(challenge, state, prompt string) string {
		q := url.Values{"response_type": {"code"}, "client_id": {rpID}, "redirect_uri": {callback},
			"scope": {"openid email offline_access"}, "state": {state}, "nonce": {state + "-n"},
			"code_challenge": {challenge}, "code_challenge_method": {"S256"}}
		if prompt != "" {
			q.Set("prompt", prompt)
		}
		return issuer + "/oauth2/authorize?" + q.Encode()
	}
	browser := newBrowser(ctx, t)
	f := newFlow(t, browser, "multinode")

	// Sign in on node 1 with the PIN.
	c.route.Store(0)
	verifier, challenge := newPKCE(t)
	f.do("open the authorization request on node 1", chromedp.Navigate(authorizeURL(challenge, "s1", "")))
	f.waitPath("/oauth2/login")
	email := "multi@e2e.test"
	enterEmail(f, email)
	f.waitPath("/oauth2/pin-code")
	pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, email).Text)
	f.do("type the PIN",
		chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
	)
	back, err := url.Parse(f.waitPath("/callback"))
	if err != nil || back.Query().Get("state") != "s1" || back.Query().Get("code") == "" {
		t.Fatalf("callback %v (%v): want a code and state s1", back, err)
	}
	code := back.Query().Get("code")

	// Node 2 exchanges the code node 1 issued.
	tok := nodeForm(ctx, t, 2, issuer+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {code},
		"redirect_uri": {callback}, "code_verifier": {verifier}}, rpID, rpSecret)
	rt1, _ := tok.json["refresh_token"].(string)
	idToken, _ := tok.json["id_token"].(string)
	if tok.status != http.StatusOK || rt1 == "" || idToken == "" {
		t.Fatalf("code exchange on node 2 = %d %s", tok.status, tok.body)
	}

	// Node 1 rotates the refresh token; node 2 introspects the result.
	rot := nodeForm(ctx, t, 1, issuer+"/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt1}}, rpID, rpSecret)
	rt2, _ := rot.json["refresh_token"].(string)
	at2, _ := rot.json["access_token"].(string)
	if rot.status != http.StatusOK || rt2 == "" || rt2 == rt1 || at2 == "" {
		t.Fatalf("refresh on node 1 = %d %s", rot.status, rot.body)
	}
	for _, c := range []struct {
		name, token string
		active      bool
	}{{"the new refresh token", rt2, true}, {"the rotated-away refresh token", rt1, false}, {"the new access token", at2, true}} {
		in := nodeForm(ctx, t, 2, issuer+"/oauth2/introspect", url.Values{"token": {c.token}}, rpID, rpSecret)
		if in.status != http.StatusOK || in.json["active"] != c.active {
			t.Fatalf("introspection of %s on node 2 = %d %s, want active=%v", c.name, in.status, in.body, c.active)
		}
	}

	// The session made on node 1 is live on node 2 (prompt=none gets a
	// code)…
	c.route.Store(1)
	_, challenge2 := newPKCE(t)
	f.do("prompt=none on node 2", chromedp.Navigate(authorizeURL(challenge2, "s2", "none")))
	back, _ = url.Parse(f.waitPath("/callback"))
	if back.Query().Get("code") == "" {
		t.Fatalf("prompt=none on node 2 answered %s, want a code (the session is shared)", back)
	}
	// …and logging out on node 2 ends it on node 1.
	lq := url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {loggedOut}, "state": {"bye"}}
	f.do("log out on node 2", chromedp.Navigate(issuer+"/oauth2/logout?"+lq.Encode()))
	f.waitPath("/logged-out")
	c.route.Store(0)
	f.do("prompt=none on node 1", chromedp.Navigate(authorizeURL(challenge2, "s3", "none")))
	back, _ = url.Parse(f.waitPath("/callback"))
	if back.Query().Get("error") != "login_required" {
		t.Fatalf("prompt=none on node 1 after logout on node 2 answered %s, want error=login_required", back)
	}

	// Management changes through node 1's REST API, as a machine client
	// of the tenant.
	robot := c.cli(ctx, t, "client", "create", "--tenant", tenantID, "--name", "Robot", "--type", "backend", "--id", "robot")
	mt := nodeForm(ctx, t, 1, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": {"urn:authalla:management"}},
		"robot", str(t, robot, "client_secret"))
	machine, _ := mt.json["access_token"].(string)
	if mt.status != http.StatusOK || machine == "" {
		t.Fatalf("management token on node 1 = %d %s", mt.status, mt.body)
	}
	apiBase := issuer + "/api/v1"

	t.Run("an access token revoked on node 1 is inactive on node 2", func(t *testing.T) {
		robotSecret := str(t, robot, "client_secret")
		cc := nodeForm(ctx, t, 1, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, "robot", robotSecret)
		at, _ := cc.json["access_token"].(string)
		if cc.status != http.StatusOK || at == "" {
			t.Fatalf("client_credentials on node 1 = %d %s", cc.status, cc.body)
		}
		introspect := func() reply {
			return nodeForm(ctx, t, 2, issuer+"/oauth2/introspect", url.Values{"token": {at}}, "robot", robotSecret)
		}
		// Node 2 has seen it active (its revocation index and its
		// verified-token cache hold it).
		if in := introspect(); in.status != http.StatusOK || in.json["active"] != true {
			t.Fatalf("introspection on node 2 before = %d %s", in.status, in.body)
		}
		rv := nodeForm(ctx, t, 1, issuer+"/oauth2/revoke", url.Values{"token": {at}}, "robot", robotSecret)
		start := time.Now()
		if rv.status != http.StatusOK {
			t.Fatalf("revoke on node 1 = %d %s", rv.status, rv.body)
		}
		if in := nodeForm(ctx, t, 1, issuer+"/oauth2/introspect", url.Values{"token": {at}}, "robot", robotSecret); in.json["active"] != false {
			t.Fatalf("introspection on node 1 right after its revocation = %d %s", in.status, in.body)
		}
		withinPropagation(t, "revoked access token", start, func() (bool, string) {
			in := introspect()
			return in.status == http.StatusOK && in.json["active"] == false, fmt.Sprintf("%d %s", in.status, in.body)
		})
	})

	t.Run("a client created on node 1 is usable on node 2", func(t *testing.T) {
		const id = "late-backend"
		cc := url.Values{"grant_type": {"client_credentials"}}
		// Node 2 has looked for it before, and cached that it is unknown.
		if a := nodeForm(ctx, t, 2, issuer+"/oauth2/token", cc, id, "not-yet-a-secret-0123456789abcdef"); a.status != http.StatusUnauthorized {
			t.Fatalf("unknown client on node 2 = %d %s, want 401", a.status, a.body)
		}
		created := nodeAPI(ctx, t, 1, http.MethodPost, apiBase+"/clients", machine, map[string]any{"client_id": id, "name": "Late", "type": "backend"})
		start := time.Now()
		secret, _ := created.json["client_secret"].(string)
		if created.status != http.StatusCreated || secret == "" {
			t.Fatalf("create client on node 1 = %d %s", created.status, created.body)
		}
		withinPropagation(t, "new client", start, func() (bool, string) {
			a := nodeForm(ctx, t, 2, issuer+"/oauth2/token", cc, id, secret)
			return a.status == http.StatusOK, fmt.Sprintf("%d %s", a.status, a.body)
		})
	})

	t.Run("a redirect URI removed on node 1 is refused on node 2", func(t *testing.T) {
		_, ch := newPKCE(t)
		authorize := func() reply { return nodeCall(ctx, t, 2, http.MethodGet, authorizeURL(ch, "s4", ""), nil, nil) }
		// Accepted (and the client cached) on node 2: on to the login page.
		if a := authorize(); a.status != http.StatusFound && a.status != http.StatusSeeOther {
			t.Fatalf("authorize on node 2 = %d %s, want a redirect to the login page", a.status, a.body)
		}
		up := nodeAPI(ctx, t, 1, http.MethodPatch, apiBase+"/clients/"+rpID, machine, map[string]any{
			"add_redirect_uris": []string{rpBase + "/other"}, "remove_redirect_uris": []string{callback}})
		start := time.Now()
		if up.status != http.StatusOK {
			t.Fatalf("remove the redirect URI on node 1 = %d %s", up.status, up.body)
		}
		withinPropagation(t, "removed redirect URI", start, func() (bool, string) {
			a := authorize()
			// An unregistered redirect URI is never redirected to (RFC 6749 §4.1.2.1).
			return a.status == http.StatusBadRequest && a.location == "", fmt.Sprintf("%d Location=%q", a.status, a.location)
		})
	})

	t.Run("a key staged on node 1 is in node 2's JWKS", func(t *testing.T) {
		jwks := func() []string {
			a := nodeCall(ctx, t, 2, http.MethodGet, issuer+"/.well-known/jwks.json", nil, nil)
			var set struct {
				Keys []struct {
					Kid string `json:"kid"`
				} `json:"keys"`
			}
			if a.status != http.StatusOK || json.Unmarshal(a.body, &set) != nil {
				t.Fatalf("JWKS on node 2 = %d %s", a.status, a.body)
			}
			var kids []string
			for _, k := range set.Keys {
				kids = append(kids, k.Kid)
			}
			return kids
		}
		before := jwks() // cached on node 2 now
		staged := nodeAPI(ctx, t, 1, http.MethodPost, apiBase+"/signing-keys", machine, map[string]any{})
		start := time.Now()
		kid, _ := staged.json["kid"].(string)
		if staged.status != http.StatusCreated || kid == "" || slices.Contains(before, kid) {
			t.Fatalf("stage a key on node 1 = %d %s (JWKS before: %v)", staged.status, staged.body, before)
		}
		withinPropagation(t, "staged key", start, func() (bool, string) {
			kids := jwks()
			return slices.Contains(kids, kid), fmt.Sprint(kids)
		})
	})

	discovery := func() reply {
		return nodeCall(ctx, t, 2, http.MethodGet, issuer+"/.well-known/openid-configuration", nil, nil)
	}
	t.Run("a tenant changed by the CLI answers differently on node 2", func(t *testing.T) {
		if a := discovery(); a.status != http.StatusOK {
			t.Fatalf("discovery on node 2 = %d", a.status)
		}
		c.cli(ctx, t, "tenant", "update", tenantID, "--signing-alg", "ES256")
		start := time.Now()
		withinPropagation(t, "new signing algorithm", start, func() (bool, string) {
			a := discovery()
			algs, _ := a.json["id_token_signing_alg_values_supported"].([]any)
			return len(algs) == 1 && algs[0] == "ES256", fmt.Sprint(algs)
		})
	})

	t.Run("a tenant suspended on node 1 is refused on node 2; resumed on node 2 it serves on node 1", func(t *testing.T) {
		// An administrator signs in to the Admin UI through node 1.
		c.route.Store(0)
		a := newFlow(t, browser, "multinode-admin")
		a.do("open the Admin UI on node 1", chromedp.Navigate(c.public+"/admin/"))
		a.waitPath("/oauth2/login")
		enterEmail(a, adminEmail)
		a.waitPath("/oauth2/pin-code")
		pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, adminEmail).Text)
		a.do("type the administrator's PIN",
			chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
		)
		a.waitPath("/admin/tenants")
		settings := c.public + "/admin/tenants/" + tenantID
		a.do("open the tenant's settings on node 1", chromedp.Navigate(settings),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/suspend"] input[name="confirm"]`)))

		// Both nodes serve the tenant (and node 2 holds it in its cache).
		if d := discovery(); d.status != http.StatusOK {
			t.Fatalf("discovery on node 2 = %d", d.status)
		}
		token := nodeForm(ctx, t, 2, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": {"urn:authalla:management"}},
			"robot", str(t, robot, "client_secret"))
		live, _ := token.json["access_token"].(string)
		if token.status != http.StatusOK || live == "" {
			t.Fatalf("client_credentials on node 2 = %d %s", token.status, token.body)
		}
		introspect := func(node int) reply {
			return nodeForm(ctx, t, node, issuer+"/oauth2/introspect", url.Values{"token": {live}}, "robot", str(t, robot, "client_secret"))
		}
		if in := introspect(2); in.status != http.StatusOK || in.json["active"] != true {
			t.Fatalf("introspection on node 2 = %d %s", in.status, in.body)
		}

		// Node 2 is watched while the browser works: the browser's own
		// latency on a loaded machine is not the propagation delay, which
		// runs from the commit (the tenant's updated_at) to node 2's first
		// refusal.
		seen := watchStatus(ctx, 2, issuer+"/.well-known/openid-configuration", http.StatusForbidden)
		a.do("suspend the tenant on node 1",
			chromedp.Click(chromedp.CSS(`form[action$="/suspend"] input[name="confirm"]`)),
			chromedp.Click(chromedp.CSS(`form[action$="/suspend"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/resume"] button`)),
		)
		committed := tenantUpdatedAt(ctx, t, c, tenantID, "suspended")
		inForceWithin(t, "suspension", committed, seen)
		if d := discovery(); d.status != http.StatusForbidden || d.json["error"] != "access_denied" || d.json["error_description"] != "tenant is suspended" {
			t.Fatalf("discovery on node 2 of the suspended tenant = %d %s", d.status, d.body)
		}
		if in := introspect(2); in.status != http.StatusOK || in.json["active"] != false {
			t.Fatalf("introspection on node 2 of the suspended tenant's token = %d %s, want active=false", in.status, in.body)
		}
		if m := nodeAPI(ctx, t, 2, http.MethodGet, apiBase+"/clients", machine, nil); m.status != http.StatusForbidden {
			t.Fatalf("the tenant's management API on node 2 = %d %s, want 403", m.status, m.body)
		}
		// Node 1 refuses too (and caches that).
		if d := nodeCall(ctx, t, 1, http.MethodGet, issuer+"/.well-known/jwks.json", nil, nil); d.status != http.StatusForbidden {
			t.Fatalf("JWKS on node 1 = %d %s", d.status, d.body)
		}

		// Resume through node 2; node 1 serves again.
		c.route.Store(1)
		a.do("open the tenant's settings on node 2", chromedp.Navigate(settings),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/resume"] button`)))
		seen = watchStatus(ctx, 1, issuer+"/.well-known/jwks.json", http.StatusOK)
		a.do("resume the tenant on node 2",
			chromedp.Click(chromedp.CSS(`form[action$="/resume"] button`)),
			chromedp.WaitVisible(chromedp.CSS(`form[action$="/suspend"] input[name="confirm"]`)),
		)
		committed = tenantUpdatedAt(ctx, t, c, tenantID, "active")
		inForceWithin(t, "resumption", committed, seen)
		// The token issued before the suspension is active again.
		if in := introspect(1); in.status != http.StatusOK || in.json["active"] != true {
			t.Fatalf("introspection on node 1 after resuming = %d %s", in.status, in.body)
		}
		c.route.Store(0)
	})

	t.Run("a tenant deleted by the CLI is gone on node 2", func(t *testing.T) {
		if a := discovery(); a.status != http.StatusOK {
			t.Fatalf("discovery on node 2 = %d", a.status)
		}
		c.cli(ctx, t, "tenant", "delete", tenantID)
		start := time.Now()
		withinPropagation(t, "deleted tenant", start, func() (bool, string) {
			a := discovery()
			return a.status == http.StatusNotFound, strconv.Itoa(a.status)
		})
	})
}

// watchStatus polls u on node (1-based) every 10 ms, from now, and sends
// the time of the first answer with status want (or nothing, when ctx
// ends first or after a minute).
func watchStatus(ctx context.Context, node int, u string, want int) <-chan time.Time {
	out := make(chan time.Time, 1)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	go func() {
		defer cancel()
		defer close(out)
		client := &http.Client{Timeout: 5 * time.Second}
		for ctx.Err() == nil {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
			if err != nil {
				return
			}
			req.Header.Set(nodeHeader, strconv.Itoa(node))
			if resp, err := client.Do(req); err == nil {
				at := time.Now()
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode == want {
					out <- at
					return
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	return out
}

// tenantUpdatedAt reads, with the CLI, the tenant's status (which must be
// status) and the time its last change was committed.
func tenantUpdatedAt(ctx context.Context, t *testing.T, c *cluster, id, status string) time.Time {
	t.Helper()
	got := c.cli(ctx, t, "tenant", "get", id)
	at, err := time.Parse(time.RFC3339Nano, str(t, got, "updated_at"))
	if got["status"] != status || err != nil {
		t.Fatalf("tenant %s: status %v, updated_at %v (%v); want status %s", id, got["status"], got["updated_at"], err, status)
	}
	return at
}

// inForceWithin checks that the change committed at committed was seen in
// force (the first time seen sends) within propagation.
func inForceWithin(t *testing.T, what string, committed time.Time, seen <-chan time.Time) {
	t.Helper()
	select {
	case at, ok := <-seen:
		if !ok {
			t.Fatalf("%s: never in force on the other node", what)
		}
		took := at.Sub(committed)
		t.Logf("%s: in force on the other node %s after the commit", what, took.Round(time.Millisecond))
		if took > propagation {
			t.Fatalf("%s: in force on the other node only %s after the commit, want within %s", what, took, propagation)
		}
	case <-time.After(propagation + 30*time.Second):
		t.Fatalf("%s: not in force on the other node", what)
	}
}
