// Package api serves the management REST API, /api/v1, on every tenant
// host behind the tenant resolver (PRODUCT §8).
//
// Callers authenticate with bearer access tokens (RFC 6750 §2.1) whose
// audience is the built-in management resource server
// (manage.ManagementAPI):
//
//   - on the admin tenant's hosts, a token issued to an administrator (a
//     user of the admin tenant); the X-Tenant-ID header picks the tenant a
//     call works on;
//   - on any other tenant's host, a client-credentials token of one of that
//     tenant's backend clients, limited to that tenant.
//
// Every route needs one scope (RFC 6750 §3.1 insufficient_scope when the
// token lacks it). What the caller may see and change is then decided by
// internal/manage: a viewer may only read, and objects of tenants the caller
// cannot see answer 404. The API never touches the store for management
// data; every change is audited by manage.
//
// One route table (routes.go) drives both the registration on the mux and
// the OpenAPI 3.1 document served at /api/v1/openapi.json.
package api
