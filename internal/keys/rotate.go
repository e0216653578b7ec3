package keys

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// List returns every key of the tenant still in the store, oldest first.
func (m *Manager) List(ctx context.Context, tenantID string) ([]idp.SigningKey, error) {
	keys, err := m.store.ListSigningKeys(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("keys: list keys of tenant %s: %w", tenantID, err)
	}
	return keys, nil
}

// find returns the key with kid, or nil.
func find(keys []idp.SigningKey, kid string) *idp.SigningKey {
	for i := range keys {
		if keys[i].ID == kid {
			return &keys[i]
		}
	}
	return nil
}

// active returns the tenant's active key, or nil.
func active(keys []idp.SigningKey) *idp.SigningKey {
	for i := range keys {
		if keys[i].State == idp.KeyActive {
			return &keys[i]
		}
	}
	return nil
}

// newestStaged returns the most recently created staged key, or nil.
func newestStaged(keys []idp.SigningKey) *idp.SigningKey {
	var out *idp.SigningKey
	for i := range keys {
		k := &keys[i]
		if k.State == idp.KeyStaged && (out == nil || k.CreatedAt.After(out.CreatedAt)) {
			out = k
		}
	}
	return out
}

// EnsureKey gives tenantID an active key of alg (empty: RS256) if it has
// none. It is idempotent and safe under concurrency: the store admits one
// active key per tenant, so a caller that loses the race sees a conflict,
// re-reads, and finds the winner's key.
func (m *Manager) EnsureKey(ctx context.Context, tenantID, alg string) error {
	alg, err := NormalizeAlg(alg)
	if err != nil {
		return err
	}
	keys, err := m.List(ctx, tenantID)
	if err != nil {
		return err
	}
	if active(keys) != nil {
		return nil
	}
	_, err = m.newKey(ctx, tenantID, alg, idp.KeyActive)
	m.invalidate(tenantID)
	if err == nil {
		return nil
	}
	if !errors.Is(err, idp.ErrConflict) {
		return err
	}
	if keys, lerr := m.List(ctx, tenantID); lerr == nil && active(keys) != nil {
		return nil
	}
	return err
}

// Rotate moves tenantID one step through a staged rotation (RFC 7517 §5
// consumers cache the JWKS, so a key must be published before it signs,
// and stay published while tokens it signed live):
//
//   - no active key: create one of alg, active at once;
//   - immediate: create a key of alg and activate it at once (for a
//     compromised key); the old key is retired but stays published;
//   - a staged key of alg published for at least JWKSMaxAge (plus the cache
//     TTL): activate it, retiring the old key with RemoveAfter = now +
//     Retention (plus the cache TTL);
//   - a staged key of alg published for less: ErrRotationPending;
//   - otherwise: stage a new key of alg (published, not signing), replacing
//     any staged key of another algorithm.
//
// Every step keeps at least one key in the JWKS.
func (m *Manager) Rotate(ctx context.Context, tenantID, alg string, immediate bool) (*RotateResult, error) {
	alg, err := NormalizeAlg(alg)
	if err != nil {
		return nil, err
	}
	defer m.invalidate(tenantID)
	keys, err := m.List(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	now := m.clock.Now()
	cur := active(keys)
	if cur == nil {
		k, err := m.newKey(ctx, tenantID, alg, idp.KeyActive)
		if err != nil {
			return nil, err
		}
		return &RotateResult{Activated: k}, nil
	}

	staged := newestStaged(keys)
	if immediate {
		k, err := m.newKey(ctx, tenantID, alg, idp.KeyStaged)
		if err != nil {
			return nil, err
		}
		// Older staged keys never signed; removing them keeps Maintain from
		// activating one of them over the key made here.
		if err := m.dropStaged(ctx, tenantID, keys, ""); err != nil {
			return nil, err
		}
		res, err := m.activate(ctx, tenantID, k, cur, now)
		if res != nil {
			res.Staged = k
		}
		return res, err
	}
	if staged != nil && staged.Alg == alg {
		if ready := staged.CreatedAt.Add(m.publishDelay()); now.Before(ready) {
			// Also idp.ErrConflict, so that the HTTP error mapper answers 409.
			return nil, fmt.Errorf("%w (%w): key %s can sign from %s", ErrRotationPending, idp.ErrConflict, staged.ID, ready.Format(time.RFC3339))
		}
		if err := m.dropStaged(ctx, tenantID, keys, staged.ID); err != nil {
			return nil, err
		}
		return m.activate(ctx, tenantID, staged, cur, now)
	}
	if err := m.dropStaged(ctx, tenantID, keys, ""); err != nil {
		return nil, err
	}
	k, err := m.newKey(ctx, tenantID, alg, idp.KeyStaged)
	if err != nil {
		return nil, err
	}
	return &RotateResult{Staged: k}, nil
}

// activate makes the staged key k active, retiring prev, and reports the
// records as stored afterwards.
func (m *Manager) activate(ctx context.Context, tenantID string, k, prev *idp.SigningKey, now time.Time) (*RotateResult, error) {
	if err := m.store.ActivateSigningKey(ctx, tenantID, k.ID, now, now.Add(m.retainFor())); err != nil {
		return nil, fmt.Errorf("keys: activate key %s: %w", k.ID, err)
	}
	res := &RotateResult{Activated: k, Retired: prev}
	if keys, err := m.List(ctx, tenantID); err == nil {
		if a := find(keys, k.ID); a != nil {
			res.Activated = a
		}
		if prev != nil {
			if r := find(keys, prev.ID); r != nil {
				res.Retired = r
			}
		}
	}
	return res, nil
}

// dropStaged deletes every staged key but keep. Staged keys never signed,
// so removing them cannot invalidate a token.
func (m *Manager) dropStaged(ctx context.Context, tenantID string, keys []idp.SigningKey, keep string) error {
	for _, k := range keys {
		if k.State != idp.KeyStaged || k.ID == keep {
			continue
		}
		if err := m.store.DeleteSigningKey(ctx, tenantID, k.ID); err != nil && !errors.Is(err, idp.ErrNotFound) {
			return fmt.Errorf("keys: delete staged key %s: %w", k.ID, err)
		}
	}
	return nil
}

// Maintain advances tenantID's rotation on its own: it activates the newest
// staged key once it has been published for JWKSMaxAge (plus the cache
// TTL), and deletes retired keys past RemoveAfter, but only while an
// active key remains so the JWKS is never empty. Races with other replicas
// are harmless: a key another replica already activated or deleted is
// skipped. A change it made is announced to Options.OnChange.
func (m *Manager) Maintain(ctx context.Context, tenantID string) error {
	keys, err := m.List(ctx, tenantID)
	if err != nil {
		return err
	}
	now := m.clock.Now()
	changed := false
	defer func() {
		if changed {
			m.invalidate(tenantID)
			if m.onChange != nil {
				m.onChange(idp.Change{Kind: idp.ChangeKeys, TenantID: tenantID})
			}
		}
	}()

	if staged := newestStaged(keys); staged != nil && !now.Before(staged.CreatedAt.Add(m.publishDelay())) {
		if err := m.dropStaged(ctx, tenantID, keys, staged.ID); err != nil {
			return err
		}
		err := m.store.ActivateSigningKey(ctx, tenantID, staged.ID, now, now.Add(m.retainFor()))
		switch {
		case err == nil:
			changed = true
		case errors.Is(err, idp.ErrNotFound): // another replica won
		default:
			return fmt.Errorf("keys: activate key %s: %w", staged.ID, err)
		}
		if keys, err = m.List(ctx, tenantID); err != nil {
			return err
		}
	}

	if active(keys) == nil {
		return nil
	}
	for _, k := range keys {
		if k.State != idp.KeyRetired || k.RemoveAfter == nil || now.Before(*k.RemoveAfter) {
			continue
		}
		err := m.store.DeleteSigningKey(ctx, tenantID, k.ID)
		switch {
		case err == nil:
			changed = true
		case errors.Is(err, idp.ErrNotFound):
		default:
			return fmt.Errorf("keys: delete retired key %s: %w", k.ID, err)
		}
	}
	return nil
}
