package oauth

import (
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestParseScope(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"openid", []string{"openid"}, true},
		{"openid profile email", []string{"openid", "profile", "email"}, true},
		{"email  openid ", []string{"email", "openid"}, true},
		{"openid openid profile", []string{"openid", "profile"}, true},
		{"", nil, true},
		{"api:read https://api.example.com/x", []string{"api:read", "https://api.example.com/x"}, true},
		{"openid\tprofile", nil, false},
		{"openid\nprofile", nil, false},
		{`openid "profile"`, nil, false},
		{`openid pro\file`, nil, false},
		{"openid profilé", nil, false},
	}
	for _, tt := range tests {
		got, ok := parseScope(tt.in)
		if ok != tt.ok || !slices.Equal(got, tt.want) {
			t.Errorf("parseScope(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func FuzzParseScope(f *testing.F) {
	for _, s := range []string{"openid profile", "a  b", "x\"y", "openid\x00", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseScope(s)
		if !ok {
			return
		}
		seen := map[string]bool{}
		for _, tok := range got {
			if tok == "" || seen[tok] || strings.ContainsAny(tok, " \"\\") || !strings.Contains(" "+s+" ", " "+tok+" ") {
				t.Fatalf("parseScope(%q) gave bad token %q", s, tok)
			}
			seen[tok] = true
			for _, r := range tok {
				if r < 0x21 || r > 0x7e {
					t.Fatalf("parseScope(%q) gave token %q with %U", s, tok, r)
				}
			}
		}
	})
}

func TestAllowedScopes(t *testing.T) {
	rs := []*idp.ResourceServer{{Identifier: "https://api.example.com", Scopes: []idp.ResourceScope{
		{Value: "api:read", GrantedToAll: true}, {Value: "api:admin"},
	}}}
	req := []string{"openid", "profile", "email", "offline_access", "address", "api:read", "api:admin", "custom"}
	tests := []struct {
		name   string
		client *idp.Client
		rs     []*idp.ResourceServer
		want   []string
	}{
		{"defaults without resource", &idp.Client{}, nil, []string{"openid", "profile", "email", "offline_access"}},
		{"defaults with resource", &idp.Client{}, rs, []string{"openid", "profile", "email", "offline_access", "api:read", "api:admin"}},
		{"configured list", &idp.Client{Scopes: []string{"email", "api:read", "custom"}}, rs, []string{"openid", "email", "api:read", "custom"}},
		{"openid always kept", &idp.Client{Scopes: []string{"profile"}}, nil, []string{"openid", "profile"}},
	}
	for _, tt := range tests {
		if got := allowedScopes(tt.client, req, tt.rs); !slices.Equal(got, tt.want) {
			t.Errorf("%s: allowedScopes = %q, want %q", tt.name, got, tt.want)
		}
	}
	alice := &idp.User{}
	bob := &idp.User{Scopes: []string{"api:admin"}}
	in := []string{"openid", "api:read", "api:admin", "custom"}
	if got := userScopes(alice, in, rs); !slices.Equal(got, []string{"openid", "api:read", "custom"}) {
		t.Errorf("userScopes(alice) = %q", got)
	}
	if got := userScopes(bob, in, rs); !slices.Equal(got, in) {
		t.Errorf("userScopes(bob) = %q", got)
	}
}
