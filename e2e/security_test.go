package e2e

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// authorizeURL is a valid code + PKCE S256 authorization request (the
// challenge is RFC 7636 Appendix B's; nothing redeems the code).
func authorizeURL(issuer, clientID, redirectURI string) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {clientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {"openid email"},
		"state":                 {"e2e-state"},
		"code_challenge":        {"E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"},
		"code_challenge_method": {"S256"},
	}
	return issuer + "/oauth2/authorize?" + q.Encode()
}

// checkSameOrigin fails for any request to another origin than origin
// (data: URLs are inline and allowed).
func checkSameOrigin(t *testing.T, page, origin string, requests []string) {
	t.Helper()
	if len(requests) == 0 {
		t.Fatalf("%s: no request was recorded (the network listener is not working)", page)
	}
	for _, r := range requests {
		if strings.HasPrefix(r, "data:") {
			continue
		}
		u, err := url.Parse(r)
		if err != nil || u.Scheme+"://"+u.Host != origin {
			t.Errorf("%s loaded %s, which is not on %s", page, r, origin)
		}
	}
}

// testNoThirdPartyContent is SECURITY-TESTS 29: the authorization and
// login pages (login, PIN) load nothing but same-origin content.
func testNoThirdPartyContent(t *testing.T, browser context.Context, origin, authorize, email string) {
	f := newFlow(t, browser, "third-party")
	f.do("open the authorization request", chromedp.Navigate(authorize))
	f.waitPath("/oauth2/login")
	checkSameOrigin(t, "the login page", origin, f.requestsSeen())
	enterEmail(f, email)
	f.waitPath("/oauth2/pin-code")
	checkSameOrigin(t, "the PIN page", origin, f.requestsSeen())
	f.checkConsole()
}

// testLoginNotFramable is the browser half of SECURITY-TESTS 28: a page of
// another origin that frames the login page sees Chromium refuse it
// (frame-ancestors 'none' / X-Frame-Options: DENY; RFC 9700 §4.16).
func testLoginNotFramable(t *testing.T, browser context.Context, authorize string) {
	attacker := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><title>Attacker</title><iframe id="victim" src="%s" width="600" height="400"></iframe>`, html.EscapeString(authorize))
	}))
	defer attacker.Close()
	f := newFlow(t, browser, "framing")
	f.do("open the framing page", chromedp.Navigate(attacker.URL))
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		for _, p := range f.problemsSeen() {
			if strings.Contains(p, "frame-ancestors") || strings.Contains(p, "X-Frame-Options") {
				t.Logf("Chromium refused the frame: %s", p)
				return
			}
		}
		select {
		case <-ctx.Done():
			t.Fatalf("Chromium did not refuse to frame the login page; console: %q", f.problemsSeen())
		case <-tick.C:
		}
	}
}
