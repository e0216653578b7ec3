package mcp

import (
	"encoding/json"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"
)

// registerTools adds every tool to srv. Each area's tools live in their
// own file (tools_*.go).
func (s *Server) registerTools(srv *mcpsdk.Server) {
	// Areas are added here as their files land: tenants, theme, keys,
	// audit (tools_tenants.go …), clients, users, resources, integration.
	_ = srv
}

// marshalJSON is the JSON text of a tool's structured output.
func marshalJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
