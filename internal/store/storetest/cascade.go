package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// testPingClose checks readiness and that a closed store stops answering.
// newStore's own cleanup may close it again.
func testPingClose(t *testing.T, f *fixture) {
	must(t, f.s.Ping(f.ctx))
	must(t, f.s.Close())
	if err := f.s.Ping(f.ctx); err == nil {
		t.Fatal("Ping succeeded on a closed store")
	}
}

// testCascades checks that DeleteTenant removes everything the tenant owns
// and nothing of the other tenant, and that a tenant re-created with the
// same id starts empty.
func testCascades(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	type owned struct {
		grantID, refresh, jti, code string
	}
	fill := func(tenantID string) owned {
		must(t, s.PutTheme(ctx, tenantID, &idp.Theme{TenantID: tenantID, UpdatedAt: t0}))
		must(t, s.AddClientSecret(ctx, tenantID, &idp.ClientSecret{ClientID: clientID, ID: "sec", Hash: []byte{1}, CreatedAt: t0}))
		must(t, s.CreateResourceServer(ctx, tenantID, &idp.ResourceServer{ID: "rs", Identifier: "https://api.example.com", CreatedAt: t0, UpdatedAt: t0}))
		must(t, s.CreateSigningKey(ctx, tenantID, &idp.SigningKey{ID: "kid-" + tenantID, Alg: idp.AlgRS256,
			State: idp.KeyActive, PrivateEnc: []byte{1}, PublicJWK: []byte("{}"), CreatedAt: t0}))
		must(t, s.CreateSession(ctx, tenantID, &idp.Session{ID: "sess", UserID: userID, AuthTime: t0,
			CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(time.Hour)}))
		must(t, s.CreateAuthRequest(ctx, tenantID, &idp.AuthRequest{ID: "req", ClientID: clientID,
			RedirectURI: "https://app.example.com/callback", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}))
		ch := f.challengeValue(tenantID)
		ch.ID = "chal"
		must(t, s.CreateLoginChallenge(ctx, tenantID, ch))
		must(t, s.PutConsent(ctx, tenantID, &idp.Consent{UserID: userID, ClientID: clientID, CreatedAt: t0, UpdatedAt: t0}))
		must(t, s.AppendAudit(ctx, &idp.AuditEvent{TenantID: tenantID, ID: "ev", Time: t0, Action: "x"}))
		iss := f.issue(t, tenantID)
		code := f.codeValue(tenantID)
		must(t, s.CreateAuthCode(ctx, tenantID, code))
		return owned{iss.Grant.ID, iss.Refresh.Hash, iss.Access.JTI, code.Hash}
	}
	a, b := fill(tenantA), fill(tenantB)
	must(t, s.DeleteTenant(ctx, tenantA))

	for _, c := range []struct {
		tenantID string
		o        owned
		gone     bool
	}{{tenantA, a, true}, {tenantB, b, false}} {
		tid, o := c.tenantID, c.o
		check := func(what string, err error) {
			t.Helper()
			if c.gone && err == nil {
				t.Errorf("%s of deleted tenant %s still exists", what, tid)
			}
			if !c.gone && err != nil {
				t.Errorf("%s of tenant %s: %v", what, tid, err)
			}
		}
		_, err := s.GetTenant(ctx, tid)
		check("tenant", err)
		_, err = s.GetTheme(ctx, tid)
		check("theme", err)
		_, err = s.GetClient(ctx, tid, clientID)
		check("client", err)
		_, err = s.GetUser(ctx, tid, userID)
		check("user", err)
		_, err = s.GetResourceServer(ctx, tid, "rs")
		check("resource server", err)
		_, err = s.GetSession(ctx, tid, "sess")
		check("session", err)
		_, err = s.GetAuthRequest(ctx, tid, "req", t0)
		check("auth request", err)
		_, err = s.GetLoginChallenge(ctx, tid, "chal")
		check("login challenge", err)
		_, err = s.GetConsent(ctx, tid, userID, clientID)
		check("consent", err)
		_, err = s.GetAuthCode(ctx, tid, o.code)
		check("auth code", err)
		_, err = s.GetGrant(ctx, tid, o.grantID)
		check("grant", err)
		_, _, err = s.GetRefreshToken(ctx, tid, o.refresh)
		check("refresh token", err)
	}

	// Re-created with the same id, tenant A starts empty.
	must(t, s.CreateTenant(ctx, tenant(tenantA, "acct-1")))
	keys, err := s.ListSigningKeys(ctx, tenantA)
	must(t, err)
	secrets, err := s.ListClientSecrets(ctx, tenantA, clientID)
	must(t, err)
	_, users, err := s.ListUsers(ctx, tenantA, idp.UserQuery{})
	must(t, err)
	_, clients, err := s.ListClients(ctx, tenantA, idp.Page{})
	must(t, err)
	_, events, err := s.ListAudit(ctx, tenantA, idp.AuditQuery{})
	must(t, err)
	if len(keys)+len(secrets)+users+clients+events != 0 {
		t.Fatalf("re-created tenant inherits data: %d keys, %d secrets, %d users, %d clients, %d events",
			len(keys), len(secrets), users, clients, events)
	}
	active, err := s.AccessTokenActive(ctx, tenantB, b.jti)
	must(t, err)
	wantEqual(t, active, true)
}
