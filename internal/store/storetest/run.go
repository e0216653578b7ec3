package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// The two tenants of every fixture. They hold objects with the same ids and
// emails, so any query that forgets the tenant id shows up.
const (
	tenantA = "tenant-a"
	tenantB = "tenant-b"
	// Objects present in both tenants.
	clientID = "app"
	userID   = "user-1"
	email    = "alice@example.com"
	// Objects only tenant A has: creating children of them through
	// tenant B must fail as not found.
	aOnlyClient = "client-a-only"
	aOnlyUser   = "user-a-only"
)

// t0 is the fixed "now" of the suite (microsecond precision, UTC, as
// idp.SystemClock produces).
var t0 = time.Date(2026, 3, 14, 15, 9, 26, 535897000, time.UTC)

// Run runs the conformance suite against fresh stores from newStore, one
// per group of subtests; the groups run in parallel (t.Parallel). newStore
// must return a migrated, empty store and arrange for it to be closed when
// t ends.
func Run(t *testing.T, newStore func(t *testing.T) store.Store) {
	groups := []struct {
		name string
		run  func(t *testing.T, f *fixture)
	}{
		{"Tenants", testTenants},
		{"Themes", testThemes},
		{"ThemeAssets", testThemeAssets},
		{"Accounts", testAccounts},
		{"Clients", testClients},
		{"DynamicClients", testDynamicClients},
		{"AdminPreferences", testAdminPreferences},
		{"ClientSecrets", testClientSecrets},
		{"Users", testUsers},
		{"ResourceServers", testResourceServers},
		{"SigningKeys", testSigningKeys},
		{"Sessions", testSessions},
		{"AuthRequests", testAuthRequests},
		{"LoginChallenges", testLoginChallenges},
		{"Consents", testConsents},
		{"AuthCodes", testAuthCodes},
		{"Grants", testGrants},
		{"RefreshTokens", testRefreshTokens},
		{"AccessTokens", testAccessTokens},
		{"Revocations", testRevocations},
		{"Audit", testAudit},
		{"Purge", testPurge},
		{"Cascades", testCascades},
		{"Concurrency", testConcurrency},
		{"PingClose", testPingClose},
		{"Startup", testStartup},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			t.Parallel()
			s := newStore(t)
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			t.Cleanup(cancel)
			g.run(t, newFixture(t, ctx, s))
		})
	}
}

// fixture is a store holding tenants A and B, each with client "app" and
// user "user-1" <alice@example.com>, plus helpers that build more objects.
type fixture struct {
	ctx context.Context
	s   store.Store
	seq int
}

func newFixture(t *testing.T, ctx context.Context, s store.Store) *fixture {
	t.Helper()
	f := &fixture{ctx: ctx, s: s}
	must(t, s.CreateAccount(ctx, &idp.Account{ID: "acct-1", Name: "Account", CreatedAt: t0}))
	for _, id := range []string{tenantA, tenantB} {
		must(t, s.CreateTenant(ctx, tenant(id, "acct-1")))
		f.client(t, id, clientID)
		f.user(t, id, userID, email)
	}
	f.client(t, tenantA, aOnlyClient)
	f.user(t, tenantA, aOnlyUser, "only-a@example.com")
	return f
}

// id returns a fresh identifier with the given prefix.
func (f *fixture) id(prefix string) string {
	f.seq++
	return fmt.Sprintf("%s-%d", prefix, f.seq)
}

func tenant(id, account string) *idp.Tenant {
	t := &idp.Tenant{
		ID: id, AccountID: account, Name: "Tenant " + id, AllowRegistration: true,
		AllowedOrigins: []string{"https://" + id + ".example.com"},
		EmailFromName:  "Sign-in", EmailFromAddress: "no-reply@example.com",
		CreatedAt: t0, UpdatedAt: t0,
	}
	t.ApplyDefaults()
	return t
}

func (f *fixture) client(t *testing.T, tenantID, id string) *idp.Client {
	t.Helper()
	c := &idp.Client{
		TenantID: tenantID, ID: id, Name: "App in " + tenantID, Type: idp.ClientWeb,
		RedirectURIs:           []string{"https://app.example.com/callback"},
		PostLogoutRedirectURIs: []string{"https://app.example.com/"},
		Scopes:                 []string{"openid", "email"},
		RequireConsent:         true, DefaultResourceServer: "https://api.example.com",
		RefreshGraceSeconds: 30, CreatedAt: t0, UpdatedAt: t0,
	}
	must(t, f.s.CreateClient(f.ctx, tenantID, c))
	return c
}

func (f *fixture) user(t *testing.T, tenantID, id, email string) *idp.User {
	t.Helper()
	u := &idp.User{
		TenantID: tenantID, ID: id, Email: email, Name: "User " + id + " of " + tenantID,
		Status: idp.UserActive, Scopes: []string{"api:read"}, CreatedAt: t0, UpdatedAt: t0,
	}
	must(t, f.s.CreateUser(f.ctx, tenantID, u))
	return u
}

// grant builds (without storing) a grant of user-1 for client "app".
func (f *fixture) grantValue(tenantID string) *idp.Grant {
	return &idp.Grant{
		TenantID: tenantID, ID: f.id("grant"), ClientID: clientID, UserID: userID, SessionID: "sess",
		Scope: []string{"openid", "offline_access"}, Audience: []string{"https://api.example.com"},
		AuthTime: t0, AMR: []string{"otp"}, CreatedAt: t0, ExpiresAt: t0.Add(90 * 24 * time.Hour),
	}
}

func (f *fixture) refreshValue(tenantID string) *idp.RefreshToken {
	return &idp.RefreshToken{
		TenantID: tenantID, Hash: f.id("refresh-hash"), ClientID: clientID,
		Scope: []string{"openid", "offline_access"}, CreatedAt: t0, ExpiresAt: t0.Add(30 * 24 * time.Hour),
	}
}

func (f *fixture) accessValue(tenantID string) *idp.AccessTokenRecord {
	return &idp.AccessTokenRecord{TenantID: tenantID, JTI: f.id("jti"), ClientID: clientID,
		ExpiresAt: t0.Add(15 * time.Minute)}
}

func (f *fixture) codeValue(tenantID string) *idp.AuthCode {
	return &idp.AuthCode{
		TenantID: tenantID, Hash: f.id("code-hash"), ClientID: clientID, UserID: userID,
		SessionID: "sess", RedirectURI: "https://app.example.com/callback",
		Scope: []string{"openid", "offline_access"}, Audience: []string{"https://api.example.com"},
		Nonce: "n-0S6_WzA2Mj", CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
		CodeChallengeMethod: "S256", AuthTime: t0, AMR: []string{"otp"},
		CreatedAt: t0, ExpiresAt: t0.Add(idp.AuthCodeLifetime),
	}
}

// issue redeems a fresh code in tenantID and returns what was issued: a
// live grant with one refresh token and one access record.
func (f *fixture) issue(t *testing.T, tenantID string) store.Issue {
	t.Helper()
	c := f.codeValue(tenantID)
	must(t, f.s.CreateAuthCode(f.ctx, tenantID, c))
	iss := store.Issue{Grant: f.grantValue(tenantID), Refresh: f.refreshValue(tenantID), Access: f.accessValue(tenantID)}
	must(t, f.s.RedeemAuthCode(f.ctx, tenantID, c.Hash, t0.Add(time.Second), iss))
	return iss
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

func wantErr(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v, want %v", err, target)
	}
}

func wantEqual[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("mismatch\n got: %s\nwant: %s", show(got), show(want))
	}
}

// show prints a value with pointers followed, for readable diffs.
func show(v any) string {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer && !rv.IsNil() {
		rv = rv.Elem()
	}
	if !rv.IsValid() {
		return "<nil>"
	}
	return fmt.Sprintf("%+v", rv.Interface())
}

func ptr[T any](v T) *T { return &v }

func issueOf(g *idp.Grant, r *idp.RefreshToken, a *idp.AccessTokenRecord) store.Issue {
	return store.Issue{Grant: g, Refresh: r, Access: a}
}

// issueFor is issue for another client of user-1.
func (f *fixture) issueFor(t *testing.T, tenantID, client string) store.Issue {
	t.Helper()
	c := f.codeValue(tenantID)
	c.ClientID = client
	must(t, f.s.CreateAuthCode(f.ctx, tenantID, c))
	iss := store.Issue{Grant: f.grantValue(tenantID), Refresh: f.refreshValue(tenantID), Access: f.accessValue(tenantID)}
	iss.Grant.ClientID, iss.Refresh.ClientID, iss.Access.ClientID = client, client, client
	must(t, f.s.RedeemAuthCode(f.ctx, tenantID, c.Hash, t0.Add(time.Second), iss))
	return iss
}

// wantRevoked checks whether an issued grant and its access record are
// revoked.
func wantRevoked(t *testing.T, f *fixture, tenantID string, iss store.Issue, revoked bool) {
	t.Helper()
	g, err := f.s.GetGrant(f.ctx, tenantID, iss.Grant.ID)
	must(t, err)
	if (g.RevokedAt != nil) != revoked {
		t.Fatalf("grant %s in %s: revoked_at = %v, want revoked %v", g.ID, tenantID, g.RevokedAt, revoked)
	}
	if iss.Access != nil {
		active, err := f.s.AccessTokenActive(f.ctx, tenantID, iss.Access.JTI)
		must(t, err)
		if active == revoked {
			t.Fatalf("access token %s in %s: active = %v, want %v", iss.Access.JTI, tenantID, active, !revoked)
		}
	}
}
