// Package view holds the JSON shapes of management objects, shared by the
// REST API, the MCP tools and the CLI.
//
// One type per object keeps the field names, their order and their
// omitempty rules identical wherever an object is shown, so that a caller
// moving between the API and the MCP tools sees one vocabulary (snake_case,
// the hosted service's names). The REST API generates its OpenAPI schemas
// from these types (the schema is named after the Go type), and the MCP
// SDK infers the tools' output schemas from them, reading the jsonschema
// tags as descriptions.
//
// The package sits above idp and manage and below every surface that
// prints: it must never import api, mcp, admin, server or app.
package view
