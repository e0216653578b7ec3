package oauth_test

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/tenant"
)

// fakeDerived is a DerivedResources with one resource server, "{issuer}/mcp",
// on the admin tenant only, as internal/mcp derives it.
type fakeDerived struct{}

var fakeDerivedScopes = []string{"mcp:read", "mcp:write", "mcp:admin"}

func (fakeDerived) server(info *tenant.Info) *idp.ResourceServer {
	if !info.Tenant.Admin {
		return nil
	}
	rs := &idp.ResourceServer{TenantID: info.Tenant.ID, ID: "mcp", Identifier: info.Issuer + "/mcp", Name: "MCP", ScopePrefix: "mcp:"}
	for _, s := range fakeDerivedScopes {
		rs.Scopes = append(rs.Scopes, idp.ResourceScope{Value: s, GrantedToAll: true})
	}
	return rs
}

func (f fakeDerived) Resource(info *tenant.Info, id string) *idp.ResourceServer {
	if rs := f.server(info); rs != nil && rs.Identifier == id {
		return rs
	}
	return nil
}

func (f fakeDerived) ForScopes(info *tenant.Info, scopes []string) *idp.ResourceServer {
	rs := f.server(info)
	if rs == nil {
		return nil
	}
	found := false
	for _, s := range scopes {
		switch {
		case slices.Contains(fakeDerivedScopes, s):
			found = true
		case s == "openid", s == "profile", s == "email", s == "offline_access":
		default:
			return nil
		}
	}
	if !found {
		return nil
	}
	return rs
}

func (f fakeDerived) Scopes(info *tenant.Info) []string {
	if f.server(info) == nil {
		return nil
	}
	return fakeDerivedScopes
}

var _ oauth.DerivedResources = fakeDerived{}

// newDerivedHarness is the harness with the admin tenant and fakeDerived.
func newDerivedHarness(t *testing.T) *oauthtest.Harness {
	t.Helper()
	h := oauthtest.NewWith(t, func(o *oauth.Options) { o.DerivedResources = fakeDerived{} })
	h.AddAdminTenant(t)
	return h
}

// nativeAuthorize runs an authorization request of the native client on
// tenantID for Alice (signed in) with extra parameters and returns the
// response's redirect parameters.
func nativeAuthorize(t *testing.T, h *oauthtest.Harness, tenantID string, kv ...string) url.Values {
	t.Helper()
	b := h.Browser(t)
	h.Login(t, b, tenantID, oauthtest.Alice)
	v := azWith(azParams(t, h, tenantID, oauthtest.NativeClient), kv...)
	res, _ := azGet(t, h, b, tenantID, v)
	return azCallback(t, res, v.Get("redirect_uri"), h.Issuer(tenantID))
}

// nativeRedeem redeems a code of the native client (azVerifier).
func nativeRedeem(t *testing.T, h *oauthtest.Harness, tenantID, code string, extra ...string) *response {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "code_verifier": {azVerifier},
		"redirect_uri": {h.RedirectURI(t, tenantID, oauthtest.NativeClient)}}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Add(extra[i], extra[i+1])
	}
	return tokenReq(t, h, tenantID, f, publicAuth(oauthtest.NativeClient))
}

// wantAudience checks that the access token's aud is exactly want.
func wantAudience(t *testing.T, r *response, want string) {
	t.Helper()
	_, claims := jwtParts(t, r.str("access_token"))
	switch aud := claims["aud"].(type) {
	case string:
		if aud != want {
			t.Fatalf("aud = %q, want %q", aud, want)
		}
	case []any:
		if len(aud) != 1 || aud[0] != want {
			t.Fatalf("aud = %v, want exactly %q", aud, want)
		}
	default:
		t.Fatalf("aud = %v, want %q", claims["aud"], want)
	}
}

func TestDerivedResourceNamed(t *testing.T) {
	h := newDerivedHarness(t)
	mcp := h.Issuer(oauthtest.AdminTenant) + "/mcp"
	q := nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "mcp:read mcp:write offline_access", "resource", mcp)
	if q.Get("error") != "" {
		t.Fatalf("authorize error %s: %s", q.Get("error"), q.Get("error_description"))
	}
	r := wantOK(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code"), "resource", mcp))
	wantAudience(t, r, mcp)
	if got := r.str("scope"); got != "mcp:read mcp:write offline_access" {
		t.Fatalf("scope = %q", got)
	}
	if r.str("id_token") != "" {
		t.Fatalf("an ID token without openid")
	}
	// The refreshed token keeps the derived audience.
	rr := wantOK(t, refresh(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, r.str("refresh_token"), nil))
	wantAudience(t, rr, mcp)
	if got := rr.str("scope"); !strings.Contains(got, "mcp:write") {
		t.Fatalf("refreshed scope = %q lost the derived scopes", got)
	}
}

func TestDerivedResourceFromScopes(t *testing.T) {
	h := newDerivedHarness(t)
	mcp := h.Issuer(oauthtest.AdminTenant) + "/mcp"
	q := nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "mcp:read")
	if q.Get("error") != "" {
		t.Fatalf("authorize error %s: %s", q.Get("error"), q.Get("error_description"))
	}
	wantAudience(t, wantOK(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code"))), mcp)

	// With openid too it is still the MCP audience, with an ID token.
	q = nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "openid mcp:read")
	r := wantOK(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code")))
	wantAudience(t, r, mcp)
	if r.str("id_token") == "" {
		t.Fatalf("no ID token with openid")
	}
}

func TestDerivedResourceRefused(t *testing.T) {
	h := newDerivedHarness(t)
	admin := h.Issuer(oauthtest.AdminTenant)
	cases := []struct {
		name, tenant string
		kv           []string
		want         string
	}{
		// The derived resource exists on the admin tenant only.
		{"mcp URL of tenant-a", oauthtest.TenantA, []string{"scope", "openid mcp:read", "resource", h.Issuer(oauthtest.TenantA) + "/mcp"}, "invalid_target"},
		{"admin mcp URL on tenant-a", oauthtest.TenantA, []string{"scope", "openid mcp:read", "resource", admin + "/mcp"}, "invalid_target"},
		// Exact comparison: the MCP URL of another issuer, or a near miss.
		{"other issuer", oauthtest.AdminTenant, []string{"scope", "mcp:read", "resource", "https://login.other.example/mcp"}, "invalid_target"},
		{"trailing slash", oauthtest.AdminTenant, []string{"scope", "mcp:read", "resource", admin + "/mcp/"}, "invalid_target"},
		{"unknown", oauthtest.AdminTenant, []string{"scope", "mcp:read", "resource", "https://unknown.example/api"}, "invalid_target"},
		// Without openid only derived resources may be requested.
		{"no openid, stored resource", oauthtest.AdminTenant, []string{"scope", "api:read", "resource", oauthtest.API}, "invalid_scope"},
		{"no openid, no resource", oauthtest.TenantA, []string{"scope", "mcp:read"}, "invalid_scope"},
		{"no openid, mixed scopes", oauthtest.AdminTenant, []string{"scope", "mcp:read api:read"}, "invalid_scope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := nativeAuthorize(t, h, tc.tenant, tc.kv...)
			if q.Get("error") != tc.want || q.Has("code") {
				t.Fatalf("error = %q (%s), want %q", q.Get("error"), q.Get("error_description"), tc.want)
			}
		})
	}
}

func TestDerivedResourceAtToken(t *testing.T) {
	h := newDerivedHarness(t)
	admin := h.Issuer(oauthtest.AdminTenant)
	// A code for openid only (no resource) may name the MCP resource at
	// the token endpoint (RFC 8707 §2.2); a URL of another issuer may not.
	q := nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "openid")
	wantError(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code"), "resource", "http://127.0.0.2/mcp"), http.StatusBadRequest, "invalid_target")

	q = nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "openid")
	wantAudience(t, wantOK(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code"), "resource", admin+"/mcp")), admin+"/mcp")

	// A stored resource is still found after the derived lookup misses.
	q = nativeAuthorize(t, h, oauthtest.AdminTenant, "scope", "openid api:read", "resource", oauthtest.API)
	wantAudience(t, wantOK(t, nativeRedeem(t, h, oauthtest.AdminTenant, q.Get("code"))), oauthtest.API)

	// client_credentials may name the derived resource on the admin
	// tenant only.
	cc := url.Values{"grant_type": {"client_credentials"}, "resource": {admin + "/mcp"}}
	wantAudience(t, wantOK(t, tokenReq(t, h, oauthtest.AdminTenant, cc, clientAuth(h, oauthtest.AdminTenant, oauthtest.BackendClient))), admin+"/mcp")
	wantError(t, tokenReq(t, h, oauthtest.TenantA, cc, clientAuth(h, oauthtest.TenantA, oauthtest.BackendClient)), http.StatusBadRequest, "invalid_target")
}
