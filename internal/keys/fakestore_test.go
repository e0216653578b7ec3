package keys

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// fakeStore is an in-memory store.SigningKeys with the semantics the
// interface documents: one active key per tenant (a second is a conflict),
// kids unique across the install, activation retires the previous key in
// the same step, active keys cannot be deleted.
type fakeStore struct {
	mu      sync.Mutex
	keys    []idp.SigningKey // in creation order
	created []idp.SigningKey // every record passed to CreateSigningKey
	lists   int              // ListSigningKeys calls
}

var _ store.SigningKeys = (*fakeStore)(nil)

func (s *fakeStore) CreateSigningKey(_ context.Context, tenantID string, k *idp.SigningKey) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := cloneKey(*k)
	s.created = append(s.created, c)
	if k.TenantID != tenantID {
		return fmt.Errorf("fake: tenant mismatch: %w", idp.ErrInvalid)
	}
	for _, o := range s.keys {
		if o.ID == k.ID {
			return fmt.Errorf("fake: kid %s: %w", k.ID, idp.ErrConflict)
		}
		if o.TenantID == tenantID && o.State == idp.KeyActive && k.State == idp.KeyActive {
			return fmt.Errorf("fake: second active key: %w", idp.ErrConflict)
		}
	}
	s.keys = append(s.keys, c)
	return nil
}

func (s *fakeStore) ListSigningKeys(_ context.Context, tenantID string) ([]idp.SigningKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists++
	var out []idp.SigningKey
	for _, k := range s.keys {
		if k.TenantID == tenantID {
			out = append(out, cloneKey(k))
		}
	}
	return out, nil
}

func (s *fakeStore) ActivateSigningKey(_ context.Context, tenantID, kid string, at, removeAfter time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.keys, func(k idp.SigningKey) bool {
		return k.TenantID == tenantID && k.ID == kid && k.State == idp.KeyStaged
	})
	if i < 0 {
		return fmt.Errorf("fake: staged key %s: %w", kid, idp.ErrNotFound)
	}
	for j := range s.keys {
		if k := &s.keys[j]; k.TenantID == tenantID && k.State == idp.KeyActive {
			k.State = idp.KeyRetired
			k.RetiredAt, k.RemoveAfter = ptr(at), ptr(removeAfter)
		}
	}
	s.keys[i].State = idp.KeyActive
	s.keys[i].ActivatedAt = ptr(at)
	return nil
}

func (s *fakeStore) DeleteSigningKey(_ context.Context, tenantID, kid string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	i := slices.IndexFunc(s.keys, func(k idp.SigningKey) bool { return k.TenantID == tenantID && k.ID == kid })
	if i < 0 {
		return fmt.Errorf("fake: key %s: %w", kid, idp.ErrNotFound)
	}
	if s.keys[i].State == idp.KeyActive {
		return fmt.Errorf("fake: key %s is active: %w", kid, idp.ErrInvalid)
	}
	s.keys = slices.Delete(s.keys, i, i+1)
	return nil
}

// listCalls reports how often ListSigningKeys ran.
func (s *fakeStore) listCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lists
}

// allCreated returns copies of every record the manager tried to create.
func (s *fakeStore) allCreated() []idp.SigningKey {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.created)
}

func ptr[T any](v T) *T { return &v }

func cloneKey(k idp.SigningKey) idp.SigningKey {
	k.PrivateEnc = slices.Clone(k.PrivateEnc)
	k.PublicJWK = slices.Clone(k.PublicJWK)
	if k.ActivatedAt != nil {
		k.ActivatedAt = ptr(*k.ActivatedAt)
	}
	if k.RetiredAt != nil {
		k.RetiredAt = ptr(*k.RetiredAt)
	}
	if k.RemoveAfter != nil {
		k.RemoveAfter = ptr(*k.RemoveAfter)
	}
	return k
}

func (s *fakeStore) TenantsWithKeysDue(_ context.Context, stagedBy, removeBy time.Time) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, k := range s.keys {
		due := (k.State == idp.KeyStaged && !k.CreatedAt.After(stagedBy)) ||
			(k.State == idp.KeyRetired && k.RemoveAfter != nil && !k.RemoveAfter.After(removeBy))
		if due && !slices.Contains(out, k.TenantID) {
			out = append(out, k.TenantID)
		}
	}
	slices.Sort(out)
	return out, nil
}
