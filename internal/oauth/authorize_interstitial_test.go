package oauth_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// Third-party clients of tenant-a added for the interstitial tests: one
// web client whose redirect URI carries a registered query, one native
// client with a private-use scheme (RFC 8252 §7.1), which html/template
// would not link to without a typed URL.
const (
	tpWeb          = "agent-web"
	tpWebRedirect  = "https://agent.example/cb?from=registered"
	tpNative       = "agent-native"
	tpNativeScheme = "com.example.agent:/oauth"
)

// ipHarness is the pages-rendering harness with the third-party clients
// and the Deny stand-in; direct turns the interstitial off.
func ipHarness(t *testing.T, direct bool) *oauthtest.Harness {
	t.Helper()
	h := oauthtest.NewWithPages(t, func(o *oauth.Options) { o.DirectThirdPartyErrors = direct })
	now := h.Clock.Now()
	for _, c := range []*idp.Client{
		{ID: tpWeb, Name: "Helper <Agent>", Type: idp.ClientWeb, RedirectURIs: []string{tpWebRedirect}},
		{ID: tpNative, Type: idp.ClientNative, RedirectURIs: []string{tpNativeScheme}},
	} {
		c.TenantID, c.ThirdParty, c.RequireConsent, c.CreatedAt, c.UpdatedAt = oauthtest.TenantA, true, true, now, now
		if err := h.Store.CreateClient(context.Background(), oauthtest.TenantA, c); err != nil {
			t.Fatal(err)
		}
	}
	azDenyRoute(h)
	return h
}

// ipLink is the interstitial's link back to the client.
var ipLink = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="noreferrer">Return to ([^<]*)</a>`)

// ipPage checks the interstitial shown instead of an error redirect: 200,
// no Location, not cacheable, no Referer, a CSP without inline script, the
// error code named; it returns the link's target, HTML-unescaped as the
// browser reads it.
func ipPage(t testing.TB, res *http.Response, body, code string) string {
	t.Helper()
	if res.StatusCode != http.StatusOK || res.Header.Get("Location") != "" {
		t.Fatalf("status %d, Location %q; want the 200 interstitial (body %q)", res.StatusCode, res.Header.Get("Location"), body)
	}
	hd := res.Header
	if !strings.HasPrefix(hd.Get("Content-Type"), "text/html") || hd.Get("Cache-Control") != "no-store" || hd.Get("Referrer-Policy") != "no-referrer" {
		t.Fatalf("interstitial headers: %v", hd)
	}
	if csp := hd.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP = %q", csp)
	}
	if strings.Contains(strings.ToLower(body), "http-equiv") {
		t.Fatal("the interstitial must not navigate by itself")
	}
	if !strings.Contains(body, "Error code: "+code) {
		t.Fatalf("interstitial does not name %s:\n%s", code, body)
	}
	m := ipLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no return link:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// ipTarget checks that target is exactly the error response a direct
// redirect would carry: the redirect URI with its registered query kept
// verbatim, then error, error_description, state and iss (RFC 6749
// §4.1.2.1, RFC 9207 §2) in url.Values encoding, and no code.
func ipTarget(t testing.TB, target, redirectURI, issuer, code, state string) {
	t.Helper()
	sep := "?"
	if strings.Contains(redirectURI, "?") {
		sep = "&"
	}
	rest, ok := strings.CutPrefix(target, redirectURI+sep)
	if !ok {
		t.Fatalf("target %q does not extend %q", target, redirectURI)
	}
	q, err := url.ParseQuery(rest)
	if err != nil {
		t.Fatal(err)
	}
	if q.Get("error") != code || q.Get("state") != state || q.Get("iss") != issuer || q.Get("error_description") == "" || q.Has("code") || len(q) != 4 {
		t.Fatalf("target query = %v, want error=%s, state=%s, iss=%s", q, code, state, issuer)
	}
	if rest != q.Encode() {
		t.Fatalf("target query %q is not the redirect's encoding %q", rest, q.Encode())
	}
}

// ipCase produces an authorization error for clientID; state is the one
// the request sent.
type ipCase struct {
	name, code string
	run        func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string)
}

var ipCases = []ipCase{
	{"prompt=none without a session", "login_required", func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string) {
		return azGet(t, h, b, oauthtest.TenantA, azWith(v, "prompt", "none"))
	}},
	{"no openid scope", "invalid_scope", func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string) {
		return azGet(t, h, b, oauthtest.TenantA, azWith(v, "scope", "profile"))
	}},
	{"unknown resource", "invalid_target", func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string) {
		return azGet(t, h, b, oauthtest.TenantA, azWith(v, "resource", "https://unknown.example/api"))
	}},
	{"implicit flow", "unsupported_response_type", func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string) {
		return azGet(t, h, b, oauthtest.TenantA, azWith(v, "response_type", "token"))
	}},
	{"consent page Deny", "access_denied", func(t *testing.T, h *oauthtest.Harness, b *http.Client, v url.Values) (*http.Response, string) {
		res, _ := azGet(t, h, b, oauthtest.TenantA, v)
		id := azParked(t, h, res, oauthtest.TenantA, "/oauth2/login")
		res, body := h.PostForm(t, b, h.Issuer(oauthtest.TenantA)+"/test/deny", url.Values{"request": {id}})
		azGone(t, h, oauthtest.TenantA, id)
		return res, body
	}},
}

// TestSec18ThirdPartyErrorInterstitial: SECURITY-TESTS 18 and 46. After
// the client and redirect URI are validated, an error for a third-party
// client is a page with a plain link to exactly the error redirect (error,
// state, iss), not a redirect; a first-party client's error, or any error
// with the setting off, is the 303 it always was.
func TestSec18ThirdPartyErrorInterstitial(t *testing.T) {
	on, off := ipHarness(t, false), ipHarness(t, true)
	for _, tc := range ipCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, c := range []struct{ client, redirectURI, label string }{
				{tpWeb, tpWebRedirect, "agent.example"},
				{tpNative, tpNativeScheme, "the application"},
			} {
				v := azParams(t, on, oauthtest.TenantA, c.client)
				res, body := tc.run(t, on, on.Browser(t), v)
				target := ipPage(t, res, body, tc.code)
				ipTarget(t, target, c.redirectURI, on.Issuer(oauthtest.TenantA), tc.code, v.Get("state"))
				if m := ipLink.FindStringSubmatch(body); m[2] != c.label {
					t.Errorf("%s: link says %q, want %q", c.client, m[2], c.label)
				}

				// Off: the same request redirects to the same URL (but for
				// the harness's own issuer).
				res, _ = tc.run(t, off, off.Browser(t), azParams(t, off, oauthtest.TenantA, c.client))
				if res.StatusCode != http.StatusSeeOther {
					t.Fatalf("%s with the interstitial off: %d, want 303", c.client, res.StatusCode)
				}
				loc := res.Header.Get("Location")
				strip := func(s string, h *oauthtest.Harness) string {
					return strings.ReplaceAll(s, url.QueryEscape(h.Issuer(oauthtest.TenantA)), "ISSUER")
				}
				if strip(loc, off) != strip(target, on) {
					t.Errorf("%s: direct redirect %q differs from the interstitial's link %q", c.client, loc, target)
				}
			}

			// A first-party client is redirected as before.
			v := azParams(t, on, oauthtest.TenantA, oauthtest.WebClient)
			res, _ := tc.run(t, on, on.Browser(t), v)
			azError(t, res, v.Get("redirect_uri"), on.Issuer(oauthtest.TenantA), tc.code, v.Get("state"))
		})
	}
}

// TestSec18InterstitialOnlyForErrors: a third-party client's successful
// answer (the code, after consent) is a redirect; the interstitial is for
// errors only.
func TestSec18InterstitialOnlyForErrors(t *testing.T) {
	h := ipHarness(t, false)
	b := h.Browser(t)
	h.Login(t, b, oauthtest.TenantA, oauthtest.Alice)
	v := azParams(t, h, oauthtest.TenantA, tpWeb)
	res, _ := azGet(t, h, b, oauthtest.TenantA, v)
	id := azParked(t, h, res, oauthtest.TenantA, "/oauth2/consent")
	if err := h.Store.SetAuthRequestConsent(context.Background(), oauthtest.TenantA, id, nil); err != nil {
		t.Fatal(err)
	}
	res, _ = h.Get(t, b, h.ResumeURL(oauthtest.TenantA, id))
	azCode(t, h, res, oauthtest.TenantA, tpWebRedirect, v.Get("state"))
}

// TestSec18NoInterstitialBeforeValidation: an unknown redirect URI of a
// third-party client is still the plain error page, never a link.
func TestSec18NoInterstitialBeforeValidation(t *testing.T) {
	h := ipHarness(t, false)
	v := azWith(azParams(t, h, oauthtest.TenantA, tpWeb), "redirect_uri", "https://evil.example/cb", "prompt", "none")
	res, body := azGet(t, h, h.Browser(t), oauthtest.TenantA, v)
	azPage(t, res, body)
	if ipLink.MatchString(body) || strings.Contains(body, "evil.example") {
		t.Fatalf("error page links to the unvalidated URI:\n%s", body)
	}
}
