// Package integration generates the code that connects an application to an
// Authalla tenant: complete files, environment values, install and run
// commands, and the redirect URIs and browser origins the tenant must have
// registered. The MCP tool generate_integration and the agent skill's
// framework references (skills/authalla/references) both come from
// Generate, so what an assistant writes and what the skill teaches agree.
//
// The code follows OAuth 2.1 (draft-ietf-oauth-v2-1) and the security BCP
// (RFC 9700): authorization code with PKCE S256 only, state and nonce on
// every request, exact redirect URIs, tokens never in browser storage or
// URLs, no implicit flow. Secrets are never part of the output: they appear
// as placeholders that the developer fills in.
//
// The package is a leaf: the standard library plus its embedded templates.
package integration
