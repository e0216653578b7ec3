package keys

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestStage(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.ensure(t, "t1", AlgRS256)
	e.jwks(t, "t1") // fill the cache: Stage must invalidate it

	k, err := e.m.Stage(ctx, "t1", AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	if k.State != idp.KeyStaged || k.Alg != AlgES256 {
		t.Fatalf("staged key = %s %s, want staged ES256", k.State, k.Alg)
	}
	if got := kids(e.jwks(t, "t1")); !contains(got, k.ID) || !contains(got, old) {
		t.Fatalf("JWKS kids = %v, want the staged %s and the active %s", got, k.ID, old)
	}
	if got := kidOf(t, e.sign(t, "t1", map[string]any{"sub": "x"})); got != old {
		t.Fatalf("signed with %s, want the active %s (a staged key must not sign)", got, old)
	}
	if _, err := e.m.Stage(ctx, "t1", "HS256"); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("Stage(HS256) = %v, want ErrInvalid", err)
	}
}

func TestActivate(t *testing.T) {
	tests := []struct {
		name    string
		wait    bool // advance past JWKSMaxAge + CacheTTL first
		force   bool
		wantErr error
	}{
		{"too early refused", false, false, ErrRotationPending},
		{"too early forced", false, true, nil},
		{"after max-age", true, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			old := e.ensure(t, "t1", AlgRS256)
			staged, err := e.m.Stage(ctx, "t1", AlgRS256)
			if err != nil {
				t.Fatal(err)
			}
			if tc.wait {
				e.clock.Advance(testMaxAge + testCacheTTL)
			} else {
				e.clock.Advance(testMaxAge - 1)
			}
			e.sign(t, "t1", map[string]any{"sub": "x"}) // fill the cache
			res, err := e.m.Activate(ctx, "t1", staged.ID, tc.force)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Activate = %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil {
				if !errors.Is(err, idp.ErrConflict) {
					t.Errorf("Activate error %v does not match ErrConflict", err)
				}
				if got := e.activeKID(t, "t1"); got != old {
					t.Fatalf("active = %s after a refused activation, want %s", got, old)
				}
				return
			}
			if res.Activated == nil || res.Activated.ID != staged.ID || res.Activated.State != idp.KeyActive {
				t.Fatalf("Activated = %+v, want %s active", res.Activated, staged.ID)
			}
			if res.Retired == nil || res.Retired.ID != old || res.Retired.State != idp.KeyRetired {
				t.Fatalf("Retired = %+v, want %s retired", res.Retired, old)
			}
			if want := e.clock.Now().Add(testRetention + testCacheTTL); res.Retired.RemoveAfter == nil || !res.Retired.RemoveAfter.Equal(want) {
				t.Errorf("RemoveAfter = %v, want %v", res.Retired.RemoveAfter, want)
			}
			if got := kidOf(t, e.sign(t, "t1", map[string]any{"sub": "x"})); got != staged.ID {
				t.Fatalf("signed with %s after activation, want %s (cache not invalidated?)", got, staged.ID)
			}
			if got := kids(e.jwks(t, "t1")); !contains(got, old) || !contains(got, staged.ID) {
				t.Fatalf("JWKS kids = %v, want the retired %s still published next to %s", got, old, staged.ID)
			}
		})
	}
}

func TestActivateStates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.ensure(t, "t1", AlgRS256)
	staged, err := e.m.Stage(ctx, "t1", AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Activate(ctx, "t1", staged.ID, true); err != nil {
		t.Fatal(err)
	}

	// The active key: a no-op reporting it.
	res, err := e.m.Activate(ctx, "t1", staged.ID, false)
	if err != nil || res.Activated == nil || res.Activated.ID != staged.ID || res.Retired != nil {
		t.Fatalf("Activate(active) = %+v, %v; want a no-op", res, err)
	}
	// A retired key cannot come back.
	if _, err := e.m.Activate(ctx, "t1", first, true); !errors.Is(err, ErrKeyRetired) || !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("Activate(retired) = %v, want ErrKeyRetired and ErrConflict", err)
	}
	// Unknown kid, and a kid of another tenant.
	other := e.ensure(t, "t2", AlgRS256)
	for _, kid := range []string{"nope", other} {
		if _, err := e.m.Activate(ctx, "t1", kid, true); !errors.Is(err, idp.ErrNotFound) {
			t.Fatalf("Activate(%s) = %v, want ErrNotFound", kid, err)
		}
	}
	if got := e.activeKID(t, "t1"); got != staged.ID {
		t.Fatalf("active = %s, want %s", got, staged.ID)
	}
}

func TestRetire(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.ensure(t, "t1", AlgRS256)

	// The active key is refused.
	if _, err := e.m.Retire(ctx, "t1", first); !errors.Is(err, ErrKeyActive) || !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("Retire(active) = %v, want ErrKeyActive and ErrConflict", err)
	}

	// A staged key is removed, from the store and the (cached) JWKS.
	staged, err := e.m.Stage(ctx, "t1", AlgES256)
	if err != nil {
		t.Fatal(err)
	}
	if got := kids(e.jwks(t, "t1")); !contains(got, staged.ID) {
		t.Fatalf("JWKS kids = %v, want the staged key", got)
	}
	res, err := e.m.Retire(ctx, "t1", staged.ID)
	if err != nil || !res.Removed || res.Key.ID != staged.ID {
		t.Fatalf("Retire(staged) = %+v, %v; want it removed", res, err)
	}
	if got := kids(e.jwks(t, "t1")); contains(got, staged.ID) || !contains(got, first) {
		t.Fatalf("JWKS kids = %v after removing the staged key, want only %s", got, first)
	}

	// A retired key: a no-op that leaves it published.
	next, err := e.m.Stage(ctx, "t1", AlgRS256)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.Activate(ctx, "t1", next.ID, true); err != nil {
		t.Fatal(err)
	}
	res, err = e.m.Retire(ctx, "t1", first)
	if err != nil || res.Removed || res.Key.State != idp.KeyRetired {
		t.Fatalf("Retire(retired) = %+v, %v; want a no-op", res, err)
	}
	if got := kids(e.jwks(t, "t1")); !contains(got, first) {
		t.Fatalf("JWKS kids = %v, want the retired %s still published", got, first)
	}
	if _, err := e.m.Retire(ctx, "t1", "nope"); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("Retire(unknown) = %v, want ErrNotFound", err)
	}
}
