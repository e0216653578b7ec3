package api

import (
	"net/http"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// openAPIPath serves the OpenAPI document (no authentication).
const openAPIPath = "/api/v1/openapi.json"

// route is one API operation: the single source of truth for the mux
// registration, the authorization check and the OpenAPI document.
type route struct {
	Method string
	Path   string // Go 1.22 pattern path, e.g. /api/v1/clients/{id}
	// Scope is the management scope the token must carry; "" means any
	// valid management token (GET /me).
	Scope string
	// Tenant marks operations on one tenant's objects: admin tokens name
	// it with X-Tenant-ID, machine tokens work on their own tenant.
	Tenant  bool
	Tag     string
	Summary string
	// Description adds detail to the OpenAPI operation (risks, refusals).
	Description string
	// Status is the success status (204 has no body).
	Status int
	// Query lists the query parameters.
	Query []param
	// Request and Response are values of the body types (nil: none); the
	// OpenAPI schemas are generated from them.
	Request  any
	Response any
	// RawBody names the media types of a non-JSON request body.
	RawBody []string
	Handle  func(h *Handler, r *http.Request, c *call) (any, error)
}

// param is a query parameter.
type param struct {
	Name, Type, Description string
}

var pageParams = []param{
	{"limit", "integer", "Items per page (default 50, at most 200)."},
	{"offset", "integer", "Items to skip."},
}

// listOf describes a list answer for the OpenAPI document: the items
// under key, with total, limit and offset.
type listOf struct {
	Key  string
	Item any
}

// routeTable lists every operation of /api/v1.
func routeTable() []route {
	const (
		ok      = http.StatusOK
		created = http.StatusCreated
		none    = http.StatusNoContent
	)
	return []route{
		{Method: "GET", Path: "/api/v1/me", Tag: "me", Summary: "The caller: an administrator with their accounts and roles, or a machine client with its tenant", Status: ok, Response: meView{}, Handle: (*Handler).me},

		{Method: "GET", Path: "/api/v1/tenants", Scope: manage.ScopeTenantsRead, Tag: "tenants", Summary: "List the tenants the caller can see", Status: ok, Query: pageParams, Response: listOf{"tenants", view.Tenant{}}, Handle: (*Handler).listTenants},
		{Method: "POST", Path: "/api/v1/tenants", Scope: manage.ScopeTenantsWrite, Tag: "tenants", Summary: "Create a tenant (administrators only)", Status: created, Request: tenantCreate{}, Response: view.Tenant{}, Handle: (*Handler).createTenant},
		{Method: "GET", Path: "/api/v1/tenants/{id}", Scope: manage.ScopeTenantsRead, Tag: "tenants", Summary: "Get a tenant", Status: ok, Response: view.Tenant{}, Handle: (*Handler).getTenant},
		{Method: "PATCH", Path: "/api/v1/tenants/{id}", Scope: manage.ScopeTenantsWrite, Tag: "tenants", Summary: "Change a tenant's settings (only the fields given)", Status: ok, Request: tenantPatch{}, Response: view.Tenant{}, Handle: (*Handler).updateTenant},
		{Method: "POST", Path: "/api/v1/tenants/{id}/suspend", Scope: manage.ScopeTenantsWrite, Tag: "tenants", Summary: "Suspend a tenant: its issuer refuses every request (sign-in, tokens, introspection, discovery, JWKS) until it is resumed; the admin tenant cannot be suspended", Status: ok, Response: view.Tenant{}, Handle: (*Handler).suspendTenant},
		{Method: "POST", Path: "/api/v1/tenants/{id}/resume", Scope: manage.ScopeTenantsWrite, Tag: "tenants", Summary: "Resume a suspended tenant: its issuer serves again, with its users, clients and keys as they were", Status: ok, Response: view.Tenant{}, Handle: (*Handler).resumeTenant},
		{Method: "DELETE", Path: "/api/v1/tenants/{id}", Scope: manage.ScopeTenantsWrite, Tag: "tenants", Summary: "Delete a tenant and everything it owns (administrators only)", Status: none, Handle: (*Handler).deleteTenant},

		{Method: "GET", Path: "/api/v1/clients", Scope: manage.ScopeClientsRead, Tenant: true, Tag: "clients", Summary: "List the tenant's clients", Status: ok, Query: pageParams, Response: listOf{"clients", view.Client{}}, Handle: (*Handler).listClients},
		{Method: "POST", Path: "/api/v1/clients", Scope: manage.ScopeClientsWrite, Tenant: true, Tag: "clients", Summary: "Register a client; a confidential client's first secret is returned once", Status: created, Request: clientCreate{}, Response: clientCreated{}, Handle: (*Handler).createClient},
		{Method: "GET", Path: "/api/v1/clients/{id}", Scope: manage.ScopeClientsRead, Tenant: true, Tag: "clients", Summary: "Get a client", Status: ok, Response: view.Client{}, Handle: (*Handler).getClient},
		{Method: "PATCH", Path: "/api/v1/clients/{id}", Scope: manage.ScopeClientsWrite, Tenant: true, Tag: "clients", Summary: "Change a client, including its redirect and logout URIs", Status: ok, Request: clientPatch{}, Response: view.Client{}, Handle: (*Handler).updateClient},
		{Method: "DELETE", Path: "/api/v1/clients/{id}", Scope: manage.ScopeClientsWrite, Tenant: true, Tag: "clients", Summary: "Delete a client with its secrets and grants", Status: none, Handle: (*Handler).deleteClient},
		{Method: "GET", Path: "/api/v1/clients/{id}/secrets", Scope: manage.ScopeClientsRead, Tenant: true, Tag: "clients", Summary: "List a client's secrets (ids and hints only)", Status: ok, Response: listOf{"secrets", view.Secret{}}, Handle: (*Handler).listSecrets},
		{Method: "POST", Path: "/api/v1/clients/{id}/secrets", Scope: manage.ScopeClientsWrite, Tenant: true, Tag: "clients", Summary: "Add a secret to a confidential client; its value is returned once", Status: created, Response: newSecretView{}, Handle: (*Handler).addSecret},
		{Method: "DELETE", Path: "/api/v1/clients/{id}/secrets/{secret_id}", Scope: manage.ScopeClientsWrite, Tenant: true, Tag: "clients", Summary: "Delete one secret of a client", Status: none, Handle: (*Handler).deleteSecret},

		{Method: "GET", Path: "/api/v1/users", Scope: manage.ScopeUsersRead, Tenant: true, Tag: "users", Summary: "List or search the tenant's users", Status: ok,
			Query: append([]param{{"search", "string", "Case-insensitive substring of the email or name; a whole email address matches that address only."}}, pageParams...), Response: listOf{"users", view.User{}}, Handle: (*Handler).listUsers},
		{Method: "POST", Path: "/api/v1/users", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "Create a user", Status: created, Request: userCreate{}, Response: view.User{}, Handle: (*Handler).createUser},
		{Method: "GET", Path: "/api/v1/users/{id}", Scope: manage.ScopeUsersRead, Tenant: true, Tag: "users", Summary: "Get a user", Status: ok, Response: view.User{}, Handle: (*Handler).getUser},
		{Method: "PATCH", Path: "/api/v1/users/{id}", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "Change a user (only the fields given)", Status: ok, Request: userPatch{}, Response: view.User{}, Handle: (*Handler).updateUser},
		{Method: "DELETE", Path: "/api/v1/users/{id}", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "Delete a user with their sessions, grants and consents", Status: none, Handle: (*Handler).deleteUser},
		{Method: "POST", Path: "/api/v1/users/{id}/suspend", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "Suspend a user: their sessions end and their tokens are revoked", Status: ok, Response: view.User{}, Handle: (*Handler).suspendUser},
		{Method: "GET", Path: "/api/v1/users/{id}/sessions", Scope: manage.ScopeUsersRead, Tenant: true, Tag: "users", Summary: "List a user's live sessions", Status: ok, Response: listOf{"sessions", sessionView{}}, Handle: (*Handler).listSessions},
		{Method: "DELETE", Path: "/api/v1/users/{id}/sessions", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "End every session of a user", Status: ok, Response: revokedView{}, Handle: (*Handler).revokeSessions},
		{Method: "GET", Path: "/api/v1/users/{id}/connected-apps", Scope: manage.ScopeUsersRead, Tenant: true, Tag: "users", Summary: "List the clients a user has consented to or holds tokens for", Status: ok, Response: listOf{"connected_apps", connectedAppView{}}, Handle: (*Handler).listConnectedApps},
		{Method: "DELETE", Path: "/api/v1/users/{id}/connected-apps/{client_id}", Scope: manage.ScopeUsersWrite, Tenant: true, Tag: "users", Summary: "Disconnect a user from a client: consent removed, tokens revoked", Status: none, Handle: (*Handler).revokeConnectedApp},

		{Method: "GET", Path: "/api/v1/resource-servers", Scope: manage.ScopeResourceServersRead, Tenant: true, Tag: "resource-servers", Summary: "List the tenant's resource servers (APIs)", Status: ok, Query: pageParams, Response: listOf{"resource_servers", view.ResourceServer{}}, Handle: (*Handler).listResourceServers},
		{Method: "POST", Path: "/api/v1/resource-servers", Scope: manage.ScopeResourceServersWrite, Tenant: true, Tag: "resource-servers", Summary: "Register a resource server", Status: created, Request: resourceServerCreate{}, Response: view.ResourceServer{}, Handle: (*Handler).createResourceServer},
		{Method: "GET", Path: "/api/v1/resource-servers/{id}", Scope: manage.ScopeResourceServersRead, Tenant: true, Tag: "resource-servers", Summary: "Get a resource server", Status: ok, Response: view.ResourceServer{}, Handle: (*Handler).getResourceServer},
		{Method: "PATCH", Path: "/api/v1/resource-servers/{id}", Scope: manage.ScopeResourceServersWrite, Tenant: true, Tag: "resource-servers", Summary: "Rename a resource server or replace its scopes", Status: ok, Request: resourceServerPatch{}, Response: view.ResourceServer{}, Handle: (*Handler).updateResourceServer},
		{Method: "DELETE", Path: "/api/v1/resource-servers/{id}", Scope: manage.ScopeResourceServersWrite, Tenant: true, Tag: "resource-servers", Summary: "Delete a resource server", Status: none, Handle: (*Handler).deleteResourceServer},
		{Method: "POST", Path: "/api/v1/resource-servers/{id}/scopes", Scope: manage.ScopeResourceServersWrite, Tenant: true, Tag: "resource-servers", Summary: "Add a scope to a resource server", Status: created, Request: view.Scope{}, Response: view.ResourceServer{}, Handle: (*Handler).addScope},

		{Method: "GET", Path: "/api/v1/signing-keys", Scope: manage.ScopeKeysRead, Tenant: true, Tag: "signing-keys", Summary: "List the tenant's signing keys (public parts)", Status: ok, Response: listOf{"signing_keys", signingKeyView{}}, Handle: (*Handler).listKeys},
		{Method: "POST", Path: "/api/v1/signing-keys", Scope: manage.ScopeKeysWrite, Tenant: true, Tag: "signing-keys", Summary: "Stage a new key (default: the tenant's algorithm): published in the JWKS at once, not signing", Status: created, Request: stageRequest{}, Response: signingKeyView{}, Handle: (*Handler).stageKey},
		{Method: "POST", Path: "/api/v1/signing-keys/{kid}/activate", Scope: manage.ScopeKeysWrite, Tenant: true, Tag: "signing-keys", Summary: "Make a staged key the active signing key now; the previous key is retired and stays published", Description: activateRisk, Status: ok, Request: activateRequest{}, Response: rotateView{}, Handle: (*Handler).activateKey},
		{Method: "POST", Path: "/api/v1/signing-keys/{kid}/retire", Scope: manage.ScopeKeysWrite, Tenant: true, Tag: "signing-keys", Summary: "Retire a key: a staged key is removed (it never signed); a retired key is left as it is; the active key is refused (409 key_active)", Status: ok, Response: retireView{}, Handle: (*Handler).retireKey},
		{Method: "POST", Path: "/api/v1/signing-keys/rotate", Scope: manage.ScopeKeysWrite, Tenant: true, Tag: "signing-keys", Summary: "Run one step of the staged rotation (stage, activate, retire); immediate activates a new key at once", Status: ok, Request: rotateRequest{}, Response: rotateView{}, Handle: (*Handler).rotateKey},

		{Method: "GET", Path: "/api/v1/theme", Scope: manage.ScopeThemeRead, Tenant: true, Tag: "theme", Summary: "Get the tenant's branding", Status: ok, Response: view.Theme{}, Handle: (*Handler).getTheme},
		{Method: "PATCH", Path: "/api/v1/theme", Scope: manage.ScopeThemeWrite, Tenant: true, Tag: "theme", Summary: "Change the branding (only the fields given)", Status: ok, Request: themePatch{}, Response: view.Theme{}, Handle: (*Handler).updateTheme},
		{Method: "DELETE", Path: "/api/v1/theme", Scope: manage.ScopeThemeWrite, Tenant: true, Tag: "theme", Summary: "Reset the branding to the defaults", Status: ok, Response: view.Theme{}, Handle: (*Handler).resetTheme},
		{Method: "PUT", Path: "/api/v1/theme/{kind}", Scope: manage.ScopeThemeWrite, Tenant: true, Tag: "theme", Summary: "Upload the logo or the icon (kind = logo or icon; PNG, JPEG or WebP, at most 256 KiB)", Status: ok,
			RawBody: []string{"image/png", "image/jpeg", "image/webp"}, Response: view.Theme{}, Handle: (*Handler).uploadThemeImage},

		{Method: "GET", Path: "/api/v1/audit-events", Scope: manage.ScopeAuditRead, Tenant: true, Tag: "audit", Summary: "List the tenant's audit events, newest first", Status: ok,
			Query: append([]param{
				{"action", "string", "Only this action, e.g. client.create."},
				{"actor", "string", "Only this actor id."},
				{"since", "string", "RFC 3339 time: events at or after it."},
				{"until", "string", "RFC 3339 time: events at or before it."},
			}, pageParams...), Response: listOf{"audit_events", view.AuditEvent{}}, Handle: (*Handler).listAudit},
	}
}

// Operation describes one route of the API, for callers that drive it
// (tests, the CLI, documentation).
type Operation struct {
	Method string
	Path   string
	// Scope is the management scope needed ("" for any valid token).
	Scope string
	// Tenant reports whether the operation works on one tenant (selected
	// with X-Tenant-ID by admin tokens).
	Tenant bool
	// Status is the success status.
	Status  int
	Summary string
}

// Operations lists every route of the table, in order.
func Operations() []Operation {
	rs := routeTable()
	out := make([]Operation, len(rs))
	for i, r := range rs {
		out[i] = Operation{Method: r.Method, Path: r.Path, Scope: r.Scope, Tenant: r.Tenant, Status: r.Status, Summary: r.Summary}
	}
	return out
}
