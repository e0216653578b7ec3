package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/secret"
)

// dryRunSeed is what the dry-run cases act on in tenant-a.
type dryRunSeed struct {
	web, spa  string // client ids
	secretID  string // the web client's first secret
	user      string // user id, email taken@example.com
	other     string // a second user, other@example.com
	rs        string // resource server id (https://api.example.com)
	stagedKid string
}

func seedDryRun(t *testing.T, f *fixture) dryRunSeed {
	t.Helper()
	ctx := cli(context.Background())
	var d dryRunSeed
	web, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: "web-1", Name: "Web", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	d.web, d.secretID = web.Client.ID, web.Secret.ID
	spa, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: "spa-1", Name: "SPA", Type: idp.ClientSPA, RedirectURIs: []string{"http://localhost:5173/callback"}})
	if err != nil {
		t.Fatal(err)
	}
	d.spa = spa.Client.ID
	u, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "taken@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	d.user = u.ID
	o, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "other@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	d.other = o.ID
	// A live session and a consent for the user, which suspension,
	// deletion and revocations end.
	if err := f.st.CreateSession(context.Background(), "tenant-a", &idp.Session{TenantID: "tenant-a", ID: "sess-1", UserID: d.user,
		AuthTime: t0, AMR: []string{"email"}, CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutConsent(context.Background(), "tenant-a", &idp.Consent{TenantID: "tenant-a", UserID: d.user, ClientID: d.web,
		Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	rs, err := f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "https://api.example.com", Name: "API"})
	if err != nil {
		t.Fatal(err)
	}
	d.rs = rs.ID
	k, err := f.svc.StageSigningKey(ctx, "tenant-a", "ES256")
	if err != nil {
		t.Fatal(err)
	}
	d.stagedKid = k.ID
	return d
}

// snapshot is everything a mutation of tenant-a could change, as JSON:
// equal snapshots mean nothing was written (audit records included).
func snapshot(t *testing.T, f *fixture) []byte {
	t.Helper()
	ctx := context.Background()
	var parts []any
	add := func(v any, err error) {
		if err != nil && !errors.Is(err, idp.ErrNotFound) {
			t.Fatal(err)
		}
		parts = append(parts, v)
	}
	addN := func(v any, _ int, err error) { add(v, err) }
	addN(f.st.ListTenants(ctx, "", idp.Page{Limit: 200}))
	for _, id := range []string{"tenant-a", "tenant-b", f.boot.AdminTenant.ID} {
		add(f.st.GetTenant(ctx, id))
		addN(f.st.ListClients(ctx, id, idp.Page{Limit: 200}))
		addN(f.st.ListUsers(ctx, id, idp.UserQuery{Page: idp.Page{Limit: 200}}))
		addN(f.st.ListResourceServers(ctx, id, idp.Page{Limit: 200}))
		add(f.st.GetTheme(ctx, id))
		addN(f.st.ListAudit(ctx, id, idp.AuditQuery{Page: idp.Page{Limit: 1000}}))
	}
	add(f.st.ListClientSecrets(ctx, "tenant-a", "web-1"))
	for _, u := range []string{"taken@example.com", "other@example.com"} {
		if usr, err := f.st.GetUserByEmail(ctx, "tenant-a", u); err == nil {
			add(f.st.ListUserSessions(ctx, "tenant-a", usr.ID, f.clock.Now()))
			add(f.st.GetConsent(ctx, "tenant-a", usr.ID, "web-1"))
		}
	}
	f.keys.mu.Lock()
	parts = append(parts, f.keys.ensured, f.keys.rotated, f.keys.staged)
	f.keys.mu.Unlock()
	f.st.mu.Lock()
	parts = append(parts, f.st.revokedGrants)
	f.st.mu.Unlock()
	b, err := json.Marshal(parts)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var pngPixel = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")

// TestDryRun: for every mutation, a dry run by an admin succeeds and
// writes nothing (no store change, no key change, no audit record); with
// bad input it fails with exactly the error of the real call; a viewer is
// denied exactly as for real, and the dry-run denial leaves no audit
// record; a foreign tenant is not found.
func TestDryRun(t *testing.T) {
	str := func(s string) *string { return &s }
	type op struct {
		name string
		// ok runs the operation with valid input and returns its result.
		ok func(ctx context.Context, f *fixture, d dryRunSeed) (any, error)
		// bad runs it with input the real call refuses (nil: none).
		bad func(ctx context.Context, f *fixture, d dryRunSeed) error
	}
	ops := []op{
		{"create client",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "New", Type: idp.ClientWeb, RedirectURIs: []string{"https://new.example.com/cb"}})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "New", Type: idp.ClientWeb, RedirectURIs: []string{"javascript:alert(1)"}})
				return err
			}},
		{"create client with a taken id",
			nil,
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{ID: d.web, Name: "Dup", Type: idp.ClientBackend})
				return err
			}},
		{"update client",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.UpdateClient(ctx, "tenant-a", d.web, ClientPatch{AddRedirectURIs: []string{"https://app.example.com/cb2"}})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.UpdateClient(ctx, "tenant-a", d.web, ClientPatch{AddRedirectURIs: []string{"http://evil.example.com/cb"}})
				return err
			}},
		{"remove redirect URIs",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.UpdateClient(ctx, "tenant-a", d.web, ClientPatch{AddRedirectURIs: []string{"https://app.example.com/x"}, RemoveRedirectURIs: []string{"https://app.example.com/cb"}})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				// Removing the only redirect URI leaves none: refused.
				_, err := f.svc.UpdateClient(ctx, "tenant-a", d.spa, ClientPatch{RemoveRedirectURIs: []string{"http://localhost:5173/callback"}})
				return err
			}},
		{"delete client",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.DeleteClient(ctx, "tenant-a", d.web)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				return f.svc.DeleteClient(ctx, "tenant-a", "no-such-client")
			}},
		{"add client secret",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.AddClientSecret(ctx, "tenant-a", d.web)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.AddClientSecret(ctx, "tenant-a", d.spa)
				return err
			}},
		{"delete client secret",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.DeleteClientSecret(ctx, "tenant-a", d.web, d.secretID)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				return f.svc.DeleteClientSecret(ctx, "tenant-a", d.web, "sec_nope")
			}},
		{"create user",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "New@Example.com", Name: "New"})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "not-an-email"})
				return err
			}},
		{"create user with a taken email",
			nil,
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateUser(ctx, "tenant-a", UserInput{Email: "taken@example.com"})
				return err
			}},
		{"update user",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.UpdateUser(ctx, "tenant-a", d.user, UserPatch{Name: str("Renamed"), Email: str("fresh@example.com")})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.UpdateUser(ctx, "tenant-a", d.user, UserPatch{Email: str("other@example.com")})
				return err
			}},
		{"suspend tenant",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.SuspendTenant(ctx, "tenant-a")
			},
			nil}, // the admin tenant's refusal: TestSuspendTenantDryRun (a user does not see it)
		{"suspend user",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.SuspendUser(ctx, "tenant-a", d.user)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.SuspendUser(ctx, "tenant-a", "usr_nope")
				return err
			}},
		{"delete user",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.DeleteUser(ctx, "tenant-a", d.user)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				return f.svc.DeleteUser(ctx, "tenant-a", "usr_nope")
			}},
		{"revoke user sessions",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.RevokeUserSessions(ctx, "tenant-a", d.user)
			},
			nil},
		{"revoke connected app",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.RevokeConnectedApp(ctx, "tenant-a", d.user, d.web)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				return f.svc.RevokeConnectedApp(ctx, "tenant-a", d.user, d.spa)
			}},
		{"create resource server",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "https://orders.example.com", Name: "Orders",
					Scopes: []idp.ResourceScope{{Value: "orders:read"}}})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "http://orders.example.com", Name: "Orders"})
				return err
			}},
		{"create resource server with a taken identifier",
			nil,
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "https://api.example.com", Name: "Again"})
				return err
			}},
		{"add resource server scope",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.AddResourceServerScope(ctx, "tenant-a", d.rs, idp.ResourceScope{Value: "api:write", Description: "Write"})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.AddResourceServerScope(ctx, "tenant-a", d.rs, idp.ResourceScope{Value: "other:write"})
				return err
			}},
		{"update resource server",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.UpdateResourceServer(ctx, "tenant-a", "https://api.example.com", ResourceServerPatch{Name: str("Renamed")})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.UpdateResourceServer(ctx, "tenant-a", d.rs, ResourceServerPatch{Name: str("")})
				return err
			}},
		{"delete resource server",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.DeleteResourceServer(ctx, "tenant-a", d.rs)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				return f.svc.DeleteResourceServer(ctx, "tenant-a", ManagementAPI)
			}},
		{"update tenant",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				alg := idp.AlgES256
				return f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{AddAllowedOrigins: []string{"http://localhost:5173"}, SigningAlg: &alg})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{AddAllowedOrigins: []string{"http://evil.example.com"}})
				return err
			}},
		{"delete tenant",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return nil, f.svc.DeleteTenant(ctx, "tenant-a")
			},
			nil},
		{"update theme",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.UpdateTheme(ctx, "tenant-a", ThemePatch{Light: ColorsPatch{PrimaryColor: str("#112233")}, DefaultLanguage: str("de")})
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.UpdateTheme(ctx, "tenant-a", ThemePatch{Light: ColorsPatch{PrimaryColor: str("red")}})
				return err
			}},
		{"reset theme",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.ResetTheme(ctx, "tenant-a")
			},
			nil},
		{"set theme logo",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.SetThemeImage(ctx, "tenant-a", ImageLogo, "image/png", pngPixel)
			},
			func(ctx context.Context, f *fixture, d dryRunSeed) error {
				_, err := f.svc.SetThemeImage(ctx, "tenant-a", ImageLogo, "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`))
				return err
			}},
		{"rotate signing key",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.RotateSigningKey(ctx, "tenant-a", true)
			},
			nil},
		{"stage signing key",
			func(ctx context.Context, f *fixture, d dryRunSeed) (any, error) {
				return f.svc.StageSigningKey(ctx, "tenant-a", "EdDSA")
			},
			nil}, // bad algorithms: TestDryRunSigningKeys (the fake accepts any)
	}
	for _, o := range ops {
		t.Run(o.name, func(t *testing.T) {
			t.Parallel() // each case has its own database
			f := newFixture(t)
			d := seedDryRun(t, f)
			admin := userIn(f.accA, idp.RoleAdmin)
			if o.bad != nil {
				// First: a refused real call writes only its audit record.
				before := snapshot(t, f)
				dryErr := o.bad(WithDryRun(admin), f, d)
				if dryErr == nil {
					t.Fatal("dry run accepted input the real call refuses")
				}
				if after := snapshot(t, f); !bytes.Equal(before, after) {
					t.Fatal("a refused dry run left a trace")
				}
				// The same kind of error; a validation error word for
				// word (it is what REST and MCP show).
				realErr := o.bad(admin, f, d)
				if realErr == nil || reason(dryErr) != reason(realErr) {
					t.Fatalf("bad input: dry run %q, real %q", dryErr, realErr)
				}
				var dv, rv *idp.ValidationError
				if errors.As(dryErr, &dv) != errors.As(realErr, &rv) || (dv != nil && *dv != *rv) {
					t.Fatalf("validation errors differ: %v / %v", dv, rv)
				}
			}
			if o.ok != nil {
				before := snapshot(t, f)
				res, err := o.ok(WithDryRun(admin), f, d)
				if err != nil {
					t.Fatalf("dry run: %v", err)
				}
				if after := snapshot(t, f); !bytes.Equal(before, after) {
					t.Fatalf("dry run changed state:\nbefore %s\nafter  %s", before, after)
				}
				switch r := res.(type) {
				case *ClientCreated:
					if r.Secret != nil {
						t.Fatal("dry run generated a client secret")
					}
				case *NewSecret:
					if r.Value != "" || r.Hint != "" {
						t.Fatal("dry run generated a client secret")
					}
				}

				// A viewer is denied exactly as for real; the dry-run
				// refusal is not audited, the real one is.
				viewer := userIn(f.accA, idp.RoleViewer)
				_, dryErr := o.ok(WithDryRun(viewer), f, d)
				if !errors.Is(dryErr, idp.ErrForbidden) {
					t.Fatalf("viewer dry run: got %v, want forbidden", dryErr)
				}
				if after := snapshot(t, f); !bytes.Equal(before, after) {
					t.Fatal("a refused dry run left a trace")
				}
				_, realErr := o.ok(viewer, f, d)
				if realErr == nil || dryErr.Error() != realErr.Error() {
					t.Fatalf("viewer: dry run %v, real %v", dryErr, realErr)
				}

				// Another account's owner does not see tenant-a.
				if _, err := o.ok(WithDryRun(userIn(f.accB, idp.RoleOwner)), f, d); !errors.Is(err, idp.ErrNotFound) {
					t.Fatalf("foreign owner dry run: got %v, want not found", err)
				}

				// And the real call does change something.
				before = snapshot(t, f)
				if _, err := o.ok(admin, f, d); err != nil {
					t.Fatalf("real call: %v", err)
				}
				if after := snapshot(t, f); bytes.Equal(before, after) {
					t.Fatal("the real call changed nothing: the snapshot does not cover this operation")
				}
			}
		})
	}
}

// TestDryRunResults: the dry run answers with the object the real call
// stores (ids generated, no secret).
func TestDryRunResults(t *testing.T) {
	f := newFixture(t)
	d := seedDryRun(t, f)
	ctx := WithDryRun(userIn(f.accA, idp.RoleOwner))

	cc, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: " Shop ", Type: idp.ClientWeb, RedirectURIs: []string{"https://shop.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if cc.Secret != nil || cc.Client.ID == "" || cc.Client.Name != "Shop" || cc.Client.TenantID != "tenant-a" {
		t.Fatalf("dry-run client: %+v secret %+v", cc.Client, cc.Secret)
	}
	if _, err := f.svc.GetClient(cli(context.Background()), "tenant-a", cc.Client.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("dry-run client stored: %v", err)
	}

	sec, err := f.svc.AddClientSecret(ctx, "tenant-a", d.web)
	if err != nil {
		t.Fatal(err)
	}
	if sec.Value != "" || sec.Hint != "" || sec.ID == "" {
		t.Fatalf("dry-run secret: %+v", sec)
	}

	u, err := f.svc.SuspendUser(ctx, "tenant-a", d.user)
	if err != nil || u.Status != idp.UserSuspended {
		t.Fatalf("dry-run suspend: %+v %v", u, err)
	}
	stored, _ := f.svc.GetUser(cli(context.Background()), "tenant-a", d.user)
	if stored.Status != idp.UserActive {
		t.Fatalf("dry-run suspend stored %s", stored.Status)
	}

	th, err := f.svc.UpdateTheme(ctx, "tenant-a", ThemePatch{Light: ColorsPatch{TextColor: strPtr("#EEEEEE")}})
	if err != nil || th.Theme.Light.TextColor != "#eeeeee" || len(th.Warnings) == 0 {
		t.Fatalf("dry-run theme: %+v %v", th, err)
	}

	tr, err := f.svc.CreateTenant(ctx, TenantInput{Name: "Planned"})
	if err != nil || tr.ID == "" || tr.Issuer == "" {
		t.Fatalf("dry-run tenant: %+v %v", tr, err)
	}
	if _, err := f.svc.GetTenant(cli(context.Background()), tr.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("dry-run tenant stored: %v", err)
	}
	if _, err := f.svc.CreateTenant(ctx, TenantInput{ID: "tenant-a", Name: "Again"}); err == nil || err.Error() != `id: tenant id "tenant-a" is taken` {
		t.Fatalf("dry-run taken tenant id: %v", err)
	}
}

func strPtr(s string) *string { return &s }

// TestDryRunSigningKeys checks the signing-key plans against what a real
// keys.Manager then does, step by step through a staged rotation.
func TestDryRunSigningKeys(t *testing.T) {
	f := newFixture(t)
	sealer, err := secret.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	km := keys.New(keys.Options{Store: f.st, Sealer: sealer, Clock: f.clock, Random: f.svc.random})
	svc := New(Options{Store: f.st, Keys: km, Clock: f.clock, Random: f.svc.random})
	ctx := cli(context.Background())
	if err := km.EnsureKey(ctx, "tenant-a", idp.AlgRS256); err != nil {
		t.Fatal(err)
	}
	dry := WithDryRun(ctx)
	list := func() []idp.SigningKey {
		ks, err := svc.ListSigningKeys(ctx, "tenant-a")
		if err != nil {
			t.Fatal(err)
		}
		return ks
	}
	states := func(r *keys.RotateResult) [3]string {
		s := func(k *idp.SigningKey) string {
			if k == nil {
				return "-"
			}
			return string(k.State)
		}
		return [3]string{s(r.Staged), s(r.Activated), s(r.Retired)}
	}
	same := func(step string, plan, real *keys.RotateResult) {
		t.Helper()
		if states(plan) != states(real) {
			t.Fatalf("%s: plan %v, real %v", step, states(plan), states(real))
		}
		if real.Retired != nil && plan.Retired.ID != real.Retired.ID {
			t.Fatalf("%s: plan retires %s, real %s", step, plan.Retired.ID, real.Retired.ID)
		}
	}
	// Step 1: rotation stages a key.
	before := list()
	plan, err := svc.RotateSigningKey(dry, "tenant-a", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(list()) != len(before) {
		t.Fatal("dry-run rotation created a key")
	}
	real, err := svc.RotateSigningKey(ctx, "tenant-a", false)
	if err != nil {
		t.Fatal(err)
	}
	same("stage", plan, real)
	staged := real.Staged.ID

	// Step 2: once published long enough, rotation activates it.
	f.clock.Advance(keys.DefaultJWKSMaxAge + keys.DefaultCacheTTL + 1)
	plan, err = svc.RotateSigningKey(dry, "tenant-a", false)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Activated.ID != staged {
		t.Fatalf("plan activates %q, want the staged %s", plan.Activated.ID, staged)
	}
	real, err = svc.RotateSigningKey(ctx, "tenant-a", false)
	if err != nil {
		t.Fatal(err)
	}
	same("activate", plan, real)

	// Step 3: immediate rotation.
	plan, err = svc.RotateSigningKey(dry, "tenant-a", true)
	if err != nil {
		t.Fatal(err)
	}
	real, err = svc.RotateSigningKey(ctx, "tenant-a", true)
	if err != nil {
		t.Fatal(err)
	}
	same("immediate", plan, real)

	// Retire: the active key is refused in both modes; a staged one is
	// removed for real only.
	active := real.Activated.ID
	if _, err := svc.RetireSigningKey(dry, "tenant-a", active); !errors.Is(err, keys.ErrKeyActive) {
		t.Fatalf("dry-run retire of the active key: %v", err)
	}
	st, err := svc.StageSigningKey(ctx, "tenant-a", "")
	if err != nil {
		t.Fatal(err)
	}
	n := len(list())
	rr, err := svc.RetireSigningKey(dry, "tenant-a", st.ID)
	if err != nil || !rr.Removed || len(list()) != n {
		t.Fatalf("dry-run retire of a staged key: %+v %v (keys %d → %d)", rr, err, n, len(list()))
	}
	ar, err := svc.ActivateSigningKey(dry, "tenant-a", st.ID, true)
	if err != nil || ar.Activated.ID != st.ID || ar.Retired.ID != active {
		t.Fatalf("dry-run activate: %+v %v", ar, err)
	}
	if _, err := svc.ActivateSigningKey(dry, "tenant-a", "nope", true); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("dry-run activate of an unknown kid: %v", err)
	}
	_, dryErr := svc.StageSigningKey(dry, "tenant-a", "HS256")
	_, realErr := svc.StageSigningKey(ctx, "tenant-a", "HS256")
	var dv, rv *idp.ValidationError
	if !errors.As(dryErr, &dv) || !errors.As(realErr, &rv) || *dv != *rv {
		t.Fatalf("stage HS256: dry run %v, real %v", dryErr, realErr)
	}
	for _, k := range list() {
		if k.ID == st.ID && k.State != idp.KeyStaged {
			t.Fatalf("dry-run activation changed the key: %s", k.State)
		}
	}
}
