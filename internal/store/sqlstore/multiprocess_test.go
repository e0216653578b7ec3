package sqlstore

import (
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// TestSQLiteTwoStoresOneFile plays two processes sharing one database
// file: each Store has its own writer connection, so they contend for
// SQLite's write lock. BEGIN IMMEDIATE plus the busy timeout must turn that
// into waiting, never into SQLITE_BUSY for a caller, and single-use
// artifacts must still be used once.
func TestSQLiteTwoStoresOneFile(t *testing.T) {
	ctx := testContext(t)
	path := filepath.Join(t.TempDir(), "shared.db")
	stores := make([]*Store, 2)
	for i := range stores {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		stores[i] = s
	}
	if err := stores[0].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if err := stores[1].Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := stores[0]
	mustDo := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	mustDo(s.CreateTenant(ctx, &idp.Tenant{ID: "t", SigningAlg: idp.AlgRS256, CreatedAt: t0, UpdatedAt: t0}))
	mustDo(s.CreateClient(ctx, "t", &idp.Client{TenantID: "t", ID: "c", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}))
	mustDo(s.CreateUser(ctx, "t", &idp.User{ID: "u", Email: "u@example.com", Status: idp.UserActive, CreatedAt: t0, UpdatedAt: t0}))
	mustDo(s.CreateAuthCode(ctx, "t", &idp.AuthCode{Hash: "code", ClientID: "c", UserID: "u",
		RedirectURI: "https://c.example.com/cb", AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}))
	mustDo(s.CreateLoginChallenge(ctx, "t", &idp.LoginChallenge{ID: "ch", Email: "u@example.com",
		PINExpiresAt: t0.Add(time.Minute), LinkExpiresAt: t0.Add(time.Hour), CreatedAt: t0}))

	const n = 20
	errs := make([]error, 2*n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = stores[i%2].RedeemAuthCode(ctx, "t", "code", t0, store.Issue{
				Grant:  &idp.Grant{ID: fmt.Sprintf("g%d", i), ClientID: "c", UserID: "u", AuthTime: t0, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)},
				Access: &idp.AccessTokenRecord{JTI: fmt.Sprintf("j%d", i), ClientID: "c", ExpiresAt: t0.Add(time.Hour)},
			})
		}()
		go func() {
			defer wg.Done()
			<-start
			_, errs[n+i] = stores[(i+1)%2].RecordPINFailure(ctx, "t", "ch")
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs[:n] {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, idp.ErrAlreadyUsed):
			t.Errorf("redemption %d: %v", i, err)
		}
	}
	if won != 1 {
		t.Errorf("%d redemptions won, want 1", won)
	}
	for i, err := range errs[n:] {
		if err != nil {
			t.Errorf("pin failure %d: %v", i, err)
		}
	}
	c, err := stores[1].GetLoginChallenge(ctx, "t", "ch")
	mustDo(err)
	if c.Attempts != n {
		t.Errorf("attempts = %d, want %d", c.Attempts, n)
	}
}
