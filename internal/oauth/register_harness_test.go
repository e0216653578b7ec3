package oauth_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

// Helpers shared by the dynamic client registration tests (prefix reg).

// regHarness is the harness with the admin tenant, fakeDerived and
// manage.Service as the Registrar, as internal/server wires them.
func regHarness(t *testing.T) *oauthtest.Harness {
	t.Helper()
	h := oauthtest.NewWithPages(t, func(o *oauth.Options) {
		o.DerivedResources = fakeDerived{}
		o.Registrar = manage.New(manage.Options{Store: o.Store, Keys: o.Keys.(manage.KeyEnsurer), Clock: o.Clock, Random: secret.Default})
	})
	h.AddAdminTenant(t)
	return h
}

// regSend sends method to path under tenantID's issuer with a raw body
// (JSON unless contentType says otherwise) and an optional Bearer token.
func regSend(t testing.TB, h *oauthtest.Harness, tenantID, method, path, contentType string, body []byte, bearer string) *response {
	t.Helper()
	req, err := http.NewRequest(method, h.Issuer(tenantID)+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	return send(t, req)
}

// register posts metadata to the admin tenant's registration endpoint.
func register(t testing.TB, h *oauthtest.Harness, metadata map[string]any) *response {
	t.Helper()
	return registerAt(t, h, oauthtest.AdminTenant, metadata)
}

// registerAt posts metadata to tenantID's registration endpoint.
func registerAt(t testing.TB, h *oauthtest.Harness, tenantID string, metadata map[string]any) *response {
	t.Helper()
	b, err := json.Marshal(metadata)
	if err != nil {
		t.Fatal(err)
	}
	return regSend(t, h, tenantID, http.MethodPost, "/oauth2/register", "application/json", b, "")
}

// nativeMetadata is what an MCP client such as Claude Code sends.
func nativeMetadata(redirects ...string) map[string]any {
	return map[string]any{
		"client_name": "Claude Code", "redirect_uris": redirects, "token_endpoint_auth_method": "none",
		"grant_types": []string{"authorization_code", "refresh_token"}, "response_types": []string{"code"},
	}
}

// wantRegistered checks a 201 registration answer and returns it.
func wantRegistered(t testing.TB, r *response) *response {
	t.Helper()
	if r.status != http.StatusCreated || r.str("client_id") == "" || r.str("registration_access_token") == "" {
		t.Fatalf("registration: %d %s, want 201 with credentials", r.status, r.raw)
	}
	return r
}

// regNextWindow moves the clock past the registration rate limit's
// window, so that table tests are not throttled (TestSecRegisterRateLimit
// covers the limit itself).
func regNextWindow(h *oauthtest.Harness) { h.Clock.Advance(11 * time.Minute) }
