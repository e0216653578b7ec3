// Package bearer verifies the JWT access tokens this server issued when
// they are presented to one of its own resource servers: the management
// REST API (/api/v1) and the MCP endpoint (/mcp).
//
// Verification is the same for both: the signature against the tenant's
// published keys only, typ at+jwt (RFC 9068 §4), the issuer the request
// arrived on, the tenant, exactly the audience the resource server is
// (RFC 8707 §2), the validity period and revocation (RFC 7009 §2). What
// the caller may then do (the actor, scopes) is the resource server's
// decision.
package bearer
