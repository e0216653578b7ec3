package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/authalla/authalla/internal/idp"
)

// ManagementAPI is the identifier (token `aud`) of the built-in resource
// server that protects /api/v1 on every tenant. A URN satisfies RFC 8707
// §2 (an absolute URI) and stays the same whichever host or path issuer
// the tenant is reached on.
const ManagementAPI = "urn:authalla:management"

// managementAPIName is the built-in resource server's display name.
const managementAPIName = "Authalla Management API"

// Management API scopes: what a token may do through /api/v1.
const (
	ScopeTenantsRead          = "tenants:read"
	ScopeTenantsWrite         = "tenants:write"
	ScopeClientsRead          = "clients:read"
	ScopeClientsWrite         = "clients:write"
	ScopeUsersRead            = "users:read"
	ScopeUsersWrite           = "users:write"
	ScopeResourceServersRead  = "resource-servers:read"
	ScopeResourceServersWrite = "resource-servers:write"
	ScopeKeysRead             = "keys:read"
	ScopeKeysWrite            = "keys:write"
	ScopeThemeRead            = "theme:read"
	ScopeThemeWrite           = "theme:write"
	ScopeAuditRead            = "audit:read"
)

// ManagementScopes lists every scope of the built-in resource server, in
// the order they are registered.
var ManagementScopes = []string{
	ScopeTenantsRead, ScopeTenantsWrite, ScopeClientsRead, ScopeClientsWrite,
	ScopeUsersRead, ScopeUsersWrite, ScopeResourceServersRead, ScopeResourceServersWrite,
	ScopeKeysRead, ScopeKeysWrite, ScopeThemeRead, ScopeThemeWrite, ScopeAuditRead,
}

var managementScopeText = map[string]string{
	ScopeTenantsRead:          "Read tenant settings",
	ScopeTenantsWrite:         "Create, change and delete tenants",
	ScopeClientsRead:          "Read clients",
	ScopeClientsWrite:         "Create, change and delete clients and their secrets",
	ScopeUsersRead:            "Read users, their sessions and connected apps",
	ScopeUsersWrite:           "Create, change, suspend and delete users; end their sessions",
	ScopeResourceServersRead:  "Read resource servers",
	ScopeResourceServersWrite: "Create, change and delete resource servers",
	ScopeKeysRead:             "Read signing keys",
	ScopeKeysWrite:            "Rotate signing keys",
	ScopeThemeRead:            "Read the branding",
	ScopeThemeWrite:           "Change the branding",
	ScopeAuditRead:            "Read the audit log",
}

// AdminUIClientID is the client_id of the Admin UI: a public `spa` client
// of the admin tenant (authorization code + PKCE) whose tokens are for
// ManagementAPI.
const AdminUIClientID = "authalla-admin"

// AdminUICallbackPath is the Admin UI's redirect path under an admin
// issuer.
const AdminUICallbackPath = "/admin/callback"

// builtinResourceServer is the management resource server of a tenant.
// On the admin tenant every scope is granted to all its users (what an
// administrator may do is decided by their account roles); on other
// tenants no user holds them, since only machine tokens (client
// credentials) are accepted there.
func (s *Service) builtinResourceServer(t *idp.Tenant) (*idp.ResourceServer, error) {
	id, err := s.random.ID("rs_")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	scopes := make([]idp.ResourceScope, len(ManagementScopes))
	for i, v := range ManagementScopes {
		scopes[i] = idp.ResourceScope{Value: v, Description: managementScopeText[v], GrantedToAll: t.Admin}
	}
	return &idp.ResourceServer{
		TenantID: t.ID, ID: id, Identifier: ManagementAPI, Name: managementAPIName,
		Scopes: scopes, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// EnsureBuiltins gives a tenant created before the management API existed
// what every tenant now has: the built-in management resource server and,
// on the admin tenant, the Admin UI client. It is idempotent and changes
// nothing that exists (except adding missing Admin UI redirect URIs), so
// it needs no caller identity; it is audited as the system.
func (s *Service) EnsureBuiltins(ctx context.Context, tenantID string) error {
	t, err := s.store.GetTenant(ctx, tenantID)
	if err != nil {
		return fmt.Errorf("manage: tenant %q: %w", tenantID, err)
	}
	return s.ensureBuiltins(ctx, t)
}

func (s *Service) ensureBuiltins(ctx context.Context, t *idp.Tenant) error {
	sys := Actor{Type: ActorSystem, ID: "builtin"}
	if a, ok := ActorFrom(ctx); ok {
		sys.RequestID, sys.ClientIP = a.RequestID, a.ClientIP
	}
	_, err := s.store.GetResourceServerByIdentifier(ctx, t.ID, ManagementAPI)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		r, err := s.builtinResourceServer(t)
		if err != nil {
			return err
		}
		err = s.store.CreateResourceServer(ctx, t.ID, r)
		if errors.Is(err, idp.ErrConflict) {
			break // created concurrently (another replica)
		}
		if err != nil {
			return fmt.Errorf("manage: management resource server of %s: %w", t.ID, err)
		}
		s.changed(idp.ChangeResourceServer, t.ID, r.ID)
		s.audit(ctx, sys, t.ID, "resource_server.create", "resource_server", r.ID, nil, map[string]string{"identifier": ManagementAPI})
	case err != nil:
		return fmt.Errorf("manage: management resource server of %s: %w", t.ID, err)
	}
	if t.Admin {
		err := s.ensureAdminUIClient(ctx, sys, t)
		if errors.Is(err, idp.ErrInvalid) {
			// An issuer no browser client may redirect to (plain http on
			// a non-loopback host): the install still starts, without the
			// Admin UI's sign-in.
			s.log.WarnContext(ctx, "admin UI client not registered: its redirect URI is not acceptable", "err", err)
			return nil
		}
		return err
	}
	return nil
}

// ensureAdminUIClient creates the Admin UI's public client on the admin
// tenant, or adds the callback of the current admin issuer to it.
func (s *Service) ensureAdminUIClient(ctx context.Context, sys Actor, t *idp.Tenant) error {
	iss := s.Issuer(t)
	if iss == "" {
		return nil // no issuer known (tests without one): nothing to register
	}
	return s.adminUICallbacks(ctx, sys, t, []string{iss + AdminUICallbackPath})
}

// EnsureAdminUIRedirects registers {issuer}/admin/callback on the Admin
// UI client for each of the admin tenant's issuers (the public URL and
// login.{base-domain}), creating the client if needed. The server calls
// it at start with the issuers its resolver answers on; it is idempotent.
func (s *Service) EnsureAdminUIRedirects(ctx context.Context, issuers []string) error {
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		return fmt.Errorf("manage: admin tenant: %w", err)
	}
	var callbacks []string
	for _, iss := range issuers {
		if iss != "" {
			callbacks = append(callbacks, iss+AdminUICallbackPath)
		}
	}
	sys := Actor{Type: ActorSystem, ID: "builtin"}
	return s.adminUICallbacks(ctx, sys, admin, callbacks)
}

// adminUICallbacks creates the Admin UI client with callbacks, or adds
// the missing ones.
func (s *Service) adminUICallbacks(ctx context.Context, sys Actor, t *idp.Tenant, callbacks []string) error {
	if len(callbacks) == 0 {
		return nil
	}
	c, err := s.store.GetClient(ctx, t.ID, AdminUIClientID)
	if errors.Is(err, idp.ErrNotFound) {
		now := s.clock.Now()
		c = &idp.Client{
			TenantID: t.ID, ID: AdminUIClientID, Name: "Authalla Admin UI", Type: idp.ClientSPA,
			RedirectURIs: callbacks, DefaultResourceServer: ManagementAPI,
			CreatedAt: now, UpdatedAt: now,
		}
		if err := s.validateClient(ctx, c); err != nil {
			return fmt.Errorf("manage: admin UI client: %w", err)
		}
		err = s.store.CreateClient(ctx, t.ID, c)
		if errors.Is(err, idp.ErrConflict) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("manage: admin UI client: %w", err)
		}
		s.changed(idp.ChangeClient, t.ID, c.ID)
		s.audit(ctx, sys, t.ID, "client.create", "client", c.ID, nil, map[string]string{"type": string(c.Type)})
		return nil
	}
	if err != nil {
		return fmt.Errorf("manage: admin UI client: %w", err)
	}
	missing := false
	for _, cb := range callbacks {
		if !slices.Contains(c.RedirectURIs, cb) {
			c.RedirectURIs = append(c.RedirectURIs, cb)
			missing = true
		}
	}
	if !missing {
		return nil
	}
	if err := s.validateClient(ctx, c); err != nil {
		return fmt.Errorf("manage: admin UI client: %w", err)
	}
	c.UpdatedAt = s.clock.Now()
	if err := s.store.UpdateClient(ctx, t.ID, c); err != nil {
		return fmt.Errorf("manage: admin UI client: %w", err)
	}
	s.changed(idp.ChangeClient, t.ID, c.ID)
	s.audit(ctx, sys, t.ID, "client.update", "client", c.ID, nil, nil)
	return nil
}

// ensureAllBuiltins gives every tenant that lacks it the built-in
// management resource server (at start-up). One anti-join query finds
// them, so a start on an install where every tenant already has it costs
// one query whatever the number of tenants, not a read per tenant.
// Replicas starting together may both find the same tenant: the store's
// unique (tenant, identifier) key lets one create it and the other sees
// idp.ErrConflict, which ensureBuiltins treats as done.
func (s *Service) ensureAllBuiltins(ctx context.Context) error {
	ids, err := s.store.TenantsWithoutResourceServer(ctx, ManagementAPI)
	if err != nil {
		return fmt.Errorf("manage: tenants without the management API: %w", err)
	}
	for _, id := range ids {
		err := s.EnsureBuiltins(ctx, id)
		if errors.Is(err, idp.ErrNotFound) {
			continue // deleted since
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// errBuiltin refuses changes to the built-in management resource server.
func errBuiltin(r *idp.ResourceServer) error {
	if r.Identifier != ManagementAPI {
		return nil
	}
	return fmt.Errorf("manage: the built-in %s resource server cannot be changed or deleted: %w", ManagementAPI, idp.ErrForbidden)
}

// AdminActor authenticates an administrator for the management surfaces:
// userID must be an active user of the admin tenant; the actor carries
// their account memberships. Anything else is idp.ErrNotFound (the caller
// answers invalid_token and never says why).
func (s *Service) AdminActor(ctx context.Context, userID string) (Actor, error) {
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		return Actor{}, fmt.Errorf("manage: admin tenant: %w", err)
	}
	u, err := s.store.GetUser(ctx, admin.ID, userID)
	if err != nil {
		return Actor{}, fmt.Errorf("manage: administrator: %w", err)
	}
	if u.Status != idp.UserActive {
		return Actor{}, fmt.Errorf("manage: administrator is %s: %w", u.Status, idp.ErrNotFound)
	}
	ms, err := s.store.ListMemberships(ctx, u.ID)
	if err != nil {
		return Actor{}, fmt.Errorf("manage: memberships: %w", err)
	}
	return Actor{Type: ActorUser, ID: u.ID, Memberships: ms}, nil
}

// MachineActor authenticates a machine token: clientID must be a backend
// client of tenantID that still exists (a deleted client's tokens stop
// working at once). Anything else is idp.ErrNotFound.
func (s *Service) MachineActor(ctx context.Context, tenantID, clientID string) (Actor, error) {
	c, err := s.store.GetClient(ctx, tenantID, clientID)
	if err != nil {
		return Actor{}, fmt.Errorf("manage: client: %w", err)
	}
	if c.Type != idp.ClientBackend {
		return Actor{}, fmt.Errorf("manage: client %q is not a backend client: %w", clientID, idp.ErrNotFound)
	}
	return Actor{Type: ActorClient, ID: c.ID, TenantID: tenantID}, nil
}
