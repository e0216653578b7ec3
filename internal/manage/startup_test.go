package manage

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// unreadableStartup is a store whose start-up read fails.
type unreadableStartup struct{ store.Store }

func (unreadableStartup) StartupState(context.Context, store.StartupQuery) (*store.StartupState, error) {
	return nil, errors.New("start-up read failed")
}

// completeInstall gives the fixture what a server's first start leaves:
// the admin tenant's signing key in the store (the fixture's key manager
// is a fake that stores none) and the CLI client.
func completeInstall(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	k := &idp.SigningKey{TenantID: AdminTenantID, ID: "kid-admin", Alg: idp.AlgRS256, State: idp.KeyActive,
		PrivateEnc: []byte("sealed"), PublicJWK: []byte(`{}`), CreatedAt: t0, ActivatedAt: &t0}
	if err := f.st.CreateSigningKey(ctx, AdminTenantID, k); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.EnsureCLIClient(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestStart: a restart of a complete install reads its state once and
// changes nothing (no write, no announcement, no audit), returning the
// tenants for the banner; with anything missing it takes the full
// Bootstrap + EnsureCLIClient path and repairs it, after which the next
// start is the quick one again. A failed read falls back to the full path.
func TestStart(t *testing.T) {
	adminCallback := "https://" + AdminTenantID + ".example.com" + AdminUICallbackPath
	cases := []struct {
		name    string
		breakIt func(t *testing.T, f *fixture)
		check   func(t *testing.T, f *fixture, res *StartResult)
		// complete: Bootstrap and EnsureCLIClient have nothing left to do
		// afterwards.
		complete bool
		// noStoreKey: the admin tenant's key is not put in the store.
		noStoreKey bool
	}{
		{name: "complete install", breakIt: func(*testing.T, *fixture) {}, complete: true},
		{name: "CLI client missing", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				if err := f.st.DeleteClient(context.Background(), AdminTenantID, CLIClientID); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, _ *StartResult) {
				if _, err := f.st.GetClient(context.Background(), AdminTenantID, CLIClientID); err != nil {
					t.Fatalf("CLI client not recreated: %v", err)
				}
			}},
		{name: "Admin UI client missing", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				if err := f.st.DeleteClient(context.Background(), AdminTenantID, AdminUIClientID); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, _ *StartResult) {
				c, err := f.st.GetClient(context.Background(), AdminTenantID, AdminUIClientID)
				if err != nil || !slices.Contains(c.RedirectURIs, adminCallback) {
					t.Fatalf("Admin UI client not recreated: %+v %v", c, err)
				}
			}},
		{name: "Admin UI callback of this issuer missing", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				ctx := context.Background()
				c, err := f.st.GetClient(ctx, AdminTenantID, AdminUIClientID)
				if err != nil {
					t.Fatal(err)
				}
				c.RedirectURIs = []string{"https://login.example.org" + AdminUICallbackPath}
				if err := f.st.UpdateClient(ctx, AdminTenantID, c); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, _ *StartResult) {
				c, err := f.st.GetClient(context.Background(), AdminTenantID, AdminUIClientID)
				if err != nil || !slices.Equal(c.RedirectURIs, []string{"https://login.example.org" + AdminUICallbackPath, adminCallback}) {
					t.Fatalf("callback not added: %+v %v", c, err)
				}
			}},
		{name: "a tenant without the management API", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				ctx := context.Background()
				rs, err := f.st.GetResourceServerByIdentifier(ctx, "tenant-b", ManagementAPI)
				if err != nil {
					t.Fatal(err)
				}
				if err := f.st.DeleteResourceServer(ctx, "tenant-b", rs.ID); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, _ *StartResult) {
				if _, err := f.st.GetResourceServerByIdentifier(context.Background(), "tenant-b", ManagementAPI); err != nil {
					t.Fatalf("management API not recreated: %v", err)
				}
			}},
		{name: "no administrator", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				if err := f.st.DeleteUser(context.Background(), AdminTenantID, f.boot.AdminUser.ID); err != nil {
					t.Fatal(err)
				}
			},
			check: func(t *testing.T, f *fixture, res *StartResult) {
				if !res.Created || res.SignInURL == "" {
					t.Fatalf("no new administrator: %+v", res.BootstrapResult)
				}
			}},
		// The fake key manager holds the admin key, the store none: the
		// quick path cannot vouch for it, so every start takes the full
		// one (which asks the key manager and finds nothing to do).
		{name: "no admin signing key in the store", noStoreKey: true, complete: false,
			breakIt: func(*testing.T, *fixture) {}},
		{name: "start-up state unreadable", complete: true,
			breakIt: func(t *testing.T, f *fixture) {
				f.svc.store = unreadableStartup{f.st}
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := cli(context.Background())
			if !tc.noStoreKey {
				completeInstall(t, f)
			} else if err := f.svc.EnsureCLIClient(ctx); err != nil {
				t.Fatal(err)
			}
			tc.breakIt(t, f)
			quick := tc.name == "complete install"
			var changes []idp.Change
			f.svc.onChange = func(ch idp.Change) { changes = append(changes, ch) }
			audits := len(f.audits(t, AdminTenantID))
			res, err := f.svc.Start(ctx, BootstrapInput{AdminEmail: "root@example.com"}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if res.AdminTenant == nil || res.AdminTenant.ID != AdminTenantID || res.AdminTenant.Issuer != "https://admin.example.com" {
				t.Fatalf("admin tenant %+v", res.AdminTenant)
			}
			if res.Listed != quick {
				t.Fatalf("quick path taken: %v, want %v", res.Listed, quick)
			}
			if quick {
				want, total, err := f.svc.ListTenants(ctx, idp.Page{Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				if total != res.TenantTotal || len(res.Tenants) != 2 || res.Tenants[0].ID != want[0].ID ||
					res.Tenants[1].ID != want[1].ID || res.Tenants[1].Issuer != want[1].Issuer {
					t.Fatalf("tenants %+v (%d), want %+v (%d)", res.Tenants, res.TenantTotal, want, total)
				}
				if len(changes) != 0 || len(f.audits(t, AdminTenantID)) != audits || res.Created {
					t.Fatalf("a complete install changed: %v", changes)
				}
			}
			if tc.check != nil {
				tc.check(t, f, res)
			}
			if _, ok := f.svc.store.(unreadableStartup); ok {
				f.svc.store = f.st
			}
			// Whatever the quick path accepts, the full path leaves alone.
			again, err := f.svc.Start(ctx, BootstrapInput{}, 2)
			if err != nil {
				t.Fatal(err)
			}
			if again.Listed != tc.complete {
				t.Fatalf("second start quick: %v, want %v", again.Listed, tc.complete)
			}
			changes, audits = nil, len(f.audits(t, AdminTenantID))
			if _, err := f.svc.Bootstrap(ctx, BootstrapInput{}); err != nil {
				t.Fatal(err)
			}
			if err := f.svc.EnsureCLIClient(ctx); err != nil {
				t.Fatal(err)
			}
			if tc.complete && (len(changes) != 0 || len(f.audits(t, AdminTenantID)) != audits) {
				t.Fatalf("the full path changed an install the quick path accepted: %v", changes)
			}
		})
	}
}

// TestStartRefuses: Start is for the server and the CLI, and refuses a
// malformed administrator email on a complete install as Bootstrap does.
func TestStartRefuses(t *testing.T) {
	f := newFixture(t)
	completeInstall(t, f)
	if _, err := f.svc.Start(userIn(f.accA, idp.RoleOwner), BootstrapInput{}, 10); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("user: %v", err)
	}
	if _, err := f.svc.Start(cli(context.Background()), BootstrapInput{AdminEmail: "not an email"}, 10); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("malformed email: %v", err)
	}
	if _, err := f.svc.Bootstrap(cli(context.Background()), BootstrapInput{AdminEmail: "not an email"}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("Bootstrap, malformed email: %v", err)
	}
}
