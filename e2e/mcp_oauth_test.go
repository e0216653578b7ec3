package e2e

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// loopback is a native client's redirect endpoint (RFC 8252 §7.3): an
// HTTP server on 127.0.0.1 that receives the authorization response and
// shows the person a page saying they can go back to their assistant.
type loopback struct {
	url     string // http://127.0.0.1:<port>/callback
	host    string // 127.0.0.1:<port>, what the consent page names
	results chan url.Values
}

// startLoopback listens on a free loopback port until the test ends.
func startLoopback(t *testing.T) *loopback {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("loopback redirect listener: %v", err)
	}
	lb := &loopback{
		host:    ln.Addr().String(),
		results: make(chan url.Values, 8),
	}
	lb.url = "http://" + lb.host + "/callback"
	mux := http.NewServeMux()
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		select {
		case lb.results <- r.URL.Query():
		default:
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><title>Signed in</title><p id="done">Signed in. You can close this window.</p>`)
	})
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	return lb
}

// wait returns the next authorization response the loopback received.
func (lb *loopback) wait(ctx context.Context) (url.Values, error) {
	ctx, cancel := context.WithTimeout(ctx, stepTimeout)
	defer cancel()
	select {
	case q := <-lb.results:
		return q, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("no authorization response at %s: %w", lb.url, ctx.Err())
	}
}

// consentCheck is what the consent page must show (SECURITY-TESTS 47):
// the client's name, the host it will send the browser to, the scopes,
// and that the client registered itself.
type consentCheck struct {
	clientName   string
	redirectHost string
	scopes       []string // the scopes requested
}

// signInAndConsent is what the person at an MCP client does with the
// authorization URL the client opens: in a fresh browser (own profile,
// own cookies) sign in to the admin tenant's hosted login with the PIN
// from the mail, check the consent page and press Allow. It returns once
// the browser has loaded the client's loopback redirect page.
func signInAndConsent(ctx context.Context, t *testing.T, srv *server, mails *mailtest.Server,
	authURL, email string, want consentCheck, name string) {
	t.Helper()
	f := newFlow(t, newBrowser(ctx, t), name)
	f.do("open the authorization URL", chromedp.Navigate(authURL))
	if loc := f.waitPath("/oauth2/login"); !strings.HasPrefix(loc, srv.url+"/oauth2/login?") {
		t.Fatalf("the authorization request led to %s, want the admin tenant's %s/oauth2/login", loc, srv.url)
	}
	enterEmail(f, email)
	f.waitPath("/oauth2/pin-code")
	pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, email).Text)
	if len(pin) != 6 {
		t.Fatalf("no 6-digit PIN in the mail to %s", email)
	}
	f.do("type the PIN",
		chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
	)
	if loc := f.waitPath("/oauth2/consent"); !strings.HasPrefix(loc, srv.url+"/oauth2/consent?") {
		t.Fatalf("after the PIN the browser is at %s, want the consent page (a registered client is third-party)", loc)
	}
	checkConsentPage(t, f, want)
	shoot(t, f, name+"-consent")
	f.do("press Allow",
		chromedp.WaitVisible(chromedp.CSS(`button[name="action"][value="approve"]`)),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="approve"]`)),
	)
	if loc := f.waitPath("/callback"); !strings.HasPrefix(loc, "http://"+want.redirectHost+"/callback?") {
		t.Fatalf("after Allow the browser is at %s, want the client's loopback http://%s/callback", loc, want.redirectHost)
	}
	f.checkConsole()
}

// checkConsentPage checks what the consent page tells the person.
func checkConsentPage(t *testing.T, f *flow, want consentCheck) {
	t.Helper()
	if h := f.text("h1"); !strings.Contains(h, want.clientName) {
		t.Errorf("the consent page's heading is %q, want the client's name %q", h, want.clientName)
	}
	if n := f.text(".notice.third-party"); !strings.Contains(n, want.clientName) {
		t.Errorf("the consent page's third-party notice reads %q, want the warning that %s registered itself", n, want.clientName)
	}
	if body := f.text("form"); !strings.Contains(body, want.redirectHost) {
		t.Errorf("the consent page does not name the redirect host %s:\n%s", want.redirectHost, body)
	}
	// Every requested scope is listed, as a box to clear or as a required
	// line (openid, if asked for, may go without saying).
	n := evalJS[int](t, f, "count the scopes shown", `document.querySelectorAll("ul.scopes li").length`)
	var listed int
	for _, s := range want.scopes {
		if s != "openid" {
			listed++
		}
	}
	if n < listed {
		t.Errorf("the consent page lists %d scopes, want at least the %d requested (%q)", n, listed, want.scopes)
	}
}

// exchange is one HTTP request an OAuth or MCP client made, as recorded.
type exchange struct {
	method, url string
	status      int
	wwwAuth     string // the WWW-Authenticate header of the response
}

// recorder is an http.RoundTripper that records every request and the
// status of its response, so a test can check the steps a client took.
type recorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	log  []exchange
}

func newRecorder() *recorder { return &recorder{base: http.DefaultTransport} }

// RoundTrip sends req and records it.
func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := r.base.RoundTrip(req)
	e := exchange{method: req.Method, url: req.URL.String()}
	if err == nil {
		e.status = resp.StatusCode
		e.wwwAuth = resp.Header.Get("WWW-Authenticate")
	}
	r.mu.Lock()
	r.log = append(r.log, e)
	r.mu.Unlock()
	return resp, err
}

// client is an HTTP client that records through r. It has no overall
// timeout (a server-sent event stream may stay open): the callers'
// contexts bound every request.
func (r *recorder) client() *http.Client {
	return &http.Client{Transport: r}
}

// exchanges returns what was recorded so far.
func (r *recorder) exchanges() []exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]exchange(nil), r.log...)
}

// String lists the recorded exchanges, one a line, for failure messages.
func (r *recorder) String() string {
	var b strings.Builder
	for _, e := range r.exchanges() {
		fmt.Fprintf(&b, "  %s %s → %d %s\n", e.method, e.url, e.status, e.wwwAuth)
	}
	return b.String()
}

// checkOrder fails unless the recorded exchanges contain, in this order,
// one matching each step (other exchanges may come between).
func (r *recorder) checkOrder(t *testing.T, steps ...func(exchange) bool) {
	t.Helper()
	log := r.exchanges()
	i := 0
	for n, step := range steps {
		for i < len(log) && !step(log[i]) {
			i++
		}
		if i == len(log) {
			t.Fatalf("step %d of the expected discovery and authorization sequence was not seen; exchanges:\n%s", n+1, r)
		}
		i++
	}
}
