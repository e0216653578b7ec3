package storetest

import (
	"reflect"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testSigningKeys(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	key := func(tenantID, kid string, state idp.KeyState, created time.Time) *idp.SigningKey {
		k := &idp.SigningKey{TenantID: tenantID, ID: kid, Alg: idp.AlgRS256, State: state,
			PrivateEnc: []byte("sealed:" + kid), PublicJWK: []byte(`{"kty":"RSA","kid":"` + kid + `"}`),
			CreatedAt: created}
		if state == idp.KeyActive {
			k.ActivatedAt = ptr(created)
		}
		return k
	}
	k1 := key(tenantA, "kid-a1", idp.KeyActive, t0)
	k2 := key(tenantA, "kid-a2", idp.KeyStaged, t0.Add(time.Hour))
	b1 := key(tenantB, "kid-b1", idp.KeyActive, t0)
	t.Run("CreateList", func(t *testing.T) {
		for _, k := range []*idp.SigningKey{k1, k2, b1} {
			must(t, s.CreateSigningKey(ctx, k.TenantID, k))
		}
		got, err := s.ListSigningKeys(ctx, tenantA)
		must(t, err)
		wantEqual(t, got, []idp.SigningKey{*k1, *k2})
	})
	t.Run("CreateConflict", func(t *testing.T) {
		// Kids are unique across the install, not just per tenant.
		wantErr(t, s.CreateSigningKey(ctx, tenantB, key(tenantB, "kid-a1", idp.KeyStaged, t0)), idp.ErrConflict)
		// One active key per tenant.
		wantErr(t, s.CreateSigningKey(ctx, tenantA, key(tenantA, "kid-a9", idp.KeyActive, t0)), idp.ErrConflict)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		got, err := s.ListSigningKeys(ctx, tenantB)
		must(t, err)
		wantEqual(t, got, []idp.SigningKey{*b1})
		at := t0.Add(2 * time.Hour)
		wantErr(t, s.ActivateSigningKey(ctx, tenantB, "kid-a2", at, at.Add(time.Hour)), idp.ErrNotFound)
		wantErr(t, s.DeleteSigningKey(ctx, tenantB, "kid-a2"), idp.ErrNotFound)
		got, err = s.ListSigningKeys(ctx, tenantA)
		must(t, err)
		wantEqual(t, got, []idp.SigningKey{*k1, *k2})
	})
	t.Run("ActivateNotStaged", func(t *testing.T) {
		at := t0.Add(2 * time.Hour)
		wantErr(t, s.ActivateSigningKey(ctx, tenantA, "kid-none", at, at), idp.ErrNotFound)
		wantErr(t, s.ActivateSigningKey(ctx, tenantA, "kid-a1", at, at), idp.ErrNotFound) // already active
	})
	t.Run("Activate", func(t *testing.T) {
		at, removeAfter := t0.Add(2*time.Hour), t0.Add(26*time.Hour)
		must(t, s.ActivateSigningKey(ctx, tenantA, "kid-a2", at, removeAfter))
		got, err := s.ListSigningKeys(ctx, tenantA)
		must(t, err)
		w1, w2 := *k1, *k2
		w1.State, w1.RetiredAt, w1.RemoveAfter = idp.KeyRetired, ptr(at), ptr(removeAfter)
		w2.State, w2.ActivatedAt = idp.KeyActive, ptr(at)
		wantEqual(t, got, []idp.SigningKey{w1, w2})
		// Tenant B's active key is not retired by tenant A's rotation.
		gotB, err := s.ListSigningKeys(ctx, tenantB)
		must(t, err)
		wantEqual(t, gotB, []idp.SigningKey{*b1})
	})
	t.Run("ActivateFirstKey", func(t *testing.T) {
		must(t, s.CreateTenant(ctx, tenant("tenant-keys", "")))
		must(t, s.CreateSigningKey(ctx, "tenant-keys", key("tenant-keys", "kid-k1", idp.KeyStaged, t0)))
		must(t, s.ActivateSigningKey(ctx, "tenant-keys", "kid-k1", t0, t0))
		got, err := s.ListSigningKeys(ctx, "tenant-keys")
		must(t, err)
		if len(got) != 1 || got[0].State != idp.KeyActive {
			t.Fatalf("keys = %+v", got)
		}
	})
	t.Run("TenantsWithKeysDue", func(t *testing.T) {
		// Now: tenant A has kid-a1 retired (remove after t0+26h) and kid-a2
		// active; tenant B gets a staged key created at t0+3h; the active
		// keys of B and tenant-keys are never due.
		staged, removeAt := t0.Add(3*time.Hour), t0.Add(26*time.Hour)
		must(t, s.CreateSigningKey(ctx, tenantB, key(tenantB, "kid-b2", idp.KeyStaged, staged)))
		// Tenant A also stages a key half an hour later: with its retired
		// key, two keys of one tenant due at once.
		must(t, s.CreateSigningKey(ctx, tenantA, key(tenantA, "kid-a3", idp.KeyStaged, staged.Add(30*time.Minute))))
		for _, tc := range []struct {
			name               string
			stagedBy, removeBy time.Time
			want               []string
		}{
			{"nothing due yet", staged.Add(-time.Microsecond), removeAt.Add(-time.Microsecond), nil},
			{"staged key due", staged, t0, []string{tenantB}},
			{"retired key due", t0, removeAt, []string{tenantA}},
			{"both, each tenant once", staged.Add(time.Hour), removeAt.Add(time.Hour), []string{tenantA, tenantB}},
			{"staged keys of both", staged.Add(time.Hour), t0, []string{tenantA, tenantB}},
		} {
			got, err := s.TenantsWithKeysDue(ctx, tc.stagedBy, tc.removeBy)
			must(t, err)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("%s: got %v, want %v", tc.name, got, tc.want)
			}
		}
		must(t, s.DeleteSigningKey(ctx, tenantB, "kid-b2"))
		must(t, s.DeleteSigningKey(ctx, tenantA, "kid-a3"))
	})
	t.Run("Delete", func(t *testing.T) {
		wantErr(t, s.DeleteSigningKey(ctx, tenantA, "kid-a2"), idp.ErrInvalid) // active
		must(t, s.DeleteSigningKey(ctx, tenantA, "kid-a1"))                    // retired
		wantErr(t, s.DeleteSigningKey(ctx, tenantA, "kid-a1"), idp.ErrNotFound)
		got, err := s.ListSigningKeys(ctx, tenantA)
		must(t, err)
		if len(got) != 1 || got[0].ID != "kid-a2" {
			t.Fatalf("keys after delete = %+v", got)
		}
	})
}
