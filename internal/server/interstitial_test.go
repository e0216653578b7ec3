package server_test

import (
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

const agentCallback = "https://agent.example.org/cb"

// returnLink is the interstitial's link back to the client.
var returnLink = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="noreferrer">Return to agent\.example\.org</a>`)

// agentTenant creates a tenant with a third-party web client (as an
// operator would flag a client it does not run) and returns its issuer.
func (s *stack) agentTenant(t *testing.T) string {
	t.Helper()
	if _, err := s.manage.CreateTenant(s.ctx, manage.TenantInput{ID: "agents", Name: "Agents", AllowRegistration: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.manage.CreateClient(s.ctx, "agents", manage.ClientInput{ID: "helper-agent", Name: "Helper Agent", Type: idp.ClientWeb,
		RedirectURIs: []string{agentCallback}, ThirdParty: true}); err != nil {
		t.Fatal(err)
	}
	return s.url + "/t/agents"
}

// agentBrowser keeps cookies and never follows a redirect to the client.
func agentBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, _ []*http.Request) error {
		if strings.HasPrefix(req.URL.String(), agentCallback) {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

func agentAuthorizeURL(issuer string, extra url.Values) string {
	v := url.Values{"client_id": {"helper-agent"}, "redirect_uri": {agentCallback}, "response_type": {"code"},
		"scope": {"openid email"}, "state": {"st-agent"}}
	for k, x := range extra {
		v[k] = x
	}
	return issuer + "/oauth2/authorize?" + v.Encode()
}

// wantAgentError checks that u is agentCallback carrying error code, the
// request's state and iss (RFC 6749 §4.1.2.1, RFC 9207).
func wantAgentError(t *testing.T, u, issuer, code string) {
	t.Helper()
	base, query, _ := strings.Cut(u, "?")
	q, err := url.ParseQuery(query)
	if base != agentCallback || err != nil || q.Get("error") != code || q.Get("state") != "st-agent" || q.Get("iss") != issuer || q.Has("code") {
		t.Fatalf("error response %q, want %s with error=%s, state and iss=%s", u, agentCallback, code, issuer)
	}
}

// TestSec18InterstitialThroughHostedPages: SECURITY-TESTS 18, through the
// real server. With the default settings, a third-party client's
// prompt=none without a session, and the consent page's Deny, end on the
// interstitial, whose link is the error redirect; with
// --untrusted-error-interstitial=false, Deny redirects at once.
func TestSec18InterstitialThroughHostedPages(t *testing.T) {
	tests := map[string]struct {
		flags        []string
		interstitial bool
	}{
		"default":     {nil, true},
		"setting off": {[]string{"--untrusted-error-interstitial=false"}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			s := newStack(t, tc.flags...)
			issuer := s.agentTenant(t)
			c := agentBrowser()

			resp, body := get(t, c, agentAuthorizeURL(issuer, url.Values{"prompt": {"none"}}))
			checkAgentError(t, resp, body, issuer, "login_required", tc.interstitial)

			consent, body := (*cimdStack)(s).authorizeToConsent(t, c, issuer, agentAuthorizeURL(issuer, nil), "someone@example.com")
			if !strings.Contains(body, "not operated by Agents") {
				t.Fatalf("consent page does not flag the third-party client:\n%s", body)
			}
			v := formValues(t, body)
			v.Set("action", "deny")
			resp, body = post(t, c, consent.Request.URL.String(), v, s.url)
			checkAgentError(t, resp, body, issuer, "access_denied", tc.interstitial)
		})
	}
}

// checkAgentError checks an error answer: the interstitial (200, no
// Location, a link to the error redirect, the hosted pages' headers) or a
// 303 to the error redirect.
func checkAgentError(t *testing.T, resp *http.Response, body, issuer, code string, interstitial bool) {
	t.Helper()
	if !interstitial {
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: status %d, want a 303 to the client", code, resp.StatusCode)
		}
		wantAgentError(t, resp.Header.Get("Location"), issuer, code)
		return
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Location") != "" || !strings.HasPrefix(resp.Request.URL.String(), issuer) {
		t.Fatalf("%s: status %d at %s (Location %q), want the interstitial", code, resp.StatusCode, resp.Request.URL, resp.Header.Get("Location"))
	}
	h := resp.Header
	if h.Get("Cache-Control") != "no-store" || h.Get("Referrer-Policy") != "no-referrer" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Fatalf("%s: interstitial headers %v", code, h)
	}
	m := returnLink.FindStringSubmatch(body)
	if m == nil || !strings.Contains(body, "Helper Agent") || !strings.Contains(body, "Error code: "+code) {
		t.Fatalf("%s: interstitial page:\n%s", code, body)
	}
	wantAgentError(t, html.UnescapeString(m[1]), issuer, code)
}
