package manage

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

func TestBootstrap(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	b := f.boot
	if !b.Created || !b.AdminTenant.Admin || b.AdminTenant.ID != AdminTenantID || b.AdminTenant.Name != "Authalla" {
		t.Fatalf("admin tenant %+v", b.AdminTenant)
	}
	if b.AdminUser.Email != "root@example.com" || !b.AdminUser.EmailVerified || b.AdminUser.TenantID != AdminTenantID {
		t.Fatalf("admin user %+v", b.AdminUser)
	}
	if b.DefaultTenant.AccountID != b.Account.ID || b.DefaultTenant.Name != "Default" || b.DefaultTenant.Issuer == "" {
		t.Fatalf("default tenant %+v", b.DefaultTenant)
	}
	for _, id := range []string{AdminTenantID, b.DefaultTenant.ID} {
		if f.keys.ensured[id] != idp.AlgRS256 {
			t.Fatalf("tenant %s has no RS256 key: %v", id, f.keys.ensured)
		}
	}
	ms, err := f.st.ListMemberships(ctx, b.AdminUser.ID)
	if err != nil || len(ms) != 1 || ms[0].Role != idp.RoleOwner || ms[0].AccountID != b.Account.ID {
		t.Fatalf("memberships %v %v", ms, err)
	}

	// The link: {admin issuer}/oauth2/magic-link?token=…, only its hash stored.
	u, err := url.Parse(b.SignInURL)
	if err != nil || u.Path != "/oauth2/magic-link" || !strings.HasPrefix(b.SignInURL, b.AdminTenant.Issuer+"/") {
		t.Fatalf("sign-in URL %q", b.SignInURL)
	}
	token := u.Query().Get("token")
	if len(token) != 43 {
		t.Fatalf("token %q is not 32 bytes", token)
	}
	c, err := f.st.GetLoginChallengeByLink(ctx, AdminTenantID, secret.HashBytes(token))
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != b.AdminUser.ID || c.Email != b.AdminUser.Email || c.AuthRequestID != "" ||
		!c.LinkExpiresAt.Equal(t0.Add(idp.LinkLifetime)) || c.PINExpiresAt.After(t0) || c.ConsumedAt != nil || len(c.PINHash) != 32 {
		t.Fatalf("challenge %+v", c)
	}
	e := f.lastAudit(t, AdminTenantID, "install.bootstrap")
	if strings.Contains(e.ObjectID+e.ActorID+strings.Join(mapValues(e.Details), ""), token) {
		t.Fatal("the sign-in token is in the audit log")
	}

	// Idempotent.
	again, err := f.svc.Bootstrap(ctx, BootstrapInput{})
	if err != nil || again.Created || again.AdminTenant.ID != AdminTenantID || again.SignInURL != "" {
		t.Fatalf("second bootstrap %+v %v", again, err)
	}
	if _, n, _ := f.st.ListUsers(ctx, AdminTenantID, idp.UserQuery{}); n != 1 {
		t.Fatalf("%d administrators after a second bootstrap", n)
	}
	// Only the server and the CLI bootstrap.
	if _, err := f.svc.Bootstrap(userIn(b.Account.ID, idp.RoleOwner), BootstrapInput{}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("user bootstrap: %v", err)
	}
}

func mapValues(m map[string]string) []string {
	var out []string
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

func TestCreateSignInLink(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "ada@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.CreateSignInLink(ctx, "tenant-a", u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetLoginChallengeByLink(ctx, "tenant-a", secret.HashBytes(tok)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetLoginChallengeByLink(ctx, "tenant-b", secret.HashBytes(tok)); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("link visible from another tenant: %v", err)
	}
	if _, err := f.svc.SuspendUser(ctx, "tenant-a", u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateSignInLink(ctx, "tenant-a", u.ID); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("link for a suspended user: %v", err)
	}
}

func TestSigningKeys(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	ks, err := f.svc.ListSigningKeys(ctx, "tenant-a")
	if err != nil || len(ks) != 1 || ks[0].PrivateEnc != nil {
		t.Fatalf("keys %+v %v", ks, err)
	}
	res, err := f.svc.RotateSigningKey(ctx, "tenant-a", false)
	if err != nil || res.Staged == nil || res.Activated != nil || res.Staged.PrivateEnc != nil {
		t.Fatalf("staged rotation %+v %v", res, err)
	}
	f.clock.Advance(time.Second)
	res, err = f.svc.RotateSigningKey(ctx, "tenant-a", true)
	if err != nil || res.Activated == nil || res.Activated.PrivateEnc != nil {
		t.Fatalf("immediate rotation %+v %v", res, err)
	}
	if len(f.keys.rotated) != 2 || f.keys.rotated[0] != (rotation{"tenant-a", "RS256", false}) || !f.keys.rotated[1].immediate {
		t.Fatalf("rotations %v", f.keys.rotated)
	}
	e := f.lastAudit(t, "tenant-a", "signing_key.rotate")
	if e.Details["activated"] != "kid-new" {
		t.Fatalf("audit %+v", e)
	}
	if _, err := f.svc.RotateSigningKey(userIn(f.accA, idp.RoleViewer), "tenant-a", true); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("viewer: %v", err)
	}
}

// TestBootstrapRestartAnnounces: a restart on a complete install announces
// no change (each announcement is a round trip and empties other nodes'
// caches); one that had to give the admin tenant its signing key announces
// the admin tenant.
func TestBootstrapRestartAnnounces(t *testing.T) {
	cases := []struct {
		name    string
		prepare func(f *fixture)
		want    []idp.Change
	}{
		{"complete install", func(*fixture) {}, nil},
		{"admin key missing", func(f *fixture) { delete(f.keys.ensured, AdminTenantID) },
			[]idp.Change{{Kind: idp.ChangeTenant, TenantID: AdminTenantID}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.prepare(f)
			var got []idp.Change
			f.svc.onChange = func(ch idp.Change) { got = append(got, ch) }
			res, err := f.svc.Bootstrap(cli(context.Background()), BootstrapInput{AdminEmail: "root@example.com"})
			if err != nil || res.Created {
				t.Fatalf("restart: %+v %v", res, err)
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Fatalf("announced %v, want %v", got, tc.want)
			}
			if f.keys.ensured[AdminTenantID] == "" {
				t.Fatal("the admin tenant has no signing key after the restart")
			}
		})
	}
}
