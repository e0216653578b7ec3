package oauth

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestMatchRedirectURI(t *testing.T) {
	web := &idp.Client{Type: idp.ClientWeb, RedirectURIs: []string{
		"https://app.example.com/callback",
		"https://app.example.com/cb?tenant=a",
		"http://127.0.0.1/dev",
	}}
	native := &idp.Client{Type: idp.ClientNative, RedirectURIs: []string{
		"http://127.0.0.1/callback",
		"http://[::1]:8400/callback?x=1",
		"http://localhost/cb",
		"com.example.app:/oauth",
	}}
	tests := []struct {
		name   string
		client *idp.Client
		uri    string
		want   bool
	}{
		{"exact", web, "https://app.example.com/callback", true},
		{"exact with registered query", web, "https://app.example.com/cb?tenant=a", true},
		{"host case", web, "https://APP.example.com/callback", false},
		{"path case", web, "https://app.example.com/Callback", false},
		{"scheme case", web, "HTTPS://app.example.com/callback", false},
		{"trailing slash", web, "https://app.example.com/callback/", false},
		{"extra path", web, "https://app.example.com/callback/x", false},
		{"dot segments", web, "https://app.example.com/x/../callback", false},
		{"encoded dot segments", web, "https://app.example.com/%2e%2e/callback", false},
		{"percent-encoded letter", web, "https://app.example.com/c%61llback", false},
		{"userinfo trick", web, "https://app.example.com@evil.example/callback", false},
		{"userinfo prefix", web, "https://evil@app.example.com/callback", false},
		{"added port", web, "https://app.example.com:443/callback", false},
		{"changed port", web, "https://app.example.com:8443/callback", false},
		{"subdomain", web, "https://evil.app.example.com/callback", false},
		{"superdomain", web, "https://example.com/callback", false},
		{"http downgrade", web, "http://app.example.com/callback", false},
		{"fragment", web, "https://app.example.com/callback#x", false},
		{"empty fragment", web, "https://app.example.com/callback#", false},
		{"wildcard", web, "https://*.example.com/callback", false},
		{"query added", web, "https://app.example.com/callback?x=1", false},
		{"query changed", web, "https://app.example.com/cb?tenant=b", false},
		{"query extended", web, "https://app.example.com/cb?tenant=a&x=1", false},
		{"query dropped", web, "https://app.example.com/cb", false},
		{"empty", web, "", false},
		{"web loopback other port", web, "http://127.0.0.1:5000/dev", false},

		{"native loopback any port", native, "http://127.0.0.1:51234/callback", true},
		{"native loopback no port", native, "http://127.0.0.1/callback", true},
		{"native ipv6 other port", native, "http://[::1]:1/callback?x=1", true},
		{"native ipv6 no port", native, "http://[::1]/callback?x=1", true},
		{"native localhost any port", native, "http://localhost:3000/cb", true},
		{"native private-use exact", native, "com.example.app:/oauth", true},
		{"native 127 vs localhost", native, "http://localhost:5000/callback", false},
		{"native localhost vs 127", native, "http://127.0.0.1:5000/cb", false},
		{"native ipv6 vs 127", native, "http://127.0.0.1:5000/callback?x=1", false},
		{"native other loopback address", native, "http://127.0.0.2:5000/callback", false},
		{"native https loopback", native, "https://127.0.0.1:5000/callback", false},
		{"native path differs", native, "http://127.0.0.1:5000/callback/", false},
		{"native query added", native, "http://127.0.0.1:5000/callback?x=1", false},
		{"native query dropped", native, "http://[::1]:5000/callback", false},
		{"native fragment", native, "http://127.0.0.1:5000/callback#f", false},
		{"native userinfo", native, "http://u@127.0.0.1:5000/callback", false},
		{"native host suffix", native, "http://127.0.0.1.evil.example:5000/callback", false},
		{"native at trick", native, "http://127.0.0.1:5000@evil.example/callback", false},
		{"native empty port", native, "http://127.0.0.1:/callback", false},
		{"native port zero", native, "http://127.0.0.1:0/callback", false},
		{"native leading zero port", native, "http://127.0.0.1:05000/callback", false},
		{"native port too big", native, "http://127.0.0.1:65536/callback", false},
		{"native non-numeric port", native, "http://127.0.0.1:abc/callback", false},
		{"native uppercase scheme", native, "HTTP://127.0.0.1:5000/callback", false},
		{"native localhost case", native, "http://LOCALHOST:5000/cb", false},
		{"native private-use case", native, "com.example.App:/oauth", false},
		{"native private-use path", native, "com.example.app:/oauth/", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := matchRedirectURI(tt.client, tt.uri); got != tt.want {
				t.Errorf("matchRedirectURI(%q) = %v, want %v", tt.uri, got, tt.want)
			}
		})
	}
}

func TestAppendQuery(t *testing.T) {
	p := url.Values{"code": {"c"}, "state": {"s t"}}
	tests := []struct{ in, want string }{
		{"https://a.example/cb", "https://a.example/cb?code=c&state=s+t"},
		{"https://a.example/cb?x=%2F1&y", "https://a.example/cb?x=%2F1&y&code=c&state=s+t"},
		{"https://a.example/cb?", "https://a.example/cb?code=c&state=s+t"},
		{"https://a.example/cb?x=1&", "https://a.example/cb?x=1&code=c&state=s+t"},
		{"com.example.app:/oauth", "com.example.app:/oauth?code=c&state=s+t"},
		{"https://a.example/cb#frag", "https://a.example/cb?code=c&state=s+t"},
	}
	for _, tt := range tests {
		if got := appendQuery(tt.in, p); got != tt.want {
			t.Errorf("appendQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// portRE splits an http loopback URI into host, port and the rest, as an
// oracle for the RFC 8252 §7.3 exception that is independent of the code
// under test.
var portRE = regexp.MustCompile(`(?s)^http://(127\.0\.0\.1|\[::1\]|localhost)(?::([1-9][0-9]{0,4}))?([/?].*)?$`)

// sameButPort reports whether a and b are loopback URIs on the same host
// literal that differ at most in their port.
func sameButPort(a, b string) bool {
	ma, mb := portRE.FindStringSubmatch(a), portRE.FindStringSubmatch(b)
	if ma == nil || mb == nil || ma[1] != mb[1] || ma[3] != mb[3] || strings.Contains(a+b, "#") {
		return false
	}
	for _, p := range []string{ma[2], mb[2]} {
		if n, err := strconv.Atoi(p); p != "" && (err != nil || n > 65535) {
			return false
		}
	}
	return true
}

// FuzzMatchRedirectURI checks that a candidate redirect URI only matches a
// registered one when it is byte-for-byte identical, or, for native
// clients, a loopback URI that differs only in its port (RFC 9700 §4.1.3,
// RFC 8252 §7.3). The seeds are near misses of the registered URIs.
func FuzzMatchRedirectURI(f *testing.F) {
	regs := []string{
		"https://app.example.com/callback",
		"https://app.example.com/cb?tenant=a",
		"http://127.0.0.1/callback",
		"http://[::1]:8400/cb",
		"http://localhost/cb?x=1",
		"com.example.app:/oauth",
	}
	for _, r := range regs {
		for _, got := range []string{
			r, r + "/", r + "#", r + "?", strings.ToUpper(r), strings.Replace(r, "/c", "/%63", 1),
			strings.Replace(r, "://", "://evil@", 1), strings.Replace(r, "://", "://x.", 1),
			strings.Replace(r, "127.0.0.1", "127.0.0.1:1234", 1), strings.Replace(r, "localhost", "localhost:0", 1),
			strings.Replace(r, "[::1]:8400", "[::1]:9", 1), strings.Replace(r, "https", "http", 1),
		} {
			f.Add(r, got, true)
			f.Add(r, got, false)
		}
	}
	f.Fuzz(func(t *testing.T, reg, got string, native bool) {
		c := &idp.Client{Type: idp.ClientWeb, RedirectURIs: []string{reg}}
		if native {
			c.Type = idp.ClientNative
		}
		ok := matchRedirectURI(c, got)
		allowed := got == reg || (native && sameButPort(reg, got))
		if ok && !allowed {
			t.Fatalf("matchRedirectURI(reg=%q, got=%q, native=%v) matched a near miss", reg, got, native)
		}
		if !ok && got == reg {
			t.Fatalf("exact URI %q did not match", got)
		}
	})
}
