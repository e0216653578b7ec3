package oauthtest_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestHarness checks the fixtures: both tenants answer discovery at their
// own path issuer, client ids and emails collide across tenants but are
// different objects, and Login yields a session the server recognises.
func TestHarness(t *testing.T) {
	h := oauthtest.New(t)
	b := h.Browser(t)
	for _, tid := range []string{oauthtest.TenantA, oauthtest.TenantB} {
		res, body := h.Get(t, b, h.Issuer(tid)+"/.well-known/openid-configuration")
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s discovery: %d %s", tid, res.StatusCode, body)
		}
		var doc struct{ Issuer string }
		if err := json.Unmarshal([]byte(body), &doc); err != nil || doc.Issuer != h.Issuer(tid) {
			t.Fatalf("%s issuer = %q (%v)", tid, doc.Issuer, err)
		}
		if h.Secret(tid, oauthtest.WebClient) == "" || h.Secret(tid, oauthtest.SPAClient) != "" {
			t.Errorf("%s: web client must have a secret, spa none", tid)
		}
	}
	if h.Secret(oauthtest.TenantA, oauthtest.WebClient) == h.Secret(oauthtest.TenantB, oauthtest.WebClient) {
		t.Error("web client secrets collide across tenants")
	}
	a, bb := h.User(t, oauthtest.TenantA, oauthtest.Alice), h.User(t, oauthtest.TenantB, oauthtest.Alice)
	if a.ID == bb.ID {
		t.Error("the same email in two tenants must be two users")
	}
	s := h.Login(t, b, oauthtest.TenantA, oauthtest.Alice)
	req, _ := http.NewRequest(http.MethodGet, h.Issuer(oauthtest.TenantA)+"/", nil)
	cookies := b.Jar.Cookies(req.URL)
	if len(cookies) != 1 || cookies[0].Name != "authalla_session-"+oauthtest.TenantA {
		t.Fatalf("cookies for tenant-a: %v", cookies)
	}
	if s.UserID != a.ID || !s.AuthTime.Equal(h.Clock.Now()) {
		t.Errorf("session = %+v", s)
	}
}
