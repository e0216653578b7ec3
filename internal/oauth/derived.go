package oauth

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// DerivedResources are resource servers that are not stored per tenant but
// derived from the issuer a request arrived on: the admin tenant's MCP
// endpoint, whose identifier is its URL on that issuer.
type DerivedResources interface {
	// Resource returns the resource server whose identifier is id for the
	// tenant and issuer of info, or nil when there is none.
	Resource(info *tenant.Info, id string) *idp.ResourceServer
	// ForScopes returns the resource server that a request naming no
	// resource is for, when it asks for scopes of exactly one derived
	// resource server (besides OIDC scopes); nil otherwise.
	ForScopes(info *tenant.Info, scopes []string) *idp.ResourceServer
	// Scopes lists the derived scopes to advertise in the tenant's
	// discovery document (scopes_supported).
	Scopes(info *tenant.Info) []string
}

// derivedResource returns the derived resource server identified by id on
// the issuer of info, or nil (also when no DerivedResources is configured).
// Identifiers are compared as exact strings, never normalised, so the MCP
// URL on another issuer (or with a trailing slash) names no resource here.
func (p *Provider) derivedResource(info *tenant.Info, id string) *idp.ResourceServer {
	if p.derived == nil {
		return nil
	}
	rs := p.derived.Resource(info, id)
	if rs == nil || rs.Identifier != id {
		return nil
	}
	return rs
}

// derivedForScopes returns the derived resource server a request that
// names no resource is for, judged by its scopes, or nil.
func (p *Provider) derivedForScopes(info *tenant.Info, scopes []string) *idp.ResourceServer {
	if p.derived == nil {
		return nil
	}
	return p.derived.ForScopes(info, scopes)
}

// derivedScopes lists the derived scopes of the tenant of info.
func (p *Provider) derivedScopes(info *tenant.Info) []string {
	if p.derived == nil {
		return nil
	}
	return p.derived.Scopes(info)
}

// lookupResource resolves a resource identifier for the tenant and issuer
// of info: a derived resource server wins for its exact identifier, then
// the tenant's stored ones. An unknown identifier is idp.ErrNotFound.
func (p *Provider) lookupResource(ctx context.Context, info *tenant.Info, id string) (*idp.ResourceServer, error) {
	if rs := p.derivedResource(info, id); rs != nil {
		return rs, nil
	}
	return p.storedResource(ctx, info.Tenant.ID, id)
}

// onlyDerived reports whether ids is not empty and names only derived
// resource servers of the issuer of info.
func (p *Provider) onlyDerived(info *tenant.Info, ids []string) bool {
	for _, id := range ids {
		if p.derivedResource(info, id) == nil {
			return false
		}
	}
	return len(ids) > 0
}
