// Package oauth implements the OAuth 2.1 / OpenID Connect protocol
// endpoints of a tenant: discovery (OIDC Discovery 1.0, RFC 8414), JWKS,
// authorize, token (grant_*.go), userinfo, introspection (RFC 7662),
// revocation (RFC 7009) and PUT /oauth2/me. It never renders HTML and never
// runs SQL: pages come from the login package, data from the store.
package oauth
