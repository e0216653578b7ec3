package manage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// TestSuspendResumeTenant: who may suspend and resume a tenant, what is
// stored, audited and announced, and that the admin tenant is refused.
func TestSuspendResumeTenant(t *testing.T) {
	m2m := WithActor(context.Background(), Actor{Type: ActorClient, ID: "m2m", TenantID: "tenant-a"})
	cases := []struct {
		name   string
		ctx    func(f *fixture) context.Context
		tenant func(f *fixture) string
		// wantErr is the error kind of both calls (nil: allowed).
		wantErr error
		// audited is the outcome recorded in the tenant's log ("" none).
		audited string
	}{
		{"owner", func(f *fixture) context.Context { return userIn(f.accA, idp.RoleOwner) }, tenantA, nil, outcomeSuccess},
		{"admin", func(f *fixture) context.Context { return userIn(f.accA, idp.RoleAdmin) }, tenantA, nil, outcomeSuccess},
		{"cli", func(f *fixture) context.Context { return cli(context.Background()) }, tenantA, nil, outcomeSuccess},
		{"viewer", func(f *fixture) context.Context { return userIn(f.accA, idp.RoleViewer) }, tenantA, idp.ErrForbidden, outcomeFailure},
		{"owner of another account", func(f *fixture) context.Context { return userIn(f.accB, idp.RoleOwner) }, tenantA, idp.ErrNotFound, ""},
		{"machine token of the tenant", func(f *fixture) context.Context { return m2m }, tenantA, idp.ErrForbidden, outcomeFailure},
		{"admin tenant", func(f *fixture) context.Context { return cli(context.Background()) },
			func(f *fixture) string { return f.boot.AdminTenant.ID }, idp.ErrInvalid, outcomeFailure},
		{"unknown tenant", func(f *fixture) context.Context { return cli(context.Background()) },
			func(*fixture) string { return "no-such-tenant" }, idp.ErrNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			var published []idp.Change
			f.svc.onChange = func(ch idp.Change) { published = append(published, ch) }
			ctx, id := c.ctx(f), c.tenant(f)
			f.clock.Advance(time.Minute)
			suspendedAt := f.clock.Now()

			res, err := f.svc.SuspendTenant(ctx, id)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("suspend: got %v, want %v", err, c.wantErr)
				}
				if len(published) != 0 {
					t.Fatalf("a refused suspension announced %v", published)
				}
				if got, err := f.st.GetTenant(context.Background(), id); err == nil && got.Status != idp.TenantActive {
					t.Fatalf("refused, yet stored status %q", got.Status)
				}
				if _, err := f.svc.ResumeTenant(ctx, id); c.wantErr != idp.ErrInvalid && !errors.Is(err, c.wantErr) {
					t.Fatalf("resume: got %v, want %v", err, c.wantErr)
				}
				if c.audited != "" {
					if e := f.lastAudit(t, id, "tenant.suspend"); e.Outcome != c.audited {
						t.Fatalf("audit outcome %q, want %q", e.Outcome, c.audited)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("suspend: %v", err)
			}
			if res.Status != idp.TenantSuspended || res.SuspendedAt == nil || !res.SuspendedAt.Equal(suspendedAt) {
				t.Fatalf("result %q at %v", res.Status, res.SuspendedAt)
			}
			stored, err := f.st.GetTenant(context.Background(), id)
			if err != nil {
				t.Fatal(err)
			}
			if stored.Status != idp.TenantSuspended || stored.SuspendedAt == nil || !stored.SuspendedAt.Equal(suspendedAt) {
				t.Fatalf("stored %q at %v", stored.Status, stored.SuspendedAt)
			}
			if want := []idp.Change{{Kind: idp.ChangeTenant, TenantID: id}}; len(published) != 1 || published[0] != want[0] {
				t.Fatalf("published %v, want %v", published, want)
			}
			e := f.lastAudit(t, id, "tenant.suspend")
			if e.Outcome != outcomeSuccess || e.ObjectID != id || e.Details["status"] != "suspended" || e.Details["previous_status"] != "active" {
				t.Fatalf("audit %+v", e)
			}

			// Again: nothing changes, suspended_at stays the first one.
			f.clock.Advance(time.Minute)
			again, err := f.svc.SuspendTenant(ctx, id)
			if err != nil || !again.SuspendedAt.Equal(suspendedAt) {
				t.Fatalf("suspend again: %v, at %v", err, again.SuspendedAt)
			}

			// A settings change while suspended keeps the suspension.
			name := "Renamed"
			if _, err := f.svc.UpdateTenant(ctx, id, TenantPatch{Name: &name}); err != nil {
				t.Fatal(err)
			}
			if got, _ := f.svc.GetTenant(ctx, id); got.Status != idp.TenantSuspended {
				t.Fatalf("an update lifted the suspension: %q", got.Status)
			}

			// Resume: active again, suspended_at cleared.
			published = nil
			res, err = f.svc.ResumeTenant(ctx, id)
			if err != nil {
				t.Fatalf("resume: %v", err)
			}
			if res.Status != idp.TenantActive || res.SuspendedAt != nil {
				t.Fatalf("resumed %q at %v", res.Status, res.SuspendedAt)
			}
			if got, _ := f.st.GetTenant(context.Background(), id); got.Status != idp.TenantActive || got.SuspendedAt != nil {
				t.Fatalf("stored after resume %q at %v", got.Status, got.SuspendedAt)
			}
			if len(published) != 1 || published[0] != (idp.Change{Kind: idp.ChangeTenant, TenantID: id}) {
				t.Fatalf("resume published %v", published)
			}
			if e := f.lastAudit(t, id, "tenant.resume"); e.Outcome != outcomeSuccess || e.Details["status"] != "active" || e.Details["previous_status"] != "suspended" {
				t.Fatalf("resume audit %+v", e)
			}
		})
	}
}

// TestSuspendTenantKeepsWhatItOwns: suspending and resuming changes the
// status only; clients, users and keys are as they were.
func TestSuspendTenantKeepsWhatItOwns(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	if _, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: "web", Name: "Web", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}}); err != nil {
		t.Fatal(err)
	}
	u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "kept@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	ensured := len(f.keys.ensured)
	if _, err := f.svc.SuspendTenant(ctx, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ResumeTenant(ctx, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetClient(ctx, "tenant-a", "web"); err != nil {
		t.Fatalf("client after resume: %v", err)
	}
	if got, err := f.svc.GetUser(ctx, "tenant-a", u.ID); err != nil || got.Status != idp.UserActive {
		t.Fatalf("user after resume: %v %v", got, err)
	}
	if f.keys.rotated != nil || len(f.keys.ensured) != ensured {
		t.Fatalf("keys touched: rotated %v, ensured %v", f.keys.rotated, f.keys.ensured)
	}
}

// TestSuspendTenantDryRun: a dry run checks as for real (the admin tenant
// is refused with the same validation error) and writes, announces and
// audits nothing.
func TestSuspendTenantDryRun(t *testing.T) {
	f := newFixture(t)
	var published []idp.Change
	f.svc.onChange = func(ch idp.Change) { published = append(published, ch) }
	ctx := cli(context.Background())
	before := snapshot(t, f)
	res, err := f.svc.SuspendTenant(WithDryRun(ctx), "tenant-a")
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != idp.TenantSuspended || res.SuspendedAt == nil {
		t.Fatalf("dry run shows %q at %v", res.Status, res.SuspendedAt)
	}
	dryErr := func() error { _, err := f.svc.SuspendTenant(WithDryRun(ctx), f.boot.AdminTenant.ID); return err }()
	if after := snapshot(t, f); string(before) != string(after) || len(published) != 0 {
		t.Fatalf("dry run left a trace (published %v)", published)
	}
	_, realErr := f.svc.SuspendTenant(ctx, f.boot.AdminTenant.ID)
	var dv, rv *idp.ValidationError
	if !errors.As(dryErr, &dv) || !errors.As(realErr, &rv) || *dv != *rv {
		t.Fatalf("admin tenant: dry run %v, real %v", dryErr, realErr)
	}
	if _, err := f.svc.ResumeTenant(WithDryRun(ctx), "tenant-a"); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.GetTenant(context.Background(), "tenant-a"); got.Status != idp.TenantActive {
		t.Fatalf("dry run stored %q", got.Status)
	}
}

func tenantA(*fixture) string { return "tenant-a" }
