package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// ErrKeyActive means the tenant's active key cannot be retired: another
// key must be activated first, so that the tenant can still sign. Errors
// carrying it also match idp.ErrConflict.
var ErrKeyActive = errors.New("keys: the active key cannot be retired; activate another key first")

// ErrKeyRetired means a retired key cannot be activated again: it may
// already have left relying parties' caches. Errors carrying it also
// match idp.ErrConflict.
var ErrKeyRetired = errors.New("keys: a retired key cannot be activated again")

// RetireResult reports what Retire did.
type RetireResult struct {
	// Key is the key as it was found (staged or retired).
	Key *idp.SigningKey
	// Removed is true when the key was staged and has been deleted; a
	// staged key never signed, so no token depends on it.
	Removed bool
}

// Stage creates a key of alg (empty: RS256) for tenantID in the staged
// state: it is published in the JWKS at once but does not sign. It
// becomes active through Activate, Rotate, or Maintain once it has been
// published for JWKSMaxAge (plus the cache TTL), so that relying parties
// caching the JWKS (RFC 7517 §5) know it before it signs.
func (m *Manager) Stage(ctx context.Context, tenantID, alg string) (*idp.SigningKey, error) {
	alg, err := NormalizeAlg(alg)
	if err != nil {
		return nil, err
	}
	defer m.invalidate(tenantID)
	return m.newKey(ctx, tenantID, alg, idp.KeyStaged)
}

// Activate makes the staged key kid of tenantID the active key now; the
// previous active key is retired and stays published for the retention
// period (plus the cache TTL). Unless force is set, a key published for
// less than JWKSMaxAge (plus the cache TTL) is refused with
// ErrRotationPending: relying parties holding a cached JWKS would not yet
// know it and would reject its tokens. Activating the key that is already
// active is a no-op; a retired key fails with ErrKeyRetired and an unknown
// kid with idp.ErrNotFound.
func (m *Manager) Activate(ctx context.Context, tenantID, kid string, force bool) (*RotateResult, error) {
	defer m.invalidate(tenantID)
	keys, err := m.List(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	k := find(keys, kid)
	if k == nil {
		return nil, fmt.Errorf("keys: key %s of tenant %s: %w", kid, tenantID, idp.ErrNotFound)
	}
	switch k.State {
	case idp.KeyActive:
		return &RotateResult{Activated: k}, nil
	case idp.KeyRetired:
		return nil, fmt.Errorf("%w (%w): key %s", ErrKeyRetired, idp.ErrConflict, kid)
	}
	now := m.clock.Now()
	if ready := k.CreatedAt.Add(m.publishDelay()); !force && now.Before(ready) {
		return nil, fmt.Errorf("%w (%w): key %s can sign from %s", ErrRotationPending, idp.ErrConflict, kid, ready.Format(time.RFC3339))
	}
	return m.activate(ctx, tenantID, k, active(keys), now)
}

// Retire takes kid of tenantID out of use: a staged key is deleted (it
// never signed, so no token depends on it); a retired key is left as it
// is (it is removed by Maintain after its RemoveAfter); the active key is
// refused with ErrKeyActive, since the tenant would have nothing to sign
// with. An unknown kid fails with idp.ErrNotFound.
func (m *Manager) Retire(ctx context.Context, tenantID, kid string) (*RetireResult, error) {
	defer m.invalidate(tenantID)
	keys, err := m.List(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	k := find(keys, kid)
	if k == nil {
		return nil, fmt.Errorf("keys: key %s of tenant %s: %w", kid, tenantID, idp.ErrNotFound)
	}
	switch k.State {
	case idp.KeyActive:
		return nil, fmt.Errorf("%w (%w): key %s", ErrKeyActive, idp.ErrConflict, kid)
	case idp.KeyRetired:
		return &RetireResult{Key: k}, nil
	}
	if err := m.store.DeleteSigningKey(ctx, tenantID, kid); err != nil {
		if errors.Is(err, idp.ErrInvalid) {
			// Activated by another replica since we read it.
			return nil, fmt.Errorf("%w (%w): key %s", ErrKeyActive, idp.ErrConflict, kid)
		}
		return nil, fmt.Errorf("keys: delete staged key %s: %w", kid, err)
	}
	return &RetireResult{Key: k, Removed: true}, nil
}
