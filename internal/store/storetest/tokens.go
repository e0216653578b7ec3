package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

func testAuthCodes(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	redeemAt := t0.Add(5 * time.Second)
	newIssue := func(tenantID string) store.Issue {
		return issueOf(f.grantValue(tenantID), f.refreshValue(tenantID), f.accessValue(tenantID))
	}
	t.Run("CreateGet", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		wantEqual(t, got, c)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		wantErr(t, s.CreateAuthCode(ctx, tenantA, c), idp.ErrConflict)
	})
	t.Run("CreateUnknownUser", func(t *testing.T) {
		c := f.codeValue(tenantA)
		c.UserID = "no-such-user"
		wantErr(t, s.CreateAuthCode(ctx, tenantA, c), idp.ErrNotFound)
	})
	t.Run("CreateCrossTenantParents", func(t *testing.T) {
		c := f.codeValue(tenantB)
		c.UserID = aOnlyUser
		wantErr(t, s.CreateAuthCode(ctx, tenantB, c), idp.ErrNotFound)
		c = f.codeValue(tenantB)
		c.ClientID = aOnlyClient
		wantErr(t, s.CreateAuthCode(ctx, tenantB, c), idp.ErrNotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetAuthCode(ctx, tenantA, "no-such-hash")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.BurnAuthCode(ctx, tenantA, "no-such-hash", t0), idp.ErrNotFound)
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, "no-such-hash", t0, newIssue(tenantA)), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		_, err := s.GetAuthCode(ctx, tenantB, c.Hash)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.BurnAuthCode(ctx, tenantB, c.Hash, t0), idp.ErrNotFound)
		iss := newIssue(tenantB)
		wantErr(t, s.RedeemAuthCode(ctx, tenantB, c.Hash, redeemAt, iss), idp.ErrNotFound)
		_, err = s.GetGrant(ctx, tenantB, iss.Grant.ID)
		wantErr(t, err, idp.ErrNotFound)
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		wantEqual(t, got, c) // still unconsumed
		// The same hash in tenant B is a different code.
		b := *c
		b.TenantID = tenantB
		must(t, s.CreateAuthCode(ctx, tenantB, &b))
		must(t, s.RedeemAuthCode(ctx, tenantB, c.Hash, redeemAt, iss))
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, newIssue(tenantA)))
	})
	t.Run("Redeem", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		iss := newIssue(tenantA)
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, iss))

		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		want := *c
		want.ConsumedAt, want.GrantID = ptr(redeemAt), iss.Grant.ID
		wantEqual(t, got, &want)

		g, err := s.GetGrant(ctx, tenantA, iss.Grant.ID)
		must(t, err)
		wantEqual(t, g, iss.Grant)
		rt, rg, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		wantEqual(t, rt.GrantID, iss.Grant.ID)
		wantEqual(t, rt, iss.Refresh)
		wantEqual(t, rg, iss.Grant)
		active, err := s.AccessTokenActive(ctx, tenantA, iss.Access.JTI)
		must(t, err)
		wantEqual(t, active, true)
	})
	t.Run("RedeemWithoutRefresh", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		iss := issueOf(f.grantValue(tenantA), nil, f.accessValue(tenantA))
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, iss))
		_, err := s.GetGrant(ctx, tenantA, iss.Grant.ID)
		must(t, err)
	})
	t.Run("ReplayRevokesGrant", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		first := newIssue(tenantA)
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, first))
		second := newIssue(tenantA)
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt.Add(time.Second), second), idp.ErrAlreadyUsed)
		wantRevoked(t, f, tenantA, first, true)
		_, err := s.GetGrant(ctx, tenantA, second.Grant.ID)
		wantErr(t, err, idp.ErrNotFound) // the replay issued nothing
		// The family's refresh token is dead too.
		err = s.RotateRefreshToken(ctx, tenantA, first.Refresh.Hash, redeemAt.Add(2*time.Second),
			store.RotateOptions{}, issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA)))
		wantErr(t, err, idp.ErrExpired)
	})
	t.Run("Expired", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		iss := newIssue(tenantA)
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, c.ExpiresAt, iss), idp.ErrExpired)
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		if got.ConsumedAt != nil {
			t.Fatal("an expired redemption consumed the code")
		}
		_, err = s.GetGrant(ctx, tenantA, iss.Grant.ID)
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("AtomicOnConflict", func(t *testing.T) {
		// A grant id that already exists fails the whole redemption: the
		// code stays redeemable and nothing else is written.
		taken := f.issue(t, tenantA)
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		iss := newIssue(tenantA)
		iss.Grant.ID = taken.Grant.ID
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, iss), idp.ErrConflict)
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		if got.ConsumedAt != nil || got.GrantID != "" {
			t.Fatalf("failed redemption left the code consumed: %+v", got)
		}
		_, _, err = s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		wantErr(t, err, idp.ErrNotFound)
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, newIssue(tenantA)))
	})
	t.Run("RedeemRequiresMatchingGrant", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, store.Issue{}), idp.ErrInvalid)
		other := newIssue(tenantA)
		other.Grant.UserID = aOnlyUser
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, other), idp.ErrInvalid)
		other = newIssue(tenantA)
		other.Grant.ClientID = aOnlyClient
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, other), idp.ErrInvalid)
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		if got.ConsumedAt != nil {
			t.Fatal("a refused redemption consumed the code")
		}
	})
	t.Run("Burn", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		must(t, s.BurnAuthCode(ctx, tenantA, c.Hash, redeemAt))
		must(t, s.BurnAuthCode(ctx, tenantA, c.Hash, redeemAt.Add(time.Second)))
		got, err := s.GetAuthCode(ctx, tenantA, c.Hash)
		must(t, err)
		if got.ConsumedAt == nil || !got.ConsumedAt.Equal(redeemAt) {
			t.Fatalf("consumed_at = %v, want %v", got.ConsumedAt, redeemAt)
		}
		wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, redeemAt, newIssue(tenantA)), idp.ErrAlreadyUsed)
	})
}

func testGrants(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetGrant(ctx, tenantA, "no-such-grant")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.RevokeGrant(ctx, tenantA, "no-such-grant", t0), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		_, err := s.GetGrant(ctx, tenantB, iss.Grant.ID)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.RevokeGrant(ctx, tenantB, iss.Grant.ID, t0), idp.ErrNotFound)
		must(t, s.RevokeUserGrants(ctx, tenantB, userID, "", t0))
		wantRevoked(t, f, tenantA, iss, false)
		list, err := s.ListUserGrants(ctx, tenantB, userID, t0)
		must(t, err)
		wantEqual(t, len(list), 0)
	})
	t.Run("Revoke", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, at))
		must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, at.Add(time.Hour))) // keeps the first time
		g, err := s.GetGrant(ctx, tenantA, iss.Grant.ID)
		must(t, err)
		if g.RevokedAt == nil || !g.RevokedAt.Equal(at) {
			t.Fatalf("revoked_at = %v, want %v", g.RevokedAt, at)
		}
		wantRevoked(t, f, tenantA, iss, true)
		err = s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, store.RotateOptions{},
			issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA)))
		wantErr(t, err, idp.ErrExpired)
	})
	t.Run("ListAndRevokeUserGrants", func(t *testing.T) {
		f.client(t, tenantA, "app-2")
		f.client(t, tenantB, "app-2")
		// Start from a user with no grants.
		f.user(t, tenantA, "user-g", "g@example.com")
		f.user(t, tenantB, "user-g", "g@example.com")
		issue := func(tenantID, client string, created time.Time, expires time.Time) store.Issue {
			c := f.codeValue(tenantID)
			c.UserID, c.ClientID = "user-g", client
			must(t, s.CreateAuthCode(ctx, tenantID, c))
			g := f.grantValue(tenantID)
			g.UserID, g.ClientID, g.CreatedAt, g.ExpiresAt = "user-g", client, created, expires
			iss := issueOf(g, nil, f.accessValue(tenantID))
			must(t, s.RedeemAuthCode(ctx, tenantID, c.Hash, t0, iss))
			return iss
		}
		far := t0.Add(24 * time.Hour)
		g1 := issue(tenantA, clientID, t0, far)
		g2 := issue(tenantA, "app-2", t0.Add(time.Second), far)
		issue(tenantA, clientID, t0.Add(2*time.Second), t0) // expired at t0: never listed
		gb := issue(tenantB, clientID, t0, far)

		list, err := s.ListUserGrants(ctx, tenantA, "user-g", t0)
		must(t, err)
		wantEqual(t, list, []idp.Grant{*g1.Grant, *g2.Grant})

		at := t0.Add(time.Minute)
		must(t, s.RevokeUserGrants(ctx, tenantA, "user-g", "app-2", at))
		wantRevoked(t, f, tenantA, g2, true)
		wantRevoked(t, f, tenantA, g1, false)
		list, err = s.ListUserGrants(ctx, tenantA, "user-g", t0)
		must(t, err)
		wantEqual(t, list, []idp.Grant{*g1.Grant})

		must(t, s.RevokeUserGrants(ctx, tenantA, "user-g", "", at))
		wantRevoked(t, f, tenantA, g1, true)
		wantRevoked(t, f, tenantB, gb, false)
		list, err = s.ListUserGrants(ctx, tenantA, "user-g", t0)
		must(t, err)
		wantEqual(t, len(list), 0)
		list, err = s.ListUserGrants(ctx, tenantB, "user-g", t0)
		must(t, err)
		wantEqual(t, list, []idp.Grant{*gb.Grant})
	})
}

func testAccessTokens(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	t.Run("NoRecordIsActive", func(t *testing.T) {
		active, err := s.AccessTokenActive(ctx, tenantA, "jti-never-recorded")
		must(t, err)
		wantEqual(t, active, true)
	})
	t.Run("CreateRecord", func(t *testing.T) {
		r := f.accessValue(tenantA)
		must(t, s.CreateAccessTokenRecord(ctx, tenantA, r))
		active, err := s.AccessTokenActive(ctx, tenantA, r.JTI)
		must(t, err)
		wantEqual(t, active, true)
		wantErr(t, s.CreateAccessTokenRecord(ctx, tenantA, r), idp.ErrConflict)
	})
	t.Run("Revoke", func(t *testing.T) {
		r := f.accessValue(tenantA)
		must(t, s.CreateAccessTokenRecord(ctx, tenantA, r))
		must(t, s.RevokeAccessToken(ctx, tenantA, r, t0))
		must(t, s.RevokeAccessToken(ctx, tenantA, r, t0.Add(time.Hour))) // idempotent
		active, err := s.AccessTokenActive(ctx, tenantA, r.JTI)
		must(t, err)
		wantEqual(t, active, false)
	})
	t.Run("RevokeWithoutRecord", func(t *testing.T) {
		// client_credentials tokens have no record until revoked.
		r := f.accessValue(tenantA)
		must(t, s.RevokeAccessToken(ctx, tenantA, r, t0))
		active, err := s.AccessTokenActive(ctx, tenantA, r.JTI)
		must(t, err)
		wantEqual(t, active, false)
	})
	t.Run("RevokeOneOfAFamily", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		must(t, s.RevokeAccessToken(ctx, tenantA, iss.Access, t0))
		active, err := s.AccessTokenActive(ctx, tenantA, iss.Access.JTI)
		must(t, err)
		wantEqual(t, active, false)
		g, err := s.GetGrant(ctx, tenantA, iss.Grant.ID)
		must(t, err)
		if g.RevokedAt != nil {
			t.Fatal("revoking one access token revoked its grant")
		}
	})
	t.Run("GrantRevocationDeactivates", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		// A second access token of the family recorded separately.
		extra := f.accessValue(tenantA)
		extra.GrantID = iss.Grant.ID
		must(t, s.CreateAccessTokenRecord(ctx, tenantA, extra))
		must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, t0))
		for _, jti := range []string{iss.Access.JTI, extra.JTI} {
			active, err := s.AccessTokenActive(ctx, tenantA, jti)
			must(t, err)
			wantEqual(t, active, false)
		}
	})
	t.Run("CrossTenant", func(t *testing.T) {
		jti := "jti-shared"
		a := &idp.AccessTokenRecord{TenantID: tenantA, JTI: jti, ClientID: clientID, ExpiresAt: t0.Add(time.Hour)}
		b := &idp.AccessTokenRecord{TenantID: tenantB, JTI: jti, ClientID: clientID, ExpiresAt: t0.Add(time.Hour)}
		must(t, s.CreateAccessTokenRecord(ctx, tenantA, a))
		must(t, s.CreateAccessTokenRecord(ctx, tenantB, b))
		must(t, s.RevokeAccessToken(ctx, tenantB, b, t0))
		active, err := s.AccessTokenActive(ctx, tenantA, jti)
		must(t, err)
		wantEqual(t, active, true)
		active, err = s.AccessTokenActive(ctx, tenantB, jti)
		must(t, err)
		wantEqual(t, active, false)

		// Naming another tenant's grant links nothing: revoking that
		// grant does not touch this tenant's record, and vice versa.
		iss := f.issue(t, tenantA)
		foreign := &idp.AccessTokenRecord{TenantID: tenantB, JTI: "jti-foreign", GrantID: iss.Grant.ID,
			ClientID: clientID, ExpiresAt: t0.Add(time.Hour)}
		must(t, s.CreateAccessTokenRecord(ctx, tenantB, foreign))
		must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, t0))
		active, err = s.AccessTokenActive(ctx, tenantB, "jti-foreign")
		must(t, err)
		// The record names a grant that tenant B does not have: inactive,
		// never tenant A's grant state.
		wantEqual(t, active, false)
		active, err = s.AccessTokenActive(ctx, tenantB, iss.Access.JTI)
		must(t, err)
		wantEqual(t, active, true) // no record in tenant B
	})
}
