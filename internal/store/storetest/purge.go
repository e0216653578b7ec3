package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

func testPurge(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	// Each tenant gets one expired and one live object of every kind.
	now := t0.Add(48 * time.Hour)
	type objects struct {
		liveGrant, deadGrant store.Issue
		liveCode, deadCode   string
	}
	seed := func(tenantID string) objects {
		var o objects
		for _, live := range []bool{true, false} {
			end := now.Add(-time.Second)
			suffix := "-dead"
			if live {
				end, suffix = now.Add(time.Hour), "-live"
			}
			must(t, s.CreateAuthRequest(ctx, tenantID, &idp.AuthRequest{ID: "req" + suffix, ClientID: clientID,
				RedirectURI: "https://app.example.com/callback", CreatedAt: t0, ExpiresAt: end}))
			ch := f.challengeValue(tenantID)
			ch.ID, ch.PINExpiresAt, ch.LinkExpiresAt = "chal"+suffix, end.Add(-time.Minute), end
			must(t, s.CreateLoginChallenge(ctx, tenantID, ch))
			code := f.codeValue(tenantID)
			code.ExpiresAt = end
			must(t, s.CreateAuthCode(ctx, tenantID, code))
			must(t, s.CreateSession(ctx, tenantID, &idp.Session{ID: "sess" + suffix, UserID: userID,
				AuthTime: t0, CreatedAt: t0, LastSeen: t0, ExpiresAt: end}))
			must(t, s.CreateAccessTokenRecord(ctx, tenantID, &idp.AccessTokenRecord{JTI: "jti" + suffix,
				ClientID: clientID, ExpiresAt: end}))
			gc := f.codeValue(tenantID)
			must(t, s.CreateAuthCode(ctx, tenantID, gc))
			g := f.grantValue(tenantID)
			g.ExpiresAt = end
			r := f.refreshValue(tenantID)
			r.ExpiresAt = end
			iss := issueOf(g, r, nil)
			must(t, s.RedeemAuthCode(ctx, tenantID, gc.Hash, t0, iss))
			if live {
				o.liveGrant, o.liveCode = iss, code.Hash
			} else {
				o.deadGrant, o.deadCode = iss, code.Hash
			}
		}
		return o
	}
	a, b := seed(tenantA), seed(tenantB)
	n, err := s.PurgeExpired(ctx, now)
	must(t, err)
	// Per tenant: the dead request, challenge, code, session, access
	// record, grant and its refresh token, plus both redeemed codes (they
	// expired a minute after t0).
	if want := int64(2 * 9); n != want {
		t.Errorf("PurgeExpired removed %d rows, want %d", n, want)
	}
	for _, c := range []struct {
		tenantID string
		o        objects
	}{{tenantA, a}, {tenantB, b}} {
		tid, o := c.tenantID, c.o
		_, err := s.GetAuthRequest(ctx, tid, "req-dead", t0)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetAuthRequest(ctx, tid, "req-live", t0)
		must(t, err)
		_, err = s.GetLoginChallenge(ctx, tid, "chal-dead")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetLoginChallenge(ctx, tid, "chal-live")
		must(t, err)
		_, err = s.GetAuthCode(ctx, tid, o.deadCode)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetAuthCode(ctx, tid, o.liveCode)
		must(t, err)
		_, err = s.GetSession(ctx, tid, "sess-dead")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetSession(ctx, tid, "sess-live")
		must(t, err)
		_, err = s.GetGrant(ctx, tid, o.deadGrant.Grant.ID)
		wantErr(t, err, idp.ErrNotFound)
		_, _, err = s.GetRefreshToken(ctx, tid, o.deadGrant.Refresh.Hash)
		wantErr(t, err, idp.ErrNotFound)
		_, _, err = s.GetRefreshToken(ctx, tid, o.liveGrant.Refresh.Hash)
		must(t, err)
	}
	n, err = s.PurgeExpired(ctx, now)
	must(t, err)
	wantEqual(t, n, int64(0))
}
