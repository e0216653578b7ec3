package tenant

import (
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// idGrammar is the tenant id's grammar as a regular expression: the
// specification idSyntax implements without one.
var idGrammar = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$`)

// TestIDSyntaxMatchesGrammar: idSyntax agrees with the grammar on every
// string of up to four characters over an alphabet with each kind of
// byte, and around the length bounds.
func TestIDSyntaxMatchesGrammar(t *testing.T) {
	alphabet := []string{"a", "z", "0", "9", "-", "A", ".", "_", "\x00", "é"}
	cases := []string{""}
	frontier := []string{""}
	for range 4 {
		var next []string
		for _, s := range frontier {
			for _, c := range alphabet {
				next = append(next, s+c)
			}
		}
		cases = append(cases, next...)
		frontier = next
	}
	for n := 38; n <= 42; n++ {
		cases = append(cases, strings.Repeat("a", n), "a"+strings.Repeat("-", n-2)+"a", strings.Repeat("a", n-1)+"-")
	}
	for _, s := range cases {
		if got, want := idSyntax(s), idGrammar.MatchString(s); got != want {
			t.Errorf("idSyntax(%q) = %v, grammar says %v", s, got, want)
		}
	}
}

func FuzzIDSyntax(f *testing.F) {
	for _, s := range []string{"acme", "a-b", "-ab", "ab-", "ab", strings.Repeat("a", 41), "ACME", "a.b.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := idSyntax(s), idGrammar.MatchString(s); got != want {
			t.Fatalf("idSyntax(%q) = %v, grammar says %v", s, got, want)
		}
	})
}

// TestPathIssuerStripping: the issuer-relative path of every form of a
// path-issuer request.
func TestPathIssuerStripping(t *testing.T) {
	r, _, _ := newTestResolver(t, "https://login.example.com", nil)
	for _, tc := range []struct{ path, want string }{
		{"/t/acme", "/"},
		{"/t/acme/", "/"},
		{"/t/acme/oauth2/token", "/oauth2/token"},
		{"/t/acme/.well-known/jwks.json", "/.well-known/jwks.json"},
		{"/t/acme//x", "//x"},
	} {
		req := httptest.NewRequest(http.MethodGet, "https://login.example.com/", nil)
		req.URL.Path = tc.path
		info, got, err := r.Resolve(req)
		if err != nil || got != tc.want || info.BasePath != "/t/acme" {
			t.Errorf("Resolve(%q) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
}
