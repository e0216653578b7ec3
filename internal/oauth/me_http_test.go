package oauth_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// putMe sends PUT /oauth2/me.
func putMe(t *testing.T, h *oauthtest.Harness, tid, token, contentType, body string) *response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, h.Issuer(tid)+"/oauth2/me", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

// TestMeUpdatesOwnName covers PUT /oauth2/me.
func TestMeUpdatesOwnName(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	code := mintCode(t, h, tid, oauthtest.WebClient, oauthtest.Alice, codeOpts{scope: []string{"openid", "profile"}})
	at := wantOK(t, redeem(t, h, tid, oauthtest.WebClient, code, "")).str("access_token")

	r := putMe(t, h, tid, at, "application/json", `{"name":"  Ada Lovelace  "}`)
	if r.status != http.StatusOK || r.str("name") != "Ada Lovelace" || r.str("sub") != h.User(t, tid, oauthtest.Alice).ID {
		t.Fatalf("PUT /oauth2/me: %d %s", r.status, r.raw)
	}
	if got := h.User(t, tid, oauthtest.Alice).Name; got != "Ada Lovelace" {
		t.Fatalf("stored name %q", got)
	}
	if h.User(t, oauthtest.TenantB, oauthtest.Alice).Name != "Alice" {
		t.Fatal("tenant-b's Alice was renamed")
	}
	events, _, err := h.Store.ListAudit(context.Background(), tid, idp.AuditQuery{Action: "user.update_name"})
	if err != nil || len(events) != 1 {
		t.Fatalf("audit events %v, %v", events, err)
	}

	bad := []struct{ name, ct, body string }{
		{"empty", "application/json", `{"name":""}`},
		{"spaces", "application/json", `{"name":"   "}`},
		{"too long", "application/json", `{"name":"` + strings.Repeat("x", 201) + `"}`},
		{"control character", "application/json", `{"name":"a\u0007b"}`},
		{"no name", "application/json", `{}`},
		{"unknown field", "application/json", `{"name":"x","email":"evil@example.com"}`},
		{"two objects", "application/json", `{"name":"x"}{"name":"y"}`},
		{"not JSON", "application/json", `name=x`},
		{"form body", "application/x-www-form-urlencoded", `name=x`},
	}
	for _, tt := range bad {
		if r := putMe(t, h, tid, at, tt.ct, tt.body); r.str("error") != "invalid_request" {
			t.Errorf("%s: %d %s", tt.name, r.status, r.raw)
		}
	}
	if got := h.User(t, tid, oauthtest.Alice).Name; got != "Ada Lovelace" {
		t.Fatalf("a refused update changed the name to %q", got)
	}
	if r := putMe(t, h, tid, "", "application/json", `{"name":"x"}`); r.status != http.StatusUnauthorized {
		t.Fatalf("without a token: %d", r.status)
	}
	if r := putMe(t, h, oauthtest.TenantB, at, "application/json", `{"name":"x"}`); r.status != http.StatusUnauthorized {
		t.Fatalf("tenant-a token at tenant-b: %d", r.status)
	}
}
