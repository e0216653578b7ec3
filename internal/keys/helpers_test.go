package keys

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

const (
	testMaxAge    = 5 * time.Minute
	testRetention = time.Hour
	testCacheTTL  = 30 * time.Second
)

// env is a Manager over the fake store with a fake clock.
type env struct {
	m      *Manager
	st     *fakeStore
	clock  *idp.FakeClock
	sealer *secret.Sealer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	sealer, err := secret.NewSealer(bytes.Repeat([]byte{0x42}, 32))
	if err != nil {
		t.Fatal(err)
	}
	e := &env{st: &fakeStore{}, clock: idp.NewFakeClock(t0), sealer: sealer}
	e.m = New(Options{
		Store: e.st, Sealer: sealer, Clock: e.clock, Random: secret.Default,
		JWKSMaxAge: testMaxAge, Retention: testRetention, CacheTTL: testCacheTTL,
	})
	return e
}

// ensure gives tenant an active key of alg and returns its kid.
func (e *env) ensure(t testing.TB, tenant, alg string) string {
	t.Helper()
	if err := e.m.EnsureKey(context.Background(), tenant, alg); err != nil {
		t.Fatalf("EnsureKey(%s, %s): %v", tenant, alg, err)
	}
	return e.activeKID(t, tenant)
}

// activeKID returns the kid of tenant's active key in the store.
func (e *env) activeKID(t testing.TB, tenant string) string {
	t.Helper()
	keys, err := e.m.List(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	a := active(keys)
	if a == nil {
		t.Fatalf("tenant %s has no active key", tenant)
	}
	return a.ID
}

// private returns the unsealed private key of tenant's key kid, for tests
// that must forge tokens signed by a genuine key.
func (e *env) private(t testing.TB, tenant, kid string) crypto.Signer {
	t.Helper()
	keys, err := e.m.List(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	k := find(keys, kid)
	if k == nil {
		t.Fatalf("no key %s", kid)
	}
	pub, err := parsePublic(k)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := e.m.openPrivate(tenant, k, pub)
	if err != nil {
		t.Fatal(err)
	}
	return priv
}

// sign signs claims for tenant and fails the test on error.
func (e *env) sign(t testing.TB, tenant string, claims any) string {
	t.Helper()
	tok, err := e.m.Sign(context.Background(), tenant, TypAccessToken, claims)
	if err != nil {
		t.Fatalf("Sign(%s): %v", tenant, err)
	}
	return tok
}

// jwks returns the decoded JWKS of tenant.
func (e *env) jwks(t testing.TB, tenant string) jose.JSONWebKeySet {
	t.Helper()
	b, err := e.m.JWKS(context.Background(), tenant)
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS is not a JWK Set: %v\n%s", err, b)
	}
	return set
}

// kids lists the kids of a JWKS in order.
func kids(set jose.JSONWebKeySet) []string {
	var out []string
	for _, k := range set.Keys {
		out = append(out, k.KeyID)
	}
	return out
}

// kidOf reads the kid of a compact JWS without verifying it.
func kidOf(t testing.TB, token string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, joseAlgorithms)
	if err != nil {
		t.Fatal(err)
	}
	return jws.Signatures[0].Header.KeyID
}

func contains(list []string, s string) bool { return slices.Contains(list, s) }
