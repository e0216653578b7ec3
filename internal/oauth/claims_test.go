package oauth

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestUserProfileClaimsFollowScope(t *testing.T) {
	u := &idp.User{ID: "usr_1", Email: "ada@example.com", Name: "Ada", Picture: "https://example.com/a.png", EmailVerified: true,
		UpdatedAt: time.Unix(1700000000, 0)}
	tests := []struct {
		scope []string
		want  string
	}{
		{[]string{"openid"}, `{}`},
		{[]string{"openid", "email"}, `{"email":"ada@example.com","email_verified":true}`},
		{[]string{"openid", "profile"}, `{"name":"Ada","picture":"https://example.com/a.png","updated_at":1700000000}`},
		{[]string{"openid", "profile", "email"}, `{"name":"Ada","picture":"https://example.com/a.png","updated_at":1700000000,"email":"ada@example.com","email_verified":true}`},
	}
	for _, tt := range tests {
		b, _ := json.Marshal(userProfileClaims(u, tt.scope))
		if string(b) != tt.want {
			t.Errorf("scope %v: %s, want %s", tt.scope, b, tt.want)
		}
	}
	// An unverified email is reported as such, not left out.
	u.EmailVerified = false
	b, _ := json.Marshal(userProfileClaims(u, []string{"email"}))
	if string(b) != `{"email":"ada@example.com","email_verified":false}` {
		t.Errorf("unverified email: %s", b)
	}
}

func TestTokenLiveBoundaries(t *testing.T) {
	base := time.Unix(1_800_000_000, 0).UTC()
	c := &accessTokenClaims{IssuedAt: base.Unix(), NotBefore: base.Unix(), Expiry: base.Unix() + 900}
	tests := []struct {
		name string
		now  time.Time
		want bool
	}{
		{"at nbf", base, true},
		{"just before nbf", base.Add(-time.Microsecond), false},
		{"one second before exp", base.Add(899 * time.Second), true},
		{"a microsecond before exp", base.Add(900*time.Second - time.Microsecond), true},
		{"exactly exp", base.Add(900 * time.Second), false},
		{"after exp", base.Add(901 * time.Second), false},
	}
	for _, tt := range tests {
		if got := tokenLive(c, tt.now); got != tt.want {
			t.Errorf("%s: tokenLive = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestValidResourceIndicator(t *testing.T) {
	tests := map[string]bool{
		"https://api.example.com":        true,
		"https://api.example.com/v1?x=1": true,
		"urn:example:api":                true,
		"api.example.com":                false,
		"/relative":                      false,
		"https://api.example.com/#frag":  false,
		"https://api.example.com#":       false,
		"":                               false,
		"https://api.example.com/%zz":    false,
	}
	for v, want := range tests {
		if got := validResourceIndicator(v); got != want {
			t.Errorf("validResourceIndicator(%q) = %v, want %v", v, got, want)
		}
	}
}

func TestTokenAudience(t *testing.T) {
	c := &idp.Client{ID: "app-web", DefaultResourceServer: "https://api.example.com"}
	rs := []*idp.ResourceServer{{Identifier: "https://a.example.com"}, {Identifier: "https://b.example.com"}}
	tests := []struct {
		name      string
		requested []*idp.ResourceServer
		granted   []string
		client    *idp.Client
		want      idp.Audience
	}{
		{"requested wins", rs, []string{"https://a.example.com"}, c, idp.Audience{"https://a.example.com", "https://b.example.com"}},
		{"granted", nil, []string{"https://g.example.com"}, c, idp.Audience{"https://g.example.com"}},
		{"default resource server", nil, nil, c, idp.Audience{"https://api.example.com"}},
		{"client id", nil, nil, &idp.Client{ID: "app-spa"}, idp.Audience{"app-spa"}},
	}
	for _, tt := range tests {
		if got := tokenAudience(tt.requested, tt.granted, tt.client); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}
