// Package admin is the Admin UI: server-rendered management pages served
// on the admin tenant's hosts under /admin/.
//
// The UI is an OAuth client of the admin tenant (the public `spa` client
// manage.AdminUIClientID). It signs administrators in with the
// authorization code flow, PKCE (RFC 7636), state and nonce against the
// tenant's own /oauth2/authorize, exchanges the code by calling the
// server's token endpoint in-process, and keeps the access token (audience
// manage.ManagementAPI) sealed in an HttpOnly cookie. Every page acts
// through internal/manage with the actor built from the token's subject,
// as the REST API does: roles and tenant visibility are manage's decision.
//
// Every form POST is checked with httpx.CheckCSRF and answers 303 See
// Other (success, or a flash with the field error and the submitted
// values). Pages carry the hosted pages' security headers and a
// nonce-based CSP; the only scripts are same-origin files.
package admin
