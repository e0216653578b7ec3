package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testClients(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("CreateGet", func(t *testing.T) {
		want := &idp.Client{TenantID: tenantA, ID: "spa", Name: "SPA", Type: idp.ClientSPA,
			RedirectURIs: []string{"https://spa.example.com/cb", "http://127.0.0.1/cb"},
			ThirdParty:   true, CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Second)}
		must(t, s.CreateClient(ctx, tenantA, want))
		got, err := s.GetClient(ctx, tenantA, "spa")
		must(t, err)
		wantEqual(t, got, want)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		c := &idp.Client{TenantID: tenantA, ID: clientID, Name: "dup", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, s.CreateClient(ctx, tenantA, c), idp.ErrConflict)
	})
	t.Run("CreateUnknownTenant", func(t *testing.T) {
		c := &idp.Client{TenantID: "no-such-tenant", ID: "x", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, s.CreateClient(ctx, "no-such-tenant", c), idp.ErrNotFound)
	})
	t.Run("CreateTenantMismatch", func(t *testing.T) {
		c := &idp.Client{TenantID: tenantA, ID: "mismatch", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, s.CreateClient(ctx, tenantB, c), idp.ErrInvalid)
		_, err := s.GetClient(ctx, tenantB, "mismatch")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("GetNotFound", func(t *testing.T) {
		_, err := s.GetClient(ctx, tenantA, "no-such-client")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("GetCrossTenant", func(t *testing.T) {
		_, err := s.GetClient(ctx, tenantB, "spa")
		wantErr(t, err, idp.ErrNotFound)
		a, err := s.GetClient(ctx, tenantA, clientID)
		must(t, err)
		b, err := s.GetClient(ctx, tenantB, clientID)
		must(t, err)
		if a.TenantID != tenantA || b.TenantID != tenantB || a.Name == b.Name {
			t.Fatalf("same client id in two tenants mixed up: %+v / %+v", a, b)
		}
	})
	t.Run("Update", func(t *testing.T) {
		c, err := s.GetClient(ctx, tenantA, "spa")
		must(t, err)
		c.Name, c.RedirectURIs, c.Scopes, c.RequireConsent = "SPA v2", nil, []string{"openid"}, true
		c.RefreshGraceSeconds, c.UpdatedAt = 60, t0.Add(time.Hour)
		must(t, s.UpdateClient(ctx, tenantA, c))
		got, err := s.GetClient(ctx, tenantA, "spa")
		must(t, err)
		wantEqual(t, got, c)
	})
	t.Run("UpdateNotFound", func(t *testing.T) {
		c := &idp.Client{TenantID: tenantA, ID: "no-such-client", Type: idp.ClientWeb, CreatedAt: t0, UpdatedAt: t0}
		wantErr(t, s.UpdateClient(ctx, tenantA, c), idp.ErrNotFound)
	})
	t.Run("UpdateCrossTenant", func(t *testing.T) {
		c, err := s.GetClient(ctx, tenantA, "spa")
		must(t, err)
		wantErr(t, s.UpdateClient(ctx, tenantB, c), idp.ErrNotFound)
		a, err := s.GetClient(ctx, tenantA, clientID)
		must(t, err)
		b, err := s.GetClient(ctx, tenantB, clientID)
		must(t, err)
		b.Name = "B renamed"
		must(t, s.UpdateClient(ctx, tenantB, b))
		after, err := s.GetClient(ctx, tenantA, clientID)
		must(t, err)
		wantEqual(t, after, a)
	})
	t.Run("List", func(t *testing.T) {
		got, total, err := s.ListClients(ctx, tenantA, idp.Page{})
		must(t, err)
		wantEqual(t, clientIDs(got), []string{clientID, aOnlyClient, "spa"})
		wantEqual(t, total, 3)
		got, total, err = s.ListClients(ctx, tenantA, idp.Page{Limit: 1, Offset: 2})
		must(t, err)
		wantEqual(t, clientIDs(got), []string{"spa"})
		wantEqual(t, total, 3)
		got, total, err = s.ListClients(ctx, tenantB, idp.Page{})
		must(t, err)
		wantEqual(t, clientIDs(got), []string{clientID})
		wantEqual(t, total, 1)
	})
	t.Run("DeleteCrossTenant", func(t *testing.T) {
		wantErr(t, s.DeleteClient(ctx, tenantB, "spa"), idp.ErrNotFound)
		_, err := s.GetClient(ctx, tenantA, "spa")
		must(t, err)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteClient(ctx, tenantA, "spa"))
		_, err := s.GetClient(ctx, tenantA, "spa")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.DeleteClient(ctx, tenantA, "spa"), idp.ErrNotFound)
	})
	t.Run("DeleteRevokesGrants", func(t *testing.T) {
		f.client(t, tenantA, "doomed")
		f.client(t, tenantB, "doomed")
		issue := func(tenantID string) (string, string) {
			c := f.codeValue(tenantID)
			c.ClientID = "doomed"
			must(t, s.CreateAuthCode(ctx, tenantID, c))
			g := f.grantValue(tenantID)
			g.ClientID = "doomed"
			a := f.accessValue(tenantID)
			must(t, s.RedeemAuthCode(ctx, tenantID, c.Hash, t0, issueOf(g, f.refreshValue(tenantID), a)))
			must(t, s.PutConsent(ctx, tenantID, &idp.Consent{UserID: userID, ClientID: "doomed",
				Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}))
			return g.ID, a.JTI
		}
		grantA, jtiA := issue(tenantA)
		grantB, jtiB := issue(tenantB)
		must(t, s.AddClientSecret(ctx, tenantA, &idp.ClientSecret{ClientID: "doomed", ID: "sec",
			Hash: []byte("hash"), CreatedAt: t0}))

		must(t, s.DeleteClient(ctx, tenantA, "doomed"))
		g, err := s.GetGrant(ctx, tenantA, grantA)
		must(t, err)
		if g.RevokedAt == nil {
			t.Fatal("grant of a deleted client is not revoked")
		}
		active, err := s.AccessTokenActive(ctx, tenantA, jtiA)
		must(t, err)
		wantEqual(t, active, false)
		secrets, err := s.ListClientSecrets(ctx, tenantA, "doomed")
		must(t, err)
		wantEqual(t, len(secrets), 0)
		_, err = s.GetConsent(ctx, tenantA, userID, "doomed")
		wantErr(t, err, idp.ErrNotFound)

		// Tenant B's client of the same id is untouched.
		g, err = s.GetGrant(ctx, tenantB, grantB)
		must(t, err)
		if g.RevokedAt != nil {
			t.Fatal("deleting a client revoked another tenant's grant")
		}
		active, err = s.AccessTokenActive(ctx, tenantB, jtiB)
		must(t, err)
		wantEqual(t, active, true)
		_, err = s.GetConsent(ctx, tenantB, userID, "doomed")
		must(t, err)
	})
}

func clientIDs(cs []idp.Client) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

func testClientSecrets(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	s1 := &idp.ClientSecret{TenantID: tenantA, ClientID: clientID, ID: "sec-1",
		Hash: []byte{0xde, 0xad, 0xbe, 0xef}, Hint: "wxyz", CreatedAt: t0}
	s2 := &idp.ClientSecret{TenantID: tenantA, ClientID: clientID, ID: "sec-2",
		Hash: []byte{0x01, 0x02}, Hint: "abcd", CreatedAt: t0.Add(time.Second), ExpiresAt: ptr(t0.Add(time.Hour))}
	t.Run("AddList", func(t *testing.T) {
		must(t, s.AddClientSecret(ctx, tenantA, s1))
		must(t, s.AddClientSecret(ctx, tenantA, s2))
		got, err := s.ListClientSecrets(ctx, tenantA, clientID)
		must(t, err)
		wantEqual(t, got, []idp.ClientSecret{*s1, *s2})
	})
	t.Run("AddConflict", func(t *testing.T) {
		wantErr(t, s.AddClientSecret(ctx, tenantA, s1), idp.ErrConflict)
	})
	t.Run("AddCrossTenant", func(t *testing.T) {
		x := *s1
		x.ClientID, x.ID = aOnlyClient, "sec-x"
		wantErr(t, s.AddClientSecret(ctx, tenantB, &x), idp.ErrNotFound)
		got, err := s.ListClientSecrets(ctx, tenantA, aOnlyClient)
		must(t, err)
		wantEqual(t, len(got), 0)
	})
	t.Run("AddUnknownClient", func(t *testing.T) {
		x := *s1
		x.ClientID = "no-such-client"
		wantErr(t, s.AddClientSecret(ctx, tenantA, &x), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		got, err := s.ListClientSecrets(ctx, tenantB, clientID)
		must(t, err)
		wantEqual(t, len(got), 0)
		wantErr(t, s.DeleteClientSecret(ctx, tenantB, clientID, "sec-1"), idp.ErrNotFound)
		got, err = s.ListClientSecrets(ctx, tenantA, clientID)
		must(t, err)
		wantEqual(t, len(got), 2)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteClientSecret(ctx, tenantA, clientID, "sec-1"))
		wantErr(t, s.DeleteClientSecret(ctx, tenantA, clientID, "sec-1"), idp.ErrNotFound)
		got, err := s.ListClientSecrets(ctx, tenantA, clientID)
		must(t, err)
		wantEqual(t, got, []idp.ClientSecret{*s2})
	})
}
