package oauth

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// jsonStringCases cover every escaping rule of json.Marshal.
var jsonStringCases = []string{
	"", "plain", "https://issuer.example/t/a", "eyJhbGciOiJFUzI1NiJ9.eyJ9.sig-_",
	`quote " and backslash \`, "<script>&amp;</script>", "\b\f\n\r\t", "\x00\x01\x1f\x7f",
	"é ü 日本 🙂", "line\u2028sep\u2029para", "bad \xff utf-8 \xc3", "\xe2\x80", "api:read api:admin",
	"trailing <", "&", "\u2028",
}

func TestAppendJSONStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range jsonStringCases {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString([]byte("x"), s); string(got) != "x"+string(want) {
			t.Errorf("%q: got %s, want %s", s, got[1:], want)
		}
	}
}

func FuzzAppendJSONString(f *testing.F) {
	for _, s := range jsonStringCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("%q: got %s, want %s", s, got, want)
		}
	})
}

func TestAccessClaimsAppendJSONMatchesEncodingJSON(t *testing.T) {
	base := accessTokenClaims{
		Issuer: "http://127.0.0.1:8080/t/acme", Subject: "backend", Audience: idp.Audience{"backend"},
		Expiry: 1_800_000_900, IssuedAt: 1_800_000_000, NotBefore: 1_800_000_000,
		JTI: "Zm9vYmFyYmF6cXV4cXV1eA", TenantID: "acme", ClientID: "backend",
	}
	tests := []struct {
		name string
		edit func(c *accessTokenClaims)
	}{
		{"client_credentials, no scope", func(*accessTokenClaims) {}},
		{"scope", func(c *accessTokenClaims) { c.Scope = "api:read api:admin" }},
		{"user token with auth_time", func(c *accessTokenClaims) { c.Subject, c.AuthTime, c.Scope = "usr_1", 1_799_999_000, "openid email" }},
		{"two audiences", func(c *accessTokenClaims) { c.Audience = idp.Audience{"https://api.example", "https://b.example"} }},
		{"empty audience", func(c *accessTokenClaims) { c.Audience = idp.Audience{} }},
		{"nil audience", func(c *accessTokenClaims) { c.Audience = nil }},
		{"negative and zero times", func(c *accessTokenClaims) { c.Expiry, c.IssuedAt, c.NotBefore = 0, -1, -62135596800 }},
		{"escapes", func(c *accessTokenClaims) {
			c.Issuer, c.ClientID, c.Scope, c.Audience = "https://a.example/<x>&\u2028", "c\"\\\x01", "a<b", idp.Audience{"\xff", "é"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.edit(&c)
			want, err := json.Marshal(&c)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.AppendJSON(nil); !bytes.Equal(got, want) {
				t.Errorf("AppendJSON\n got %s\nwant %s", got, want)
			}
		})
	}
}

func TestWriteTokenResponseMatchesWriteNoStoreJSON(t *testing.T) {
	tests := []struct {
		name string
		resp tokenResponse
	}{
		{"client_credentials", tokenResponse{AccessToken: "eyJ.eyJ.sig", TokenType: "Bearer", ExpiresIn: 900}},
		{"with scope", tokenResponse{AccessToken: "eyJ.eyJ.sig", TokenType: "Bearer", ExpiresIn: 900, Scope: "api:read"}},
		{"every member", tokenResponse{AccessToken: "a.b.c", TokenType: "Bearer", ExpiresIn: 3600, Scope: "openid offline_access",
			IDToken: "d.e.f", RefreshToken: "rt-_x"}},
		{"refresh without id token", tokenResponse{AccessToken: "a.b.c", TokenType: "Bearer", ExpiresIn: 1, RefreshToken: "rt"}},
		{"escapes", tokenResponse{AccessToken: "<&>", TokenType: "Bearer", ExpiresIn: 0, Scope: "a\"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := httptest.NewRecorder()
			writeNoStoreJSON(want, http.StatusOK, &tt.resp)
			got := httptest.NewRecorder()
			writeTokenResponse(got, &tt.resp)
			if got.Code != want.Code || got.Body.String() != want.Body.String() {
				t.Errorf("got %d %q, want %d %q", got.Code, got.Body, want.Code, want.Body)
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "Pragma"} {
				if g, w := got.Header().Values(h), want.Header().Values(h); strings.Join(g, ",") != strings.Join(w, ",") || len(g) != 1 {
					t.Errorf("%s: got %q, want %q", h, g, w)
				}
			}
			if len(got.Header()) != len(want.Header()) {
				t.Errorf("headers: got %v, want %v", got.Header(), want.Header())
			}
		})
	}
}
