package mcp

// Resource server (API) tools: create_resource_server,
// add_resource_server_scope and get_resource_server, each over one manage
// operation (the REST API's rules and field names).

import (
	"fmt"
	"strings"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// resourceServerView is a resource server as the REST API shows it, led
// by its tenant.
type resourceServerView struct {
	TenantID string `json:"tenant_id"`
	view.ResourceServer
}

func viewResourceServer(r *idp.ResourceServer) resourceServerView {
	return resourceServerView{TenantID: r.TenantID, ResourceServer: view.NewResourceServer(r)}
}

func (s *Server) registerResourceTools(srv *mcpsdk.Server) {
	addTool(s, srv, toolDef{
		Name:  "create_resource_server",
		Title: "Create a resource server (API)",
		Description: `Register an API that accepts this tenant's access tokens. Its identifier is the audience: an absolute URL such as https://api.example.com (http only on localhost), which clients send as the RFC 8707 resource parameter and the API checks as the token's aud claim.
Scopes must start with the scope prefix (derived from the identifier unless you give one, e.g. https://api.example.com → "api:"), e.g. api:read. Returns the resource server. Next: create_client (with default_audience set to the identifier if the app calls this API), then generate_integration with framework express-api (or another) and audience set to the identifier. Set dry_run to preview.`,
		Scope: ScopeWrite,
	}, s.createResourceServer)

	addTool(s, srv, toolDef{
		Name:        "add_resource_server_scope",
		Title:       "Add a scope to a resource server",
		Description: `Add one permission scope to an API, e.g. orders:write. The value must start with the API's scope_prefix (see get_resource_server). Returns the resource server with all its scopes. Set dry_run to preview.`,
		Scope:       ScopeWrite,
	}, s.addResourceServerScope)

	addTool(s, srv, toolDef{
		Name:        "get_resource_server",
		Title:       "Get a resource server (API)",
		Description: `Get an API by its id or by its identifier URL: its audience, scope prefix and scopes. Use it before add_resource_server_scope, or to find the audience value for generate_integration.`,
		Scope:       ScopeRead, ReadOnly: true, Idempotent: true,
	}, s.getResourceServer)
}

// createResourceServerIn is create_resource_server's input.
type createResourceServerIn struct {
	Identifier  string       `json:"identifier" jsonschema:"The API's audience URL, e.g. https://api.example.com (http only on localhost)."`
	Name        string       `json:"name" jsonschema:"A display name, e.g. Orders API."`
	ScopePrefix string       `json:"scope_prefix,omitempty" jsonschema:"Prefix every scope starts with, e.g. orders: (omit to derive it from the identifier). It cannot change later."`
	Scopes      []view.Scope `json:"scopes,omitempty" jsonschema:"Initial scopes, e.g. [{\"value\":\"orders:read\",\"description\":\"Read orders\"}]."`
	TenantID    string       `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun      bool         `json:"dry_run,omitempty" jsonschema:"Validate and show the resource server that would be created, without creating it."`
}

// resourceServerOut is the answer of a resource-server tool.
type resourceServerOut struct {
	ResourceServer resourceServerView `json:"resource_server"`
	DryRun         bool               `json:"dry_run,omitempty"`
	verb           string
}

func (o resourceServerOut) summary() string {
	var vs []string
	for _, sc := range o.ResourceServer.Scopes {
		vs = append(vs, sc.Value)
	}
	scopes := "no scopes"
	if len(vs) > 0 {
		scopes = "scopes " + strings.Join(vs, ", ")
	}
	s := fmt.Sprintf("Resource server %q (audience %s, prefix %s, %s) %s.", o.ResourceServer.Name, o.ResourceServer.Identifier,
		o.ResourceServer.ScopePrefix, scopes, o.verb)
	if o.DryRun {
		s += " " + dryRunNote
	}
	return s
}

func (s *Server) createResourceServer(c *call, in createResourceServerIn) (resourceServerOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return resourceServerOut{}, err
	}
	r, err := s.manage.CreateResourceServer(c.dryRunCtx(in.DryRun), tid, manage.ResourceServerInput{
		Identifier: in.Identifier, Name: in.Name, ScopePrefix: in.ScopePrefix, Scopes: view.ScopesIn(in.Scopes),
	})
	if err != nil {
		return resourceServerOut{}, err
	}
	out := resourceServerOut{ResourceServer: viewResourceServer(r), DryRun: in.DryRun, verb: "created"}
	if in.DryRun {
		out.verb = "would be created"
	}
	return out, nil
}

// addScopeIn is add_resource_server_scope's input.
type addScopeIn struct {
	ResourceServer string `json:"resource_server" jsonschema:"The resource server's id or identifier URL."`
	Value          string `json:"value" jsonschema:"The scope, starting with the scope prefix, e.g. orders:write."`
	Description    string `json:"description,omitempty" jsonschema:"What it allows, shown on the consent screen."`
	TenantID       string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
	DryRun         bool   `json:"dry_run,omitempty" jsonschema:"Validate and show the change without making it."`
}

func (s *Server) addResourceServerScope(c *call, in addScopeIn) (resourceServerOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return resourceServerOut{}, err
	}
	r, err := s.manage.AddResourceServerScope(c.dryRunCtx(in.DryRun), tid, in.ResourceServer,
		idp.ResourceScope{Value: in.Value, Description: in.Description})
	if err != nil {
		return resourceServerOut{}, err
	}
	out := resourceServerOut{ResourceServer: viewResourceServer(r), DryRun: in.DryRun, verb: "now has scope " + strings.TrimSpace(in.Value)}
	if in.DryRun {
		out.verb = "would get scope " + strings.TrimSpace(in.Value)
	}
	return out, nil
}

// resourceServerRef names a resource server.
type resourceServerRef struct {
	ResourceServer string `json:"resource_server" jsonschema:"The resource server's id (rs_…) or identifier URL."`
	TenantID       string `json:"tenant_id,omitempty" jsonschema:"The tenant to work on. Omit to use the tenant chosen with select_tenant."`
}

func (s *Server) getResourceServer(c *call, in resourceServerRef) (resourceServerOut, error) {
	tid, err := c.tenant(in.TenantID)
	if err != nil {
		return resourceServerOut{}, err
	}
	r, err := s.manage.GetResourceServer(c.ctx, tid, in.ResourceServer)
	if err != nil {
		return resourceServerOut{}, err
	}
	return resourceServerOut{ResourceServer: viewResourceServer(r), verb: "found"}, nil
}
