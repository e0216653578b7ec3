package manage

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	var ve *idp.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("got %v, want a validation error on %s", err, field)
	}
	if ve.Field != field {
		t.Fatalf("got a validation error on %s (%s), want %s", ve.Field, ve.Message, field)
	}
}

func TestCreateTenantValidation(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	cases := []struct {
		name  string
		in    TenantInput
		field string // "" = ok
	}{
		{"defaults", TenantInput{Name: "Shop"}, ""},
		{"chosen id", TenantInput{ID: "brave-otter-lantern", Name: "Shop"}, ""},
		{"every setting", TenantInput{Name: "Full", AllowRegistration: true, AuthMethods: []string{"magic_link", "passkey"},
			AllowedOrigins: []string{"https://App.Example.com", "http://127.0.0.1:3000"}, SigningAlg: "ES256",
			AccessTokenTTL: 60, IDTokenTTL: 86400, RefreshTokenTTL: 3600, RefreshAbsoluteTTL: 3600,
			EmailFromName: "Shop", EmailFromAddress: "no-reply@shop.example", DefaultLanguage: "pt-BR"}, ""},
		{"no name", TenantInput{}, "name"},
		{"long name", TenantInput{Name: string(make([]byte, 101))}, "name"},
		{"upper-case id", TenantInput{ID: "Acme", Name: "x"}, "id"},
		{"reserved id", TenantInput{ID: "admin", Name: "x"}, "id"},
		{"login id", TenantInput{ID: "login", Name: "x"}, "id"},
		{"taken id", TenantInput{ID: "tenant-a", Name: "x"}, "id"},
		{"unknown method", TenantInput{Name: "x", AuthMethods: []string{"sms"}}, "auth_methods"},
		{"origin with path", TenantInput{Name: "x", AllowedOrigins: []string{"https://app.example.com/"}}, "allowed_origins"},
		{"origin http", TenantInput{Name: "x", AllowedOrigins: []string{"http://app.example.com"}}, "allowed_origins"},
		{"origin wildcard", TenantInput{Name: "x", AllowedOrigins: []string{"https://*.example.com"}}, "allowed_origins"},
		{"origin userinfo", TenantInput{Name: "x", AllowedOrigins: []string{"https://a@app.example.com"}}, "allowed_origins"},
		{"origin null", TenantInput{Name: "x", AllowedOrigins: []string{"null"}}, "allowed_origins"},
		{"alg HS256", TenantInput{Name: "x", SigningAlg: "HS256"}, "signing_alg"},
		{"alg none", TenantInput{Name: "x", SigningAlg: "none"}, "signing_alg"},
		{"access ttl short", TenantInput{Name: "x", AccessTokenTTL: 59}, "access_token_ttl"},
		{"access ttl long", TenantInput{Name: "x", AccessTokenTTL: 86401}, "access_token_ttl"},
		{"access ttl negative", TenantInput{Name: "x", AccessTokenTTL: -1}, "access_token_ttl"},
		{"id ttl long", TenantInput{Name: "x", IDTokenTTL: 86401}, "id_token_ttl"},
		{"refresh short", TenantInput{Name: "x", RefreshTokenTTL: 3599}, "refresh_token_ttl"},
		{"refresh long", TenantInput{Name: "x", RefreshTokenTTL: 365*86400 + 1}, "refresh_token_ttl"},
		{"absolute below refresh", TenantInput{Name: "x", RefreshTokenTTL: 7200, RefreshAbsoluteTTL: 3600}, "refresh_absolute_ttl"},
		{"idle above session", TenantInput{Name: "x", SessionTTL: 3600, SessionIdleTTL: 7200}, "session_idle_ttl"},
		{"sender with name", TenantInput{Name: "x", EmailFromAddress: "Shop <a@b.example>"}, "email_from_address"},
		{"bad language", TenantInput{Name: "x", DefaultLanguage: "english!"}, "default_language"},
		{"unknown account", TenantInput{Name: "x", AccountID: "acc_nope"}, "account_id"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.svc.CreateTenant(ctx, c.in)
			if c.field != "" {
				wantField(t, err, c.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if res.Issuer != "https://"+res.ID+".example.com" {
				t.Fatalf("issuer %q", res.Issuer)
			}
			if f.keys.ensured[res.ID] != res.SigningAlg {
				t.Fatalf("first key: %q, want %q", f.keys.ensured[res.ID], res.SigningAlg)
			}
			if res.AccountID != f.accA {
				t.Fatalf("account %q, want the first administrator's %q", res.AccountID, f.accA)
			}
			got, err := f.svc.GetTenant(ctx, res.ID)
			if err != nil || got.Name != res.Name || got.AccessTokenTTL != res.AccessTokenTTL {
				t.Fatalf("round trip: %+v %v", got, err)
			}
		})
	}
}

func TestCreateTenantNormalises(t *testing.T) {
	f := newFixture(t)
	res, err := f.svc.CreateTenant(cli(context.Background()), TenantInput{Name: "  Shop  ",
		AllowedOrigins: []string{"HTTPS://App.Example.com", "https://app.example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Name != "Shop" || len(res.AllowedOrigins) != 1 || res.AllowedOrigins[0] != "https://app.example.com" {
		t.Fatalf("got %q %v", res.Name, res.AllowedOrigins)
	}
	if res.SigningAlg != idp.AlgRS256 || res.AccessTokenTTL != idp.DefaultAccessTokenTTL || !res.HasAuthMethod(idp.AuthMethodMagicLink) {
		t.Fatalf("defaults not applied: %+v", res.Tenant)
	}
	if err := tenant.ValidID(res.ID); err != nil {
		t.Fatalf("generated id %q: %v", res.ID, err)
	}
}

// A user actor creates tenants only in an account where they write.
func TestCreateTenantAsUser(t *testing.T) {
	f := newFixture(t)
	res, err := f.svc.CreateTenant(userIn(f.accB, idp.RoleAdmin), TenantInput{Name: "Mine"})
	if err != nil || res.AccountID != f.accB {
		t.Fatalf("got %+v, %v", res, err)
	}
	if _, err := f.svc.CreateTenant(userIn(f.accB, idp.RoleViewer), TenantInput{Name: "No"}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("viewer without account: %v", err)
	}
	if _, err := f.svc.CreateTenant(userIn(f.accB, idp.RoleViewer), TenantInput{Name: "No", AccountID: f.accB}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("viewer: %v", err)
	}
	if _, err := f.svc.CreateTenant(userIn(f.accB, idp.RoleOwner), TenantInput{Name: "No", AccountID: f.accA}); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("foreign account: %v", err)
	}
	m2m := WithActor(context.Background(), Actor{Type: ActorClient, ID: "m", TenantID: "tenant-a"})
	if _, err := f.svc.CreateTenant(m2m, TenantInput{Name: "No"}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("machine token: %v", err)
	}
}

func TestUpdateTenant(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	if _, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{AllowedOrigins: &[]string{"https://a.example", "https://b.example"}}); err != nil {
		t.Fatal(err)
	}
	name, reg, ttl, alg := "New name", true, 300, "EdDSA"
	res, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{
		Name: &name, AllowRegistration: &reg, AccessTokenTTL: &ttl, SigningAlg: &alg,
		AddAllowedOrigins: []string{"http://localhost:5173"}, RemoveAllowedOrigins: []string{"HTTPS://A.EXAMPLE"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetTenant(ctx, "tenant-a")
	if got.Name != name || !got.AllowRegistration || got.AccessTokenTTL != 300 || got.SigningAlg != "EdDSA" || got.IDTokenTTL != idp.DefaultIDTokenTTL {
		t.Fatalf("stored: %+v", got.Tenant)
	}
	if want := []string{"https://b.example", "http://localhost:5173"}; len(got.AllowedOrigins) != 2 || got.AllowedOrigins[0] != want[0] || got.AllowedOrigins[1] != want[1] {
		t.Fatalf("origins %v, want %v", got.AllowedOrigins, want)
	}
	if res.Issuer == "" {
		t.Fatal("no issuer in the result")
	}
	if len(f.keys.rotated) != 1 || f.keys.rotated[0] != (rotation{"tenant-a", "EdDSA", true}) {
		t.Fatalf("rotations %v, want one immediate EdDSA rotation", f.keys.rotated)
	}
	// Same algorithm again: no rotation.
	if _, err := f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{SigningAlg: &alg}); err != nil || len(f.keys.rotated) != 1 {
		t.Fatalf("%v, rotations %v", err, f.keys.rotated)
	}
	bad := 10
	f.clock.Advance(time.Second)
	_, err = f.svc.UpdateTenant(ctx, "tenant-a", TenantPatch{RefreshTokenTTL: &bad})
	wantField(t, err, "refresh_token_ttl")
	e := f.lastAudit(t, "tenant-a", "tenant.update")
	if e.Outcome != "failure" || e.Details["field"] != "refresh_token_ttl" {
		t.Fatalf("failure audit %+v", e)
	}
}

func TestDeleteTenant(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	if err := f.svc.DeleteTenant(ctx, AdminTenantID); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("deleting the admin tenant: %v", err)
	}
	if err := f.svc.DeleteTenant(userIn(f.accA, idp.RoleViewer), "tenant-a"); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("viewer: %v", err)
	}
	m2m := WithActor(context.Background(), Actor{Type: ActorClient, ID: "m", TenantID: "tenant-a"})
	if err := f.svc.DeleteTenant(m2m, "tenant-a"); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("machine token: %v", err)
	}
	if err := f.svc.DeleteTenant(ctx, "tenant-a"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetTenant(ctx, "tenant-a"); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	e := f.lastAudit(t, AdminTenantID, "tenant.delete")
	if e.ObjectID != "tenant-a" || e.Outcome != "success" || e.ActorType != ActorCLI {
		t.Fatalf("audit %+v", e)
	}
}
