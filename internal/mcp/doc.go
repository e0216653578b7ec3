// Package mcp serves the Model Context Protocol endpoint of the admin
// tenant ({issuer}/mcp): Streamable HTTP through the official SDK
// (github.com/modelcontextprotocol/go-sdk), stateless, so that clients of
// the current and the two previous protocol revisions connect and any
// replica can answer any request.
//
// The endpoint is an OAuth 2.1 resource server of the admin tenant (MCP
// 2025-11-25 basic/authorization). This package, not the SDK, checks the
// bearer token (internal/bearer, audience exactly {issuer}/mcp), answers
// 401 with the RFC 9728 resource_metadata challenge, enforces each tool's
// scope before the SDK sees the request (403 insufficient_scope, RFC 6750
// §3.1), checks the Origin header and serves the protected resource
// metadata (RFC 9728 §3). The caller's token is never forwarded anywhere:
// each tool calls internal/manage in-process with the administrator's
// actor, so a tool can never do what the same user could not do through
// the REST API, and its input is validated by the same code.
//
// Tools are registered with addTool (tool.go), one file per area.
package mcp
