package mcp_test

import (
	"slices"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/mcp"
	"github.com/authalla/authalla/internal/tenant"
)

func TestResources(t *testing.T) {
	admin := &tenant.Info{Tenant: &idp.Tenant{ID: "admin", Admin: true}, Issuer: "https://login.example.com"}
	adminLocal := &tenant.Info{Tenant: &idp.Tenant{ID: "admin", Admin: true}, Issuer: "http://localhost:8080"}
	acme := &tenant.Info{Tenant: &idp.Tenant{ID: "acme"}, Issuer: "https://acme.example.com"}
	var r mcp.Resources

	t.Run("Resource", func(t *testing.T) {
		for _, c := range []struct {
			info *tenant.Info
			id   string
			want bool
		}{
			{admin, "https://login.example.com/mcp", true},
			{adminLocal, "http://localhost:8080/mcp", true},
			{admin, "http://localhost:8080/mcp", false}, // another issuer's endpoint
			{admin, "https://login.example.com/mcp/", false},
			{admin, "https://LOGIN.example.com/mcp", false},
			{admin, "https://login.example.com", false},
			{admin, "urn:authalla:management", false},
			{acme, "https://acme.example.com/mcp", false}, // customer tenants have none
		} {
			rs := r.Resource(c.info, c.id)
			if (rs != nil) != c.want {
				t.Errorf("Resource(%s, %q) = %v, want %v", c.info.Issuer, c.id, rs, c.want)
				continue
			}
			if rs == nil {
				continue
			}
			if rs.Identifier != c.id || rs.TenantID != "admin" || len(rs.Scopes) != 3 {
				t.Errorf("resource server %+v", rs)
			}
			for _, sc := range rs.Scopes {
				if !sc.GrantedToAll || sc.Description == "" {
					t.Errorf("scope %+v", sc)
				}
			}
		}
	})

	t.Run("ForScopes", func(t *testing.T) {
		for _, c := range []struct {
			info   *tenant.Info
			scopes []string
			want   bool
		}{
			{admin, []string{"mcp:read"}, true},
			{admin, []string{"openid", "offline_access", "mcp:read", "mcp:write", "mcp:admin"}, true},
			{admin, []string{"openid", "profile", "email"}, false},
			{admin, nil, false},
			{admin, []string{"mcp:read", "tenants:read"}, false}, // mixed with the management API's
			{admin, []string{"mcp:read", "unknown"}, false},
			{acme, []string{"mcp:read"}, false},
		} {
			rs := r.ForScopes(c.info, c.scopes)
			if (rs != nil) != c.want {
				t.Errorf("ForScopes(%s, %v) = %v, want %v", c.info.Tenant.ID, c.scopes, rs, c.want)
			}
			if rs != nil && rs.Identifier != c.info.Issuer+"/mcp" {
				t.Errorf("identifier %q", rs.Identifier)
			}
		}
	})

	t.Run("Scopes", func(t *testing.T) {
		if got := r.Scopes(admin); !slices.Equal(got, []string{"mcp:read", "mcp:write", "mcp:admin"}) {
			t.Errorf("admin scopes %v", got)
		}
		if got := r.Scopes(acme); got != nil {
			t.Errorf("customer tenant scopes %v", got)
		}
	})
}
