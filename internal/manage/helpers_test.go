package manage

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// fakeKeys records what the service asks of the key manager.
type fakeKeys struct {
	mu      sync.Mutex
	ensured map[string]string // tenant → alg
	rotated []rotation
	staged  []string // kids Stage returned and Retire did not remove
	fail    error
}

type rotation struct {
	tenant, alg string
	immediate   bool
}

func (f *fakeKeys) EnsureKey(_ context.Context, tenantID, alg string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return f.fail
	}
	if f.ensured == nil {
		f.ensured = map[string]string{}
	}
	if _, ok := f.ensured[tenantID]; !ok {
		f.ensured[tenantID] = alg
	}
	return nil
}

func (f *fakeKeys) Rotate(_ context.Context, tenantID, alg string, immediate bool) (*keys.RotateResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	f.rotated = append(f.rotated, rotation{tenantID, alg, immediate})
	k := &idp.SigningKey{TenantID: tenantID, ID: "kid-new", Alg: alg, State: idp.KeyStaged, PrivateEnc: []byte("sealed")}
	res := &keys.RotateResult{Staged: k}
	if immediate {
		k.State = idp.KeyActive
		res.Activated = k
	}
	return res, nil
}

func (f *fakeKeys) List(_ context.Context, tenantID string) ([]idp.SigningKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	alg, ok := f.ensured[tenantID]
	if !ok {
		return nil, nil
	}
	return []idp.SigningKey{{TenantID: tenantID, ID: "kid-" + tenantID, Alg: alg, State: idp.KeyActive, PrivateEnc: []byte("sealed")}}, nil
}

// Stage records the staged key; its kid is "kid-staged-" + alg.
func (f *fakeKeys) Stage(_ context.Context, tenantID, alg string) (*idp.SigningKey, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail != nil {
		return nil, f.fail
	}
	k := &idp.SigningKey{TenantID: tenantID, ID: "kid-staged-" + alg, Alg: alg, State: idp.KeyStaged, PrivateEnc: []byte("sealed")}
	f.staged = append(f.staged, k.ID)
	return k, nil
}

// Activate accepts a kid Stage returned, refusing it as too young
// without force (the real rule lives in package keys).
func (f *fakeKeys) Activate(_ context.Context, tenantID, kid string, force bool) (*keys.RotateResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.Contains(f.staged, kid) {
		return nil, fmt.Errorf("fake: key %s: %w", kid, idp.ErrNotFound)
	}
	if !force {
		return nil, fmt.Errorf("%w (%w): fake", keys.ErrRotationPending, idp.ErrConflict)
	}
	return &keys.RotateResult{
		Activated: &idp.SigningKey{TenantID: tenantID, ID: kid, State: idp.KeyActive, PrivateEnc: []byte("sealed")},
		Retired:   &idp.SigningKey{TenantID: tenantID, ID: "kid-" + tenantID, State: idp.KeyRetired, PrivateEnc: []byte("sealed")},
	}, nil
}

// Retire removes a kid Stage returned and refuses the active "kid-" + tenant.
func (f *fakeKeys) Retire(_ context.Context, tenantID, kid string) (*keys.RetireResult, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if kid == "kid-"+tenantID {
		return nil, fmt.Errorf("%w (%w): fake", keys.ErrKeyActive, idp.ErrConflict)
	}
	i := slices.Index(f.staged, kid)
	if i < 0 {
		return nil, fmt.Errorf("fake: key %s: %w", kid, idp.ErrNotFound)
	}
	f.staged = slices.Delete(f.staged, i, i+1)
	return &keys.RetireResult{Key: &idp.SigningKey{TenantID: tenantID, ID: kid, State: idp.KeyStaged, PrivateEnc: []byte("sealed")}, Removed: true}, nil
}

// spyStore records grant revocations (the store has no listing of
// revoked grants for a user).
type spyStore struct {
	store.Store
	mu            sync.Mutex
	revokedGrants []string // tenant/user
}

func (s *spyStore) RevokeUserGrants(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	s.mu.Lock()
	s.revokedGrants = append(s.revokedGrants, tenantID+"/"+userID)
	s.mu.Unlock()
	return s.Store.RevokeUserGrants(ctx, tenantID, userID, clientID, at)
}

// fixture is a service over a fresh SQLite database, bootstrapped, with
// two accounts: A (the bootstrap account, owning tenant "tenant-a") and B
// (owning "tenant-b").
type fixture struct {
	svc   *Service
	st    *spyStore
	db    string
	keys  *fakeKeys
	clock *idp.FakeClock
	boot  *BootstrapResult
	accA  string
	accB  string
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func cli(ctx context.Context) context.Context {
	return WithActor(ctx, Actor{Type: ActorCLI, ID: "test"})
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "authalla.db")
	raw, err := sqlstore.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	if err := raw.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: &spyStore{Store: raw}, db: db, keys: &fakeKeys{}, clock: idp.NewFakeClock(t0)}
	f.svc = New(Options{
		Store: f.st, Keys: f.keys, Clock: f.clock,
		Random: secret.Source{R: rand.NewChaCha8([32]byte{1, 2, 3})},
		Issuer: func(t *idp.Tenant) string { return "https://" + t.ID + ".example.com" },
	})
	f.boot, err = f.svc.Bootstrap(cli(ctx), BootstrapInput{AdminEmail: "Root@Example.com"})
	if err != nil {
		t.Fatal(err)
	}
	f.accA = f.boot.Account.ID
	if _, err := f.svc.CreateTenant(cli(ctx), TenantInput{ID: "tenant-a", Name: "A"}); err != nil {
		t.Fatal(err)
	}
	f.accB = "acc_b"
	if err := raw.CreateAccount(ctx, &idp.Account{ID: f.accB, Name: "B", CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateTenant(cli(ctx), TenantInput{ID: "tenant-b", Name: "B", AccountID: f.accB}); err != nil {
		t.Fatal(err)
	}
	return f
}

// as returns ctx for a user actor with one membership.
func userIn(account string, role idp.AccountRole) context.Context {
	return WithActor(context.Background(), Actor{Type: ActorUser, ID: "usr_" + string(role),
		Memberships: []idp.AccountMember{{AccountID: account, UserID: "usr_" + string(role), Role: role}}})
}

// audits returns every audit event of a tenant, newest first.
func (f *fixture) audits(t *testing.T, tenantID string) []idp.AuditEvent {
	t.Helper()
	es, _, err := f.st.ListAudit(context.Background(), tenantID, idp.AuditQuery{Page: idp.Page{Limit: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// lastAudit returns the newest audit event with action.
func (f *fixture) lastAudit(t *testing.T, tenantID, action string) *idp.AuditEvent {
	t.Helper()
	for _, e := range f.audits(t, tenantID) {
		if e.Action == action {
			return &e
		}
	}
	t.Fatalf("no audit event %q in tenant %s", action, tenantID)
	return nil
}
