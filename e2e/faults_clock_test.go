package e2e

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestFaultsExpiryBoundary is the fault-suite part of SECURITY-TESTS 58
// that a test can reach without moving the machine's clock: an in-process
// Authalla on a fake clock issues an access token, and introspection
// (RFC 7662 §2.2) says active one second before exp and inactive at exactly
// exp and after it — no skew, no off-by-one (RFC 7519 §4.1.4: the token
// must not be accepted "on or after" exp). The hosted-page, code and PIN
// boundaries have their own unit tests (internal/oauth, internal/login).
func TestFaultsExpiryBoundary(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	h := oauthtest.New(t)
	tenantID := oauthtest.TenantA
	issuer := h.Issuer(tenantID)
	id, secret := oauthtest.BackendClient, h.Secret(tenantID, oauthtest.BackendClient)
	c := faultClient(10 * time.Second)

	a := postForm(ctx, c, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}}, id, secret)
	tok, _ := a.json()["access_token"].(string)
	if a.status != http.StatusOK || tok == "" {
		t.Fatalf("client_credentials: %v", a)
	}
	_, claims := decodeJWT(t, tok)
	expF, _ := claims["exp"].(float64)
	exp := time.Unix(int64(expF), 0)
	if !exp.After(h.Clock.Now()) {
		t.Fatalf("exp %s is not after issuance %s", exp, h.Clock.Now())
	}
	active := func() bool {
		a := postForm(ctx, c, issuer+"/oauth2/introspect", url.Values{"token": {tok}}, id, secret)
		if a.status != http.StatusOK {
			t.Fatalf("introspect: %v", a)
		}
		return a.json()["active"] == true
	}
	for _, tc := range []struct {
		name string
		at   time.Time
		want bool
	}{
		{"one second before exp", exp.Add(-time.Second), true},
		{"one millisecond before exp", exp.Add(-time.Millisecond), true},
		{"exactly at exp", exp, false},
		{"one second after exp", exp.Add(time.Second), false},
	} {
		h.Clock.Set(tc.at)
		if got := active(); got != tc.want {
			t.Errorf("%s (%s): active = %v, want %v", tc.name, tc.at.Format(time.RFC3339Nano), got, tc.want)
		}
	}
}
