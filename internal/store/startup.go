package store

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

// Startup reads what a starting server checks before it serves.
type Startup interface {
	// StartupState reads, in one go, the admin tenant with what it must
	// hold and the first tenants of the install (see StartupState). On
	// PostgreSQL the reads travel together (one batch) instead of a round
	// trip each, which is most of a restart's time before it can serve.
	// The state is read without a transaction: a caller that finds
	// something missing acts through the ordinary, idempotent methods.
	StartupState(ctx context.Context, q StartupQuery) (*StartupState, error)
}

// StartupQuery names what StartupState reads.
type StartupQuery struct {
	// ResourceServer is the identifier of the resource server every tenant
	// must have (the built-in management API).
	ResourceServer string
	// AdminClients are ids of clients of the admin tenant to read.
	AdminClients []string
	// Tenants is how many tenants, ordered by id, to list (0: none).
	Tenants int
}

// StartupState is the answer to a StartupQuery. When the install has no
// admin tenant, Admin is nil and every other field about it is empty.
type StartupState struct {
	// Admin is the admin tenant (admin = true), or nil.
	Admin *idp.Tenant
	// AdminKeys are the admin tenant's signing keys, as ListSigningKeys
	// returns them.
	AdminKeys []idp.SigningKey
	// AdminResourceServer is the admin tenant's resource server with
	// StartupQuery.ResourceServer as identifier, or nil.
	AdminResourceServer *idp.ResourceServer
	// AdminClients holds the clients of StartupQuery.AdminClients that
	// exist, by id.
	AdminClients map[string]*idp.Client
	// AdminUsers is the number of users of the admin tenant.
	AdminUsers int
	// TenantsWithoutResourceServer are, ordered, the ids of the tenants
	// with no resource server of identifier StartupQuery.ResourceServer
	// (as TenantsWithoutResourceServer returns them).
	TenantsWithoutResourceServer []string
	// Tenants are the first StartupQuery.Tenants tenants ordered by id,
	// and TenantTotal the number of all tenants.
	Tenants     []idp.Tenant
	TenantTotal int
}
