package manage

import (
	"context"

	"github.com/authalla/authalla/internal/idp"
)

// What a bulk loader ("authalla seed") needs to write tenants the way
// CreateTenant makes them, without going through CreateTenant one tenant
// at a time.

// BuiltinResourceServer returns the built-in management resource server
// that CreateTenant gives t (with a fresh id), for the caller to store.
func (s *Service) BuiltinResourceServer(t *idp.Tenant) (*idp.ResourceServer, error) {
	return s.builtinResourceServer(t)
}

// DefaultAccount is the account tenants created from the local CLI belong
// to when none is named: the first administrator's.
func (s *Service) DefaultAccount(ctx context.Context) (string, error) {
	return s.defaultAccount(ctx)
}
