package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func (f *fixture) challengeValue(tenantID string) *idp.LoginChallenge {
	id := f.id("chal")
	return &idp.LoginChallenge{TenantID: tenantID, ID: id, Email: email, UserID: userID,
		AuthRequestID: "req-1", BrowserHash: "browser-hash", PINHash: []byte("pin-hash:" + id),
		LinkHash: []byte("link-hash:" + id), PINExpiresAt: t0.Add(idp.PINLifetime),
		LinkExpiresAt: t0.Add(idp.LinkLifetime), CreatedAt: t0}
}

func testLoginChallenges(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	c := f.challengeValue(tenantA)
	t.Run("CreateGet", func(t *testing.T) {
		must(t, s.CreateLoginChallenge(ctx, tenantA, c))
		got, err := s.GetLoginChallenge(ctx, tenantA, c.ID)
		must(t, err)
		wantEqual(t, got, c)
		got, err = s.GetLoginChallengeByLink(ctx, tenantA, c.LinkHash)
		must(t, err)
		wantEqual(t, got, c)
		// An unknown email (sign-up) has no user.
		signup := f.challengeValue(tenantA)
		signup.UserID, signup.Email, signup.Name = "", "new@example.com", "New Person"
		must(t, s.CreateLoginChallenge(ctx, tenantA, signup))
		got, err = s.GetLoginChallenge(ctx, tenantA, signup.ID)
		must(t, err)
		wantEqual(t, got, signup)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		wantErr(t, s.CreateLoginChallenge(ctx, tenantA, c), idp.ErrConflict)
		sameLink := f.challengeValue(tenantA)
		sameLink.LinkHash = c.LinkHash
		wantErr(t, s.CreateLoginChallenge(ctx, tenantA, sameLink), idp.ErrConflict)
	})
	t.Run("CreateCrossTenantUser", func(t *testing.T) {
		x := f.challengeValue(tenantB)
		x.UserID = aOnlyUser
		wantErr(t, s.CreateLoginChallenge(ctx, tenantB, x), idp.ErrNotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetLoginChallenge(ctx, tenantA, "chal-none")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetLoginChallengeByLink(ctx, tenantA, []byte("no-such-link"))
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.RecordPINFailure(ctx, tenantA, "chal-none")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.ConsumeLoginChallenge(ctx, tenantA, "chal-none", t0), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetLoginChallenge(ctx, tenantB, c.ID)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetLoginChallengeByLink(ctx, tenantB, c.LinkHash)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.RecordPINFailure(ctx, tenantB, c.ID)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.ConsumeLoginChallenge(ctx, tenantB, c.ID, t0), idp.ErrNotFound)
		got, err := s.GetLoginChallenge(ctx, tenantA, c.ID)
		must(t, err)
		wantEqual(t, got, c)
		// The same link hash may exist in another tenant.
		b := *c
		b.TenantID = tenantB
		must(t, s.CreateLoginChallenge(ctx, tenantB, &b))
	})
	t.Run("RecordPINFailure", func(t *testing.T) {
		for want := 1; want <= 3; want++ {
			n, err := s.RecordPINFailure(ctx, tenantA, c.ID)
			must(t, err)
			wantEqual(t, n, want)
		}
		got, err := s.GetLoginChallenge(ctx, tenantA, c.ID)
		must(t, err)
		wantEqual(t, got.Attempts, 3)
		b, err := s.GetLoginChallenge(ctx, tenantB, c.ID)
		must(t, err)
		wantEqual(t, b.Attempts, 0)
	})
	t.Run("Consume", func(t *testing.T) {
		at := t0.Add(time.Minute)
		must(t, s.ConsumeLoginChallenge(ctx, tenantA, c.ID, at))
		wantErr(t, s.ConsumeLoginChallenge(ctx, tenantA, c.ID, at.Add(time.Second)), idp.ErrAlreadyUsed)
		got, err := s.GetLoginChallenge(ctx, tenantA, c.ID)
		must(t, err)
		if got.ConsumedAt == nil || !got.ConsumedAt.Equal(at) {
			t.Fatalf("consumed_at = %v, want %v", got.ConsumedAt, at)
		}
		// Tenant B's challenge with the same id is still usable.
		must(t, s.ConsumeLoginChallenge(ctx, tenantB, c.ID, at))
	})
}

func testConsents(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	f.client(t, tenantA, "app-2")
	f.client(t, tenantB, "app-2")
	c1 := &idp.Consent{TenantID: tenantA, UserID: userID, ClientID: clientID,
		Scopes: []string{"openid", "email"}, CreatedAt: t0, UpdatedAt: t0}
	c2 := &idp.Consent{TenantID: tenantA, UserID: userID, ClientID: "app-2",
		Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}
	t.Run("PutGet", func(t *testing.T) {
		must(t, s.PutConsent(ctx, tenantA, c1))
		got, err := s.GetConsent(ctx, tenantA, userID, clientID)
		must(t, err)
		wantEqual(t, got, c1)
	})
	t.Run("PutReplaces", func(t *testing.T) {
		upd := *c1
		upd.Scopes, upd.CreatedAt, upd.UpdatedAt = []string{"openid", "email", "profile"}, t0.Add(time.Hour), t0.Add(time.Hour)
		must(t, s.PutConsent(ctx, tenantA, &upd))
		got, err := s.GetConsent(ctx, tenantA, userID, clientID)
		must(t, err)
		want := upd
		want.CreatedAt = c1.CreatedAt // first consent time kept
		wantEqual(t, got, &want)
		c1 = &want
	})
	t.Run("PutUnknownUserOrClient", func(t *testing.T) {
		x := *c1
		x.UserID = "no-such-user"
		wantErr(t, s.PutConsent(ctx, tenantA, &x), idp.ErrNotFound)
		x = *c1
		x.ClientID = "no-such-client"
		wantErr(t, s.PutConsent(ctx, tenantA, &x), idp.ErrNotFound)
	})
	t.Run("PutCrossTenant", func(t *testing.T) {
		x := *c1
		x.UserID = aOnlyUser
		wantErr(t, s.PutConsent(ctx, tenantB, &x), idp.ErrNotFound)
		x = *c1
		x.ClientID = aOnlyClient
		wantErr(t, s.PutConsent(ctx, tenantB, &x), idp.ErrNotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetConsent(ctx, tenantA, userID, "app-2")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.DeleteConsent(ctx, tenantA, userID, "app-2", t0), idp.ErrNotFound)
	})
	t.Run("List", func(t *testing.T) {
		must(t, s.PutConsent(ctx, tenantA, c2))
		got, err := s.ListConsents(ctx, tenantA, userID)
		must(t, err)
		wantEqual(t, got, []idp.Consent{*c1, *c2})
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetConsent(ctx, tenantB, userID, clientID)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.DeleteConsent(ctx, tenantB, userID, clientID, t0), idp.ErrNotFound)
		list, err := s.ListConsents(ctx, tenantB, userID)
		must(t, err)
		wantEqual(t, len(list), 0)
		got, err := s.GetConsent(ctx, tenantA, userID, clientID)
		must(t, err)
		wantEqual(t, got, c1)
	})
	t.Run("DeleteRevokesGrants", func(t *testing.T) {
		// Grants of user-1: one for "app" in A, one for "app-2" in A, one
		// for "app" in B.
		appA := f.issue(t, tenantA)
		app2A := f.issueFor(t, tenantA, "app-2")
		appB := f.issue(t, tenantB)
		must(t, s.PutConsent(ctx, tenantB, &idp.Consent{UserID: userID, ClientID: clientID, CreatedAt: t0, UpdatedAt: t0}))

		at := t0.Add(time.Hour)
		must(t, s.DeleteConsent(ctx, tenantA, userID, clientID, at))
		_, err := s.GetConsent(ctx, tenantA, userID, clientID)
		wantErr(t, err, idp.ErrNotFound)

		wantRevoked(t, f, tenantA, appA, true)
		wantRevoked(t, f, tenantA, app2A, false)
		wantRevoked(t, f, tenantB, appB, false)
		_, err = s.GetConsent(ctx, tenantB, userID, clientID)
		must(t, err)
	})
}
