package mcp

import (
	"encoding/json"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// registerTools adds every tool to srv. Each area's tools live in their
// own file (tools_*.go).
func (s *Server) registerTools(srv *mcpsdk.Server) {
	s.registerTenantTools(srv)
	s.registerTenantStatusTools(srv)
	s.registerThemeTools(srv)
	s.registerKeyTools(srv)
	s.registerAuditTools(srv)
	s.registerEndpointTools(srv)
	s.registerClientTools(srv)
	s.registerUserTools(srv)
	s.registerResourceTools(srv)
	s.registerIntegrationTools(srv)
}

// marshalJSON is the JSON text of a tool's structured output.
func marshalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
