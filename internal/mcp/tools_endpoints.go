package mcp

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
)

// endpointsView are the URLs of a tenant's protocol endpoints under one
// issuer (the paths of internal/oauth's routes).
type endpointsView struct {
	Issuer        string `json:"issuer" jsonschema:"The exact issuer: the iss of tokens and what OIDC libraries are configured with."`
	Discovery     string `json:"discovery" jsonschema:"OpenID Connect Discovery document (OIDC Discovery 1.0 §4)."`
	ASMetadata    string `json:"authorization_server_metadata" jsonschema:"The same document at its RFC 8414 location."`
	JWKS          string `json:"jwks_uri" jsonschema:"Public keys to verify tokens."`
	Authorization string `json:"authorization_endpoint"`
	Token         string `json:"token_endpoint"`
	UserInfo      string `json:"userinfo_endpoint"`
	Introspection string `json:"introspection_endpoint"`
	Revocation    string `json:"revocation_endpoint"`
	EndSession    string `json:"end_session_endpoint" jsonschema:"RP-initiated logout."`
	LoginPage     string `json:"login_page"`
}

func endpoints(issuer string) endpointsView {
	return endpointsView{
		Issuer: issuer, Discovery: issuer + "/.well-known/openid-configuration",
		ASMetadata: asMetadataURL(issuer), JWKS: issuer + "/.well-known/jwks.json",
		Authorization: issuer + "/oauth2/authorize", Token: issuer + "/oauth2/token", UserInfo: issuer + "/oauth2/userinfo",
		Introspection: issuer + "/oauth2/introspect", Revocation: issuer + "/oauth2/revoke",
		EndSession: issuer + "/oauth2/logout", LoginPage: issuer + "/oauth2/login",
	}
}

// asMetadataURL is where RFC 8414 §3.1 puts an issuer's metadata: the
// well-known segment between the host and the issuer's path (for a path
// issuer {public}/t/{id}: {public}/.well-known/oauth-authorization-server/t/{id}).
func asMetadataURL(issuer string) string {
	const wk = "/.well-known/oauth-authorization-server"
	u, err := url.Parse(issuer)
	if err != nil || u.Path == "" || u.Path == "/" {
		return strings.TrimSuffix(issuer, "/") + wk
	}
	return u.Scheme + "://" + u.Host + wk + u.Path
}

type endpointsOut struct {
	TenantID string `json:"tenant_id"`
	endpointsView
	Alternatives []endpointsView `json:"alternatives" jsonschema:"The same tenant under its other issuer forms (host-based and path-based). Each is a distinct issuer: an app must use one consistently."`
}

func (o endpointsOut) summary() string {
	return fmt.Sprintf("Tenant %s: issuer %s, discovery %s.", o.TenantID, o.Issuer, o.Discovery)
}

func (s *Server) registerEndpointTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name: "get_tenant_endpoints", Title: "Get tenant endpoints", Scope: ScopeRead, ReadOnly: true, Idempotent: true,
		Description: "Returns a tenant's issuer and protocol endpoint URLs (discovery, JWKS, authorize, token, userinfo, introspection, revocation, logout, login page), first for its preferred issuer, then for its other issuer forms. Configure apps with the issuer; OIDC libraries discover the rest. generate_integration fills these in for you.",
	}, s.getEndpoints)
}

func (s *Server) getEndpoints(c *call, in tenantIn) (endpointsOut, error) {
	id, err := c.tenant(in.TenantID)
	if err != nil {
		return endpointsOut{}, err
	}
	t, err := s.manage.GetTenant(c.ctx, id)
	if err != nil {
		return endpointsOut{}, err
	}
	out := endpointsOut{TenantID: id, endpointsView: endpoints(t.Issuer), Alternatives: []endpointsView{}}
	for _, iss := range s.issuers(t.Tenant) {
		if iss != t.Issuer && !slices.ContainsFunc(out.Alternatives, func(e endpointsView) bool { return e.Issuer == iss }) {
			out.Alternatives = append(out.Alternatives, endpoints(iss))
		}
	}
	return out, nil
}

// issuers lists every issuer t is served at (Options.Issuers), or none.
func (s *Server) issuers(t *idp.Tenant) []string {
	if s.issuersOf == nil {
		return nil
	}
	return s.issuersOf(t)
}
