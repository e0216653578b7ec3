package keys

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestEnsureKey(t *testing.T) {
	tests := []struct {
		alg, wantAlg string
		wantErr      error
	}{
		{"", AlgRS256, nil},
		{AlgRS256, AlgRS256, nil},
		{AlgES256, AlgES256, nil},
		{AlgEdDSA, AlgEdDSA, nil},
		{"HS256", "", idp.ErrInvalid},
		{"none", "", idp.ErrInvalid},
		{"PS256", "", idp.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.alg, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			err := e.m.EnsureKey(ctx, "t1", tc.alg)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("EnsureKey(%q) = %v, want %v", tc.alg, err, tc.wantErr)
			}
			keys, _ := e.m.List(ctx, "t1")
			if tc.wantErr != nil {
				if len(keys) != 0 {
					t.Fatalf("a refused alg created %d keys", len(keys))
				}
				return
			}
			// Idempotent: a second call (even for another alg) changes nothing.
			if err := e.m.EnsureKey(ctx, "t1", AlgEdDSA); err != nil {
				t.Fatal(err)
			}
			keys, _ = e.m.List(ctx, "t1")
			if len(keys) != 1 || keys[0].State != idp.KeyActive || keys[0].Alg != tc.wantAlg || keys[0].ActivatedAt == nil {
				t.Fatalf("keys = %+v, want one active %s key", keys, tc.wantAlg)
			}
			if n := len(keys[0].ID); n < 22 {
				t.Errorf("kid %q has %d characters, want >= 22 (128 bits)", keys[0].ID, n)
			}
		})
	}
}

func TestEnsureKeyConcurrent(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		wg.Go(func() { errs[i] = e.m.EnsureKey(ctx, "t1", AlgEdDSA) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("caller %d: %v", i, err)
		}
	}
	keys, _ := e.m.List(ctx, "t1")
	n := 0
	for _, k := range keys {
		if k.State == idp.KeyActive {
			n++
		}
	}
	if n != 1 || len(keys) != 1 {
		t.Fatalf("after concurrent EnsureKey: %d keys, %d active; want exactly one", len(keys), n)
	}
}

// TestRotateImmediate is SECURITY-TESTS 10: after a rotation the JWKS has
// the new key and the old one; old tokens verify; new tokens carry the new kid.
func TestRotateImmediate(t *testing.T) {
	for _, alg := range Algorithms {
		t.Run(alg, func(t *testing.T) {
			e := newEnv(t)
			ctx := context.Background()
			old := e.ensure(t, "t1", alg)
			oldTok := e.sign(t, "t1", testClaims{Sub: "before"})

			res, err := e.m.Rotate(ctx, "t1", alg, true)
			if err != nil {
				t.Fatal(err)
			}
			if res.Activated == nil || res.Activated.ID == old || res.Activated.State != idp.KeyActive {
				t.Fatalf("Activated = %+v", res.Activated)
			}
			if res.Retired == nil || res.Retired.ID != old || res.Retired.State != idp.KeyRetired {
				t.Fatalf("Retired = %+v", res.Retired)
			}
			wantRemove := t0.Add(testRetention + testCacheTTL)
			if res.Retired.RemoveAfter == nil || !res.Retired.RemoveAfter.Equal(wantRemove) {
				t.Errorf("RemoveAfter = %v, want %v", res.Retired.RemoveAfter, wantRemove)
			}
			newKID := res.Activated.ID
			if got := kids(e.jwks(t, "t1")); len(got) != 2 || got[0] != newKID || got[1] != old {
				t.Fatalf("JWKS kids = %v, want [%s %s]", got, newKID, old)
			}
			if _, err := e.m.Verify(ctx, "t1", oldTok); err != nil {
				t.Errorf("token signed before the rotation: %v", err)
			}
			newTok := e.sign(t, "t1", testClaims{Sub: "after"})
			if got := kidOf(t, newTok); got != newKID {
				t.Errorf("new token kid = %s, want %s", got, newKID)
			}
			if _, err := e.m.Verify(ctx, "t1", newTok); err != nil {
				t.Errorf("token signed after the rotation: %v", err)
			}
		})
	}
}

// TestRotateStaged follows one phased rotation (SECURITY-TESTS 54): the
// new key is published for JWKSMaxAge (plus the cache TTL) before it signs,
// and the old key stays published for Retention (plus the cache TTL).
func TestRotateStaged(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.ensure(t, "t1", AlgES256)
	oldTok := e.sign(t, "t1", testClaims{Sub: "old"})

	res, err := e.m.Rotate(ctx, "t1", AlgES256, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Staged == nil || res.Activated != nil || res.Retired != nil || res.Staged.State != idp.KeyStaged {
		t.Fatalf("first Rotate = %+v, want only Staged", res)
	}
	staged := res.Staged.ID
	if got := kids(e.jwks(t, "t1")); len(got) != 2 || got[0] != old || got[1] != staged {
		t.Fatalf("JWKS kids = %v, want [active %s, staged %s]", got, old, staged)
	}

	// Not signing before the delay, whether by Rotate or by Maintain.
	e.clock.Advance(testMaxAge - time.Second)
	if _, err := e.m.Rotate(ctx, "t1", AlgES256, false); !errors.Is(err, ErrRotationPending) || !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("early second Rotate: err = %v, want ErrRotationPending and idp.ErrConflict", err)
	}
	if err := e.m.Maintain(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if got := kidOf(t, e.sign(t, "t1", testClaims{})); got != old {
		t.Fatalf("before JWKSMaxAge the token kid is %s, want the old %s", got, old)
	}
	e.clock.Advance(time.Second + testCacheTTL - time.Microsecond)
	if err := e.m.Maintain(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if got := e.activeKID(t, "t1"); got != old {
		t.Fatalf("activated %s before JWKSMaxAge + cache TTL", got)
	}

	// Once published long enough, Maintain activates it.
	e.clock.Advance(time.Microsecond)
	if err := e.m.Maintain(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	activatedAt := e.clock.Now()
	newTok := e.sign(t, "t1", testClaims{Sub: "new"})
	if got := kidOf(t, newTok); got != staged {
		t.Fatalf("after the delay the token kid is %s, want %s", got, staged)
	}
	if got := kids(e.jwks(t, "t1")); len(got) != 2 || got[0] != staged || got[1] != old {
		t.Fatalf("JWKS kids = %v, want [%s %s]", got, staged, old)
	}
	for _, tok := range []string{oldTok, newTok} {
		if _, err := e.m.Verify(ctx, "t1", tok); err != nil {
			t.Errorf("Verify: %v", err)
		}
	}

	// The retired key stays until Retention + cache TTL after it stopped signing.
	e.clock.Set(activatedAt.Add(testRetention + testCacheTTL - time.Microsecond))
	if err := e.m.Maintain(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	if got := kids(e.jwks(t, "t1")); len(got) != 2 {
		t.Fatalf("retired key removed early: JWKS kids = %v", got)
	}
	e.clock.Advance(time.Microsecond)
	if err := e.m.Maintain(ctx, "t1"); err != nil {
		t.Fatal(err)
	}
	keys, _ := e.m.List(ctx, "t1")
	if len(keys) != 1 || keys[0].ID != staged {
		t.Fatalf("after Retention the store holds %+v, want only %s", keys, staged)
	}
	if got := kids(e.jwks(t, "t1")); len(got) != 1 || got[0] != staged {
		t.Fatalf("JWKS kids = %v, want [%s]", got, staged)
	}
	if _, err := e.m.Verify(ctx, "t1", oldTok); !errors.Is(err, ErrInvalidToken) {
		t.Errorf("token of a removed key: err = %v, want ErrInvalidToken", err)
	}
}

func TestRotateSecondCallActivates(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	old := e.ensure(t, "t1", AlgEdDSA)
	first, err := e.m.Rotate(ctx, "t1", AlgEdDSA, false)
	if err != nil {
		t.Fatal(err)
	}
	e.clock.Advance(testMaxAge + testCacheTTL)
	res, err := e.m.Rotate(ctx, "t1", AlgEdDSA, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Staged != nil || res.Activated == nil || res.Activated.ID != first.Staged.ID || res.Retired == nil || res.Retired.ID != old {
		t.Fatalf("second Rotate = %+v", res)
	}
}

func TestRotateChangesAlgorithm(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgEdDSA)
	first, err := e.m.Rotate(ctx, "t1", AlgEdDSA, false)
	if err != nil {
		t.Fatal(err)
	}
	// Asking for another algorithm replaces the staged key (it never signed).
	res, err := e.m.Rotate(ctx, "t1", AlgES256, false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Staged == nil || res.Staged.Alg != AlgES256 {
		t.Fatalf("Rotate to ES256 = %+v", res)
	}
	keys, _ := e.m.List(ctx, "t1")
	if find(keys, first.Staged.ID) != nil || len(keys) != 2 {
		t.Fatalf("stale staged key kept: %+v", keys)
	}
}

func TestRotateWithoutKeyCreatesActive(t *testing.T) {
	e := newEnv(t)
	res, err := e.m.Rotate(context.Background(), "t1", "", false)
	if err != nil {
		t.Fatal(err)
	}
	if res.Activated == nil || res.Activated.Alg != AlgRS256 || res.Activated.State != idp.KeyActive {
		t.Fatalf("Rotate on an empty tenant = %+v", res)
	}
}

// TestJWKSNeverEmpty runs three staged and two immediate rotations under
// continuous issuance; at every step the JWKS is non-empty, holds the kid
// the tenant signs with, and every token younger than Retention verifies.
func TestJWKSNeverEmpty(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "t1", AlgES256)
	type issued struct {
		tok string
		at  time.Time
	}
	var tokens []issued
	check := func(step string) {
		t.Helper()
		set := kids(e.jwks(t, "t1"))
		if len(set) == 0 {
			t.Fatalf("%s: JWKS is empty", step)
		}
		tok := e.sign(t, "t1", testClaims{Sub: step})
		if !contains(set, kidOf(t, tok)) {
			t.Fatalf("%s: signing kid %s not in JWKS %v", step, kidOf(t, tok), set)
		}
		tokens = append(tokens, issued{tok, e.clock.Now()})
		for _, it := range tokens {
			if e.clock.Now().Sub(it.at) > testRetention {
				continue
			}
			if _, err := e.m.Verify(ctx, "t1", it.tok); err != nil {
				t.Fatalf("%s: token issued at %v no longer verifies: %v", step, it.at, err)
			}
		}
	}
	check("start")
	for i := range 3 {
		if _, err := e.m.Rotate(ctx, "t1", AlgES256, false); err != nil {
			t.Fatal(err)
		}
		check("staged")
		for range 12 { // an hour of 5-minute ticks: activation and removal happen on the way
			e.clock.Advance(5 * time.Minute)
			if err := e.m.Maintain(ctx, "t1"); err != nil {
				t.Fatal(err)
			}
			check("tick")
		}
		if i < 2 {
			if _, err := e.m.Rotate(ctx, "t1", AlgES256, true); err != nil {
				t.Fatal(err)
			}
			check("immediate")
		}
	}
}

// TestPrivateKeyNeverInClear inspects every record handed to the store:
// the private key is sealed, bound to its tenant and kid, and the public
// JWK has no private parameter.
func TestPrivateKeyNeverInClear(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	for _, alg := range Algorithms {
		e.ensure(t, "t-"+alg, alg)
		if _, err := e.m.Rotate(ctx, "t-"+alg, alg, true); err != nil {
			t.Fatal(err)
		}
	}
	created := e.st.allCreated()
	if len(created) != 6 {
		t.Fatalf("store saw %d keys, want 6", len(created))
	}
	for _, k := range created {
		der, err := e.sealer.Open(k.PrivateEnc, sealAD(k.TenantID, k.ID))
		if err != nil {
			t.Fatalf("%s: sealed key does not open with its own binding: %v", k.ID, err)
		}
		for _, field := range [][]byte{k.PrivateEnc, k.PublicJWK} {
			if bytes.Contains(field, der) || bytes.Contains(field, der[len(der)-32:]) {
				t.Errorf("%s: private key material appears in the clear", k.ID)
			}
		}
		if bytes.Contains(k.PublicJWK, []byte(`"d"`)) {
			t.Errorf("%s: public JWK has a private parameter: %s", k.ID, k.PublicJWK)
		}
		if _, err := e.sealer.Open(k.PrivateEnc, sealAD("other-tenant", k.ID)); err == nil {
			t.Errorf("%s: sealed key opens for another tenant", k.ID)
		}
		if _, err := e.sealer.Open(k.PrivateEnc, sealAD(k.TenantID, "other-kid")); err == nil {
			t.Errorf("%s: sealed key opens under another kid", k.ID)
		}
	}
}

// TestSealedKeyMovedToAnotherTenant checks that a sealed private key copied
// into another tenant's row is refused rather than used.
func TestSealedKeyMovedToAnotherTenant(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.ensure(t, "victim", AlgEdDSA)
	keys, _ := e.m.List(ctx, "victim")
	stolen := keys[0]
	pub, err := parsePublic(&stolen)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := publicJWK("moved", stolen.Alg, pub)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.CreateSigningKey(ctx, "attacker", &idp.SigningKey{TenantID: "attacker", ID: "moved", Alg: stolen.Alg,
		State: idp.KeyActive, PrivateEnc: stolen.PrivateEnc, PublicJWK: jwk, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	_, err = e.m.Sign(ctx, "attacker", TypJWT, testClaims{})
	if err == nil || !strings.Contains(err.Error(), "open private key") {
		t.Fatalf("Sign with a key sealed for another tenant: err = %v, want an unseal failure", err)
	}
}
