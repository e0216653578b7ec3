// Package tenant maps a request to its tenant and issuer, once per request,
// and carries the result in the context. The issuer always comes from
// configuration: the request's Host (or a trusted proxy's X-Forwarded-Host)
// only selects among configured URLs, and an unknown host is a 404, never a
// default tenant.
package tenant
