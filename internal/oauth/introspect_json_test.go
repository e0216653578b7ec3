package oauth

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

// TestIntrospectionAppendJSON: the hand-written answer is byte for byte
// what encoding/json (httpx.WriteJSON) writes, headers included.
func TestIntrospectionAppendJSON(t *testing.T) {
	full := introspection{
		Active: true, Scope: "openid api:read", ClientID: "app", Subject: "usr_1",
		Audience: idp.Audience{"https://api.example.com"}, Issuer: "https://id.example.com/t/a",
		Expiry: 1772442000, IssuedAt: 1772441100, NotBefore: 1772441100, JTI: "jti-1",
		TokenType: "Bearer", TenantID: "tenant-a",
	}
	twoAud := full
	twoAud.Audience = idp.Audience{"https://a.example", "https://b.example"}
	odd := full
	odd.Scope, odd.Subject, odd.ClientID = "<script>&\"\\\u2028\x01", "\xff\xfe", "é日本"
	cases := map[string]introspection{
		"inactive":        {},
		"active":          full,
		"two audiences":   twoAud,
		"escaping":        odd,
		"refresh":         {Active: true, Scope: "openid", ClientID: "app", Subject: "u", Expiry: 1, IssuedAt: 1, TokenType: "refresh_token", TenantID: "t"},
		"negative":        {Active: true, Expiry: -5, NotBefore: -1},
		"empty audiences": {Active: true, Audience: idp.Audience{}},
	}
	for name, r := range cases {
		t.Run(name, func(t *testing.T) {
			want := httptest.NewRecorder()
			writeNoStoreJSON(want, 200, &r)
			got := httptest.NewRecorder()
			writeIntrospection(got, &r)
			if !bytes.Equal(got.Body.Bytes(), want.Body.Bytes()) {
				t.Fatalf("body\n got %s\nwant %s", got.Body.Bytes(), want.Body.Bytes())
			}
			for _, h := range []string{"Content-Type", "Cache-Control", "Pragma"} {
				if got.Header().Get(h) != want.Header().Get(h) {
					t.Fatalf("%s: %q, want %q", h, got.Header().Get(h), want.Header().Get(h))
				}
			}
			if got.Code != want.Code {
				t.Fatalf("status %d, want %d", got.Code, want.Code)
			}
			var back introspection
			if err := json.Unmarshal(got.Body.Bytes(), &back); err != nil {
				t.Fatal(err)
			}
		})
	}
}
