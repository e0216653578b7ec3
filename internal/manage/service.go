package manage

import (
	"context"
	"io"
	"log/slog"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
)

// KeyEnsurer is the part of the signing-key service management needs.
// *keys.Manager satisfies it.
type KeyEnsurer interface {
	// EnsureKey gives the tenant an active key of alg if it has none.
	EnsureKey(ctx context.Context, tenantID, alg string) error
	// Rotate stages a key of alg and, with immediate, activates it now.
	Rotate(ctx context.Context, tenantID, alg string, immediate bool) (*keys.RotateResult, error)
	// List returns the tenant's keys, oldest first.
	List(ctx context.Context, tenantID string) ([]idp.SigningKey, error)
	// Stage creates a published, not yet signing key of alg.
	Stage(ctx context.Context, tenantID, alg string) (*idp.SigningKey, error)
	// Activate makes the staged key kid active now, retiring the previous
	// one; without force a key published for less than the JWKS max-age
	// is refused.
	Activate(ctx context.Context, tenantID, kid string, force bool) (*keys.RotateResult, error)
	// Retire removes a staged key; a retired key is left as it is and the
	// active key is refused.
	Retire(ctx context.Context, tenantID, kid string) (*keys.RetireResult, error)
}

// Options are the Service's dependencies.
type Options struct {
	Store store.Store
	Keys  KeyEnsurer
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
	// Random defaults to crypto/rand.
	Random secret.Source
	// Issuer returns the issuer URL shown for a tenant; nil shows none.
	Issuer func(*idp.Tenant) string
	// OnChange is called after every committed write of something nodes
	// cache (tenants, clients with their secrets and redirect URIs,
	// signing keys, resource servers, the theme, users' status, revoked
	// grants), so that the caches of every node drop it (the change bus,
	// internal/changes). It must not block for long. May be nil.
	OnChange func(idp.Change)
	// Log receives failures that must not fail an operation already
	// committed (an audit record that could not be written). Default: discard.
	Log *slog.Logger
}

// Service runs management operations. It is safe for concurrent use.
type Service struct {
	store    store.Store
	keys     KeyEnsurer
	clock    idp.Clock
	random   secret.Source
	issuer   func(*idp.Tenant) string
	onChange func(idp.Change)
	log      *slog.Logger
}

// New builds a Service. Store and Keys are required (New panics without
// them: that is a wiring bug).
func New(o Options) *Service {
	if o.Store == nil || o.Keys == nil {
		panic("manage: New needs a Store and Keys")
	}
	s := &Service{store: o.Store, keys: o.Keys, clock: o.Clock, random: o.Random, issuer: o.Issuer, onChange: o.OnChange, log: o.Log}
	if s.clock == nil {
		s.clock = idp.SystemClock{}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return s
}

// Issuer returns the issuer URL shown for t ("" when the service was built
// without an Issuer function).
func (s *Service) Issuer(t *idp.Tenant) string {
	if s.issuer == nil || t == nil {
		return ""
	}
	return s.issuer(t)
}

// changed announces a committed change of kind in tenantID: one object
// (id) or, with id "", every object of the kind in the tenant.
func (s *Service) changed(kind idp.ChangeKind, tenantID, id string) {
	if s.onChange != nil {
		s.onChange(idp.Change{Kind: kind, TenantID: tenantID, ID: id})
	}
}
