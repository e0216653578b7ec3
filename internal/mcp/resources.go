package mcp

import (
	"slices"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// Resources tells the authorization server about the MCP endpoint as a
// resource server: it is not stored per tenant but derived from the issuer
// a request arrives on (the admin tenant's URL plus /mcp). It satisfies
// oauth.DerivedResources.
type Resources struct{}

// oidcScopes may accompany the MCP scopes in a request that names no
// resource (OIDC Core §5.4, §11).
var oidcScopes = []string{"openid", "profile", "email", "offline_access"}

// scopeDescriptions are shown on the consent page.
var scopeDescriptions = map[string]string{
	ScopeRead:  "Read your tenants, apps, users, branding, keys and audit log",
	ScopeWrite: "Create and change tenants, apps, users, APIs and branding",
	ScopeAdmin: "Delete apps, suspend users, add secrets and rotate signing keys",
}

// resourceServer is the MCP endpoint on the issuer of info, or nil on any
// tenant other than the admin tenant.
func resourceServer(info *tenant.Info) *idp.ResourceServer {
	if info == nil || info.Tenant == nil || !info.Tenant.Admin {
		return nil
	}
	rs := &idp.ResourceServer{
		TenantID: info.Tenant.ID, ID: "mcp", Identifier: Resource(info), Name: "Authalla MCP server", ScopePrefix: "mcp:",
	}
	for _, sc := range Scopes {
		// Every administrator may be granted every MCP scope; what they
		// can do is decided by their account role (issue 4 contract).
		rs.Scopes = append(rs.Scopes, idp.ResourceScope{Value: sc, Description: scopeDescriptions[sc], GrantedToAll: true})
	}
	return rs
}

// Resource returns the MCP resource server when id is exactly the MCP
// endpoint's URL on the issuer of info (RFC 8707 §2; the URL on another
// issuer is another resource), else nil.
func (Resources) Resource(info *tenant.Info, id string) *idp.ResourceServer {
	rs := resourceServer(info)
	if rs == nil || rs.Identifier != id {
		return nil
	}
	return rs
}

// ForScopes returns the MCP resource server for a request that names no
// resource but asks for MCP scopes and nothing else besides OIDC scopes
// (MCP clients often omit resource); nil otherwise.
func (Resources) ForScopes(info *tenant.Info, scopes []string) *idp.ResourceServer {
	rs := resourceServer(info)
	if rs == nil {
		return nil
	}
	mcpScope := false
	for _, sc := range scopes {
		switch {
		case slices.Contains(Scopes, sc):
			mcpScope = true
		case !slices.Contains(oidcScopes, sc):
			return nil
		}
	}
	if !mcpScope {
		return nil
	}
	return rs
}

// Scopes lists the MCP scopes on the admin tenant (for its discovery
// document's scopes_supported), none elsewhere.
func (Resources) Scopes(info *tenant.Info) []string {
	if resourceServer(info) == nil {
		return nil
	}
	return slices.Clone(Scopes)
}
