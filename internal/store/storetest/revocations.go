package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// testRevocations checks the revocation feed (store.RevocationFeed)
// against AccessTokenActive: after every path that makes an access token
// inactive, the token is in the feed, and a token that is still active is
// not. The in-memory revocation index of the nodes relies on exactly
// this equivalence.
func testRevocations(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	feed, ok := s.(store.RevocationFeed)
	if !ok {
		t.Fatalf("%T does not implement store.RevocationFeed", s)
	}
	// inFeed lists the feed (everything unexpired at now) by tenant/jti.
	inFeed := func(t *testing.T, now time.Time) map[[2]string]time.Time {
		t.Helper()
		revs, _, err := feed.AccessTokenRevocations(ctx, time.Time{}, now, 0)
		must(t, err)
		m := make(map[[2]string]time.Time, len(revs))
		for _, r := range revs {
			m[[2]string{r.TenantID, r.JTI}] = r.ExpiresAt
		}
		return m
	}
	// issueTo redeems a code of a fresh user (so that a path aimed at
	// one user touches only this case) for client.
	issueTo := func(t *testing.T, tenantID, client string) (store.Issue, string) {
		t.Helper()
		user := f.id("rev-user")
		f.user(t, tenantID, user, user+"@example.com")
		c := f.codeValue(tenantID)
		c.ClientID, c.UserID = client, user
		must(t, s.CreateAuthCode(ctx, tenantID, c))
		iss := store.Issue{Grant: f.grantValue(tenantID), Refresh: f.refreshValue(tenantID), Access: f.accessValue(tenantID)}
		iss.Grant.UserID = user
		iss.Grant.ClientID, iss.Refresh.ClientID, iss.Access.ClientID = client, client, client
		must(t, s.RedeemAuthCode(ctx, tenantID, c.Hash, t0.Add(time.Second), iss))
		return iss, user
	}
	type token struct {
		tenant, jti string
		active      bool // after the path ran
	}
	cases := []struct {
		name string
		now  time.Time // when the tokens are checked (default t0)
		run  func(t *testing.T) []token
	}{
		{"live tokens are not listed", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			rec := f.accessValue(tenantA)
			must(t, s.CreateAccessTokenRecord(ctx, tenantA, rec))
			n := issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA))
			must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, t0.Add(time.Minute), store.RotateOptions{}, n))
			return []token{{tenantA, iss.Access.JTI, true}, {tenantA, rec.JTI, true}, {tenantA, n.Access.JTI, true}}
		}},
		{"access token revoked (recorded)", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			must(t, s.RevokeAccessToken(ctx, tenantA, iss.Access, t0))
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"access token revoked (client_credentials, no record)", time.Time{}, func(t *testing.T) []token {
			r := f.accessValue(tenantB)
			must(t, s.RevokeAccessToken(ctx, tenantB, r, t0))
			return []token{{tenantB, r.JTI, false}, {tenantA, r.JTI, true}}
		}},
		{"grant revoked (RFC 7009 refresh token revocation)", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			extra := f.accessValue(tenantA)
			extra.GrantID = iss.Grant.ID
			must(t, s.CreateAccessTokenRecord(ctx, tenantA, extra))
			must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, t0))
			return []token{{tenantA, iss.Access.JTI, false}, {tenantA, extra.JTI, false}}
		}},
		{"refresh token reuse revokes the family", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			n := issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA))
			must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, t0.Add(time.Minute), store.RotateOptions{}, n))
			wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, t0.Add(time.Minute), store.RotateOptions{},
				issueOf(nil, f.refreshValue(tenantA), f.accessValue(tenantA))), idp.ErrAlreadyUsed)
			return []token{{tenantA, iss.Access.JTI, false}, {tenantA, n.Access.JTI, false}}
		}},
		{"code replay revokes the grant", time.Time{}, func(t *testing.T) []token {
			c := f.codeValue(tenantA)
			must(t, s.CreateAuthCode(ctx, tenantA, c))
			iss := store.Issue{Grant: f.grantValue(tenantA), Refresh: f.refreshValue(tenantA), Access: f.accessValue(tenantA)}
			must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, t0.Add(time.Second), iss))
			again := store.Issue{Grant: f.grantValue(tenantA), Refresh: f.refreshValue(tenantA), Access: f.accessValue(tenantA)}
			wantErr(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, t0.Add(2*time.Second), again), idp.ErrAlreadyUsed)
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"user's grants revoked (sign-out everywhere, suspension)", time.Time{}, func(t *testing.T) []token {
			iss, user := issueTo(t, tenantA, clientID)
			must(t, s.RevokeUserGrants(ctx, tenantA, user, "", t0))
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"consent withdrawn revokes the client's grants", time.Time{}, func(t *testing.T) []token {
			iss, user := issueTo(t, tenantA, clientID)
			must(t, s.PutConsent(ctx, tenantA, &idp.Consent{UserID: user, ClientID: clientID,
				Scopes: []string{"openid"}, CreatedAt: t0, UpdatedAt: t0}))
			must(t, s.DeleteConsent(ctx, tenantA, user, clientID, t0))
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"user deleted", time.Time{}, func(t *testing.T) []token {
			iss, user := issueTo(t, tenantA, clientID)
			must(t, s.DeleteUser(ctx, tenantA, user))
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"client deleted", time.Time{}, func(t *testing.T) []token {
			client := f.id("rev-client")
			f.client(t, tenantA, client)
			iss, _ := issueTo(t, tenantA, client)
			must(t, s.DeleteClient(ctx, tenantA, client))
			return []token{{tenantA, iss.Access.JTI, false}}
		}},
		{"grant purged while its access token lives", t0.Add(2 * time.Minute), func(t *testing.T) []token {
			c := f.codeValue(tenantB)
			must(t, s.CreateAuthCode(ctx, tenantB, c))
			iss := store.Issue{Grant: f.grantValue(tenantB), Refresh: f.refreshValue(tenantB), Access: f.accessValue(tenantB)}
			iss.Grant.ExpiresAt = t0.Add(time.Minute)
			must(t, s.RedeemAuthCode(ctx, tenantB, c.Hash, t0.Add(time.Second), iss))
			_, err := s.PurgeExpired(ctx, t0.Add(2*time.Minute))
			must(t, err)
			return []token{{tenantB, iss.Access.JTI, false}}
		}},
		{"record created under a revoked grant", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			must(t, s.RevokeGrant(ctx, tenantA, iss.Grant.ID, t0))
			late := f.accessValue(tenantA)
			late.GrantID = iss.Grant.ID
			must(t, s.CreateAccessTokenRecord(ctx, tenantA, late))
			return []token{{tenantA, late.JTI, false}}
		}},
		{"record naming a grant the tenant does not have", time.Time{}, func(t *testing.T) []token {
			iss, _ := issueTo(t, tenantA, clientID)
			foreign := f.accessValue(tenantB)
			foreign.GrantID = iss.Grant.ID
			must(t, s.CreateAccessTokenRecord(ctx, tenantB, foreign))
			return []token{{tenantB, foreign.JTI, false}, {tenantA, iss.Access.JTI, true}}
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			toks := c.run(t)
			now := c.now
			if now.IsZero() {
				now = t0
			}
			listed := inFeed(t, now)
			for _, tk := range toks {
				active, err := s.AccessTokenActive(ctx, tk.tenant, tk.jti)
				must(t, err)
				if active != tk.active {
					t.Fatalf("%s/%s: AccessTokenActive = %v, want %v", tk.tenant, tk.jti, active, tk.active)
				}
				if _, in := listed[[2]string{tk.tenant, tk.jti}]; in == active {
					t.Fatalf("%s/%s: active %v but listed %v", tk.tenant, tk.jti, active, in)
				}
			}
		})
	}

	t.Run("SinceNowAndLimit", func(t *testing.T) {
		_, clock, err := feed.AccessTokenRevocations(ctx, time.Time{}, t0, 1)
		must(t, err)
		if clock.IsZero() {
			t.Fatal("no database clock")
		}
		r := f.accessValue(tenantA)
		r.ExpiresAt = t0.Add(time.Hour)
		must(t, s.RevokeAccessToken(ctx, tenantA, r, t0))
		revs, clock2, err := feed.AccessTokenRevocations(ctx, clock, t0, 0)
		must(t, err)
		if clock2.Before(clock) {
			t.Fatalf("database clock went back: %v then %v", clock, clock2)
		}
		wantEqual(t, revs, []store.Revocation{{TenantID: tenantA, JTI: r.JTI, ExpiresAt: r.ExpiresAt}})
		// Expired at now: not listed.
		revs, _, err = feed.AccessTokenRevocations(ctx, clock, r.ExpiresAt, 0)
		must(t, err)
		wantEqual(t, len(revs), 0)
		// Recorded before since: not listed.
		revs, _, err = feed.AccessTokenRevocations(ctx, clock2.Add(time.Hour), t0, 0)
		must(t, err)
		wantEqual(t, len(revs), 0)
		// The limit holds.
		revs, _, err = feed.AccessTokenRevocations(ctx, time.Time{}, t0, 2)
		must(t, err)
		wantEqual(t, len(revs), 2)
	})
	t.Run("PurgedWithTheToken", func(t *testing.T) {
		r := f.accessValue(tenantA)
		r.ExpiresAt = t0.Add(3 * time.Hour)
		must(t, s.RevokeAccessToken(ctx, tenantA, r, t0))
		_, err := s.PurgeExpired(ctx, r.ExpiresAt.Add(time.Second))
		must(t, err)
		if _, in := inFeed(t, time.Time{})[[2]string{tenantA, r.JTI}]; in {
			t.Fatal("an expired revocation survived the purge")
		}
	})
}
