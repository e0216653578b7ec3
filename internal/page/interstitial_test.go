package page

import (
	"html"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/httpx"
)

// returnLink finds the interstitial's link back to the client.
var returnLink = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="noreferrer">Return to ([^<]*)</a>`)

// scriptTag finds every script element's opening tag.
var scriptTag = regexp.MustCompile(`<script\b[^>]*>`)

// TestSec18InterstitialPage: the page shown instead of a third-party
// client's error redirect, rendered through the error mapper as
// internal/server mounts it. It is a 200 with the hosted pages' headers,
// names the client and the reason, and links to exactly the error
// redirect (any scheme a native app registers, query intact) without
// anything that navigates by itself.
func TestSec18InterstitialPage(t *testing.T) {
	tests := map[string]struct {
		target, host, label string
	}{
		"https redirect URI with a registered query": {
			"https://app.example/cb?from=reg&error=access_denied&error_description=The+user+denied+the+request.&state=a%26b%3Cc&iss=https%3A%2F%2Facme.example.com",
			"app.example", "app.example",
		},
		"loopback with a port": {
			"http://127.0.0.1:51234/callback?error=login_required&state=s&iss=https%3A%2F%2Facme.example.com",
			"127.0.0.1:51234", "127.0.0.1:51234",
		},
		"private-use scheme": {
			"com.example.app:/oauth?error=consent_required&iss=https%3A%2F%2Facme.example.com",
			"", "the application",
		},
	}
	r := newRenderer(t, themes{})
	h := r.Middleware(httpx.Handle(func(w http.ResponseWriter, req *http.Request) error {
		return &httpx.InterstitialRedirect{Target: req.Header.Get("X-Target"), Host: req.Header.Get("X-Host"), ClientName: `Agent <b>"X"</b>`, Code: "access_denied"}
	}))
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			req := tenantRequest("https://acme.example.com", "", true)
			req.Header.Set("X-Target", tc.target)
			req.Header.Set("X-Host", tc.host)
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			body := w.Body.String()
			if w.Code != http.StatusOK || w.Header().Get("Location") != "" {
				t.Fatalf("status %d, Location %q; want 200 and no Location", w.Code, w.Header().Get("Location"))
			}
			hd := w.Header()
			csp := hd.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || !cspNonce.MatchString(csp) || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("CSP = %q", csp)
			}
			if hd.Get("Cache-Control") != "no-store" || hd.Get("Referrer-Policy") != "no-referrer" || hd.Get("X-Frame-Options") != "DENY" {
				t.Errorf("headers: %v", hd)
			}
			m := returnLink.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no return link in\n%s", body)
			}
			if got := html.UnescapeString(m[1]); got != tc.target {
				t.Errorf("href = %q, want exactly %q", got, tc.target)
			}
			if m[2] != tc.label {
				t.Errorf("link label %q, want %q", m[2], tc.label)
			}
			for _, tag := range scriptTag.FindAllString(body, -1) {
				if !strings.Contains(tag, ` src="/assets/`) {
					t.Errorf("inline or foreign script: %s", tag)
				}
			}
			if strings.Contains(strings.ToLower(body), "http-equiv") {
				t.Error("the page must not refresh or redirect by itself")
			}
			for _, want := range []string{
				"Agent &lt;b&gt;&#34;X&#34;&lt;/b&gt;", // the client's own name, escaped
				"not operated by Acme &lt;Corp&gt;",    // the tenant
				ErrorReason("access_denied"),
				"Error code: access_denied",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
}

// TestInterstitialRefusesUnsafeTargets: a target that could run script or
// is not an absolute URL never becomes a link; the page is an error page.
func TestInterstitialRefusesUnsafeTargets(t *testing.T) {
	r := newRenderer(t, themes{})
	for _, target := range []string{
		"javascript:alert(1)//?error=x", "JavaScript:alert(1)", "data:text/html,<b>x</b>", "vbscript:x",
		"/relative?error=x", "", "https://app.example/cb?error=x\n", "https://app.example/a b",
	} {
		w := httptest.NewRecorder()
		r.Interstitial(w, tenantRequest("https://acme.example.com", "", true), &httpx.InterstitialRedirect{Target: target, ClientName: "A", Code: "access_denied"})
		if w.Code != http.StatusBadRequest || returnLink.MatchString(w.Body.String()) || strings.Contains(w.Body.String(), "alert") {
			t.Errorf("target %q: status %d, link shown %v", target, w.Code, returnLink.MatchString(w.Body.String()))
		}
	}
}

// TestErrorReason: every code the authorization endpoint sends has its
// own words; an unknown one gets a generic sentence.
func TestErrorReason(t *testing.T) {
	generic := ErrorReason("no_such_error")
	seen := map[string]bool{}
	for _, code := range []string{"access_denied", "login_required", "consent_required", "interaction_required",
		"invalid_scope", "invalid_target", "invalid_request", "unsupported_response_type",
		"request_not_supported", "server_error"} {
		got := ErrorReason(code)
		if got == generic || strings.Contains(got, "_") {
			t.Errorf("%s: %q is not a specific plain-words reason", code, got)
		}
		seen[got] = true
	}
	if generic == "" || len(seen) < 9 {
		t.Errorf("reasons are not distinct enough: %v", seen)
	}
}
