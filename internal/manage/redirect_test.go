package manage

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestValidateRedirectURI covers SECURITY-TESTS 4 (fragments refused at
// registration), 17 (near-miss shapes never registered: wildcards,
// userinfo, http on non-loopback hosts) and 46 (javascript:, data:,
// non-HTTPS non-loopback URIs refused).
func TestValidateRedirectURI(t *testing.T) {
	native, spa, web := idp.ClientNative, idp.ClientSPA, idp.ClientWeb
	cases := []struct {
		name string
		typ  idp.ClientType
		uri  string
		ok   bool
	}{
		{"https", web, "https://app.example.com/callback", true},
		{"https with port and query", web, "https://app.example.com:8443/cb?x=1", true},
		{"http loopback v4", spa, "http://127.0.0.1:3000/cb", true},
		{"http loopback v6", native, "http://[::1]:8080/cb", true},
		{"http localhost", web, "http://localhost:3000/callback", true},
		{"http localhost no port", web, "http://localhost/callback", true},
		{"native private-use scheme", native, "com.example.app:/oauth2redirect", true},
		{"native cursor scheme", native, "cursor://anysphere.cursor-retrieval/oauth/callback", true},
		{"native claimed https", native, "https://app.example.com/native", true},

		{"empty", web, "", false},
		{"relative", web, "/callback", false},
		{"scheme-relative", web, "//app.example.com/cb", false},
		{"fragment", web, "https://app.example.com/cb#frag", false},
		{"empty fragment", web, "https://app.example.com/cb#", false},
		{"wildcard host", web, "https://*.example.com/cb", false},
		{"wildcard path", web, "https://app.example.com/*", false},
		{"userinfo", web, "https://user@app.example.com/cb", false},
		{"userinfo trick", web, "https://app.example.com@evil.example/cb", false},
		{"userinfo with password", web, "https://a:b@app.example.com/cb", false},
		{"http non-loopback", web, "http://app.example.com/cb", false},
		{"http 127.0.0.2", web, "http://127.0.0.2/cb", false},
		{"http 0.0.0.0", web, "http://0.0.0.0/cb", false},
		{"http IPv4-mapped loopback", web, "http://[::ffff:127.0.0.1]/cb", false},
		{"http expanded v6 loopback", web, "http://[0:0:0:0:0:0:0:1]/cb", false},
		{"http localhost subdomain", web, "http://evil.localhost/cb", false},
		{"javascript", native, "javascript:alert(1)", false},
		{"javascript upper", native, "JAVASCRIPT:alert(1)", false},
		{"data", native, "data:text/html,<script>x</script>", false},
		{"file", native, "file:///etc/passwd", false},
		{"vbscript", native, "vbscript:msgbox", false},
		{"private scheme for spa", spa, "com.example.app:/cb", false},
		{"private scheme for web", web, "myapp://cb", false},
		{"upper-case scheme", web, "HTTPS://app.example.com/cb", false},
		{"space", web, "https://app.example.com/c b", false},
		{"newline", web, "https://app.example.com/cb\n", false},
		{"tab in host", web, "https://app.exa\tmple.com/cb", false},
		{"backslash", web, `https://app.example.com\@evil.example/cb`, false},
		{"non-ASCII", web, "https://äpp.example.com/cb", false},
		{"dot-dot segment", web, "https://app.example.com/a/../cb", false},
		{"encoded dot-dot", web, "https://app.example.com/a/%2e%2E/cb", false},
		{"dot segment", web, "https://app.example.com/./cb", false},
		{"no host", web, "https:///cb", false},
		{"opaque https", web, "https:app.example.com/cb", false},
		{"bad port", web, "https://app.example.com:99999/cb", false},
		{"empty port", web, "https://app.example.com:/cb", false},
		{"too long", web, "https://app.example.com/" + strings.Repeat("a", 2000), false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateRedirectURI("redirect_uris", c.typ, c.uri)
			if c.ok && err != nil {
				t.Fatalf("ValidateRedirectURI(%q) = %v, want ok", c.uri, err)
			}
			if !c.ok {
				var ve *idp.ValidationError
				if !errors.As(err, &ve) || ve.Field != "redirect_uris" {
					t.Fatalf("ValidateRedirectURI(%q) = %v, want a validation error on redirect_uris", c.uri, err)
				}
			}
		})
	}
}

// FuzzValidateRedirectURI checks that whatever is accepted keeps the
// registration invariants, for every client type.
func FuzzValidateRedirectURI(f *testing.F) {
	for _, s := range []string{
		"https://app.example.com/cb", "http://127.0.0.1:1234/cb", "com.example.app:/cb",
		"https://a@b/c", "https://x/#", "javascript:alert(1)", "http://[::1]/x", "https://x/%2e%2e/",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		for _, typ := range []idp.ClientType{idp.ClientSPA, idp.ClientNative, idp.ClientWeb} {
			if ValidateRedirectURI("redirect_uris", typ, raw) != nil {
				continue
			}
			if strings.ContainsAny(raw, "#* \\\t\r\n") || len(raw) > maxURILen {
				t.Fatalf("%s accepted %q with a forbidden character", typ, raw)
			}
			u, err := url.Parse(raw)
			if err != nil || u.Scheme == "" || u.User != nil || u.Fragment != "" {
				t.Fatalf("%s accepted %q: not an absolute URI without userinfo and fragment", typ, raw)
			}
			if forbiddenSchemes[u.Scheme] {
				t.Fatalf("%s accepted forbidden scheme in %q", typ, raw)
			}
			switch u.Scheme {
			case "https":
				if u.Hostname() == "" {
					t.Fatalf("%s accepted https without host: %q", typ, raw)
				}
			case "http":
				if !isLoopbackRedirectHost(u.Hostname()) {
					t.Fatalf("%s accepted http on a non-loopback host: %q", typ, raw)
				}
			default:
				if typ != idp.ClientNative {
					t.Fatalf("%s accepted private-use scheme %q", typ, raw)
				}
			}
		}
	})
}
