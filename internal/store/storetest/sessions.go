package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testSessions(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	session := func(tenantID, id string, created time.Time) *idp.Session {
		return &idp.Session{TenantID: tenantID, ID: id, UserID: userID, AuthTime: created,
			AMR: []string{"otp"}, CreatedAt: created, LastSeen: created, ExpiresAt: created.Add(24 * time.Hour)}
	}
	s1 := session(tenantA, "sess-hash-1", t0)
	t.Run("CreateGet", func(t *testing.T) {
		must(t, s.CreateSession(ctx, tenantA, s1))
		got, err := s.GetSession(ctx, tenantA, s1.ID)
		must(t, err)
		wantEqual(t, got, s1)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		wantErr(t, s.CreateSession(ctx, tenantA, s1), idp.ErrConflict)
	})
	t.Run("CreateUnknownUser", func(t *testing.T) {
		x := session(tenantA, "sess-x", t0)
		x.UserID = "no-such-user"
		wantErr(t, s.CreateSession(ctx, tenantA, x), idp.ErrNotFound)
	})
	t.Run("CreateCrossTenantUser", func(t *testing.T) {
		x := session(tenantB, "sess-y", t0)
		x.UserID = aOnlyUser
		wantErr(t, s.CreateSession(ctx, tenantB, x), idp.ErrNotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetSession(ctx, tenantA, "no-such-session")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.TouchSession(ctx, tenantA, "no-such-session", t0), idp.ErrNotFound)
		wantErr(t, s.RevokeSession(ctx, tenantA, "no-such-session", t0), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetSession(ctx, tenantB, s1.ID)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.TouchSession(ctx, tenantB, s1.ID, t0.Add(time.Hour)), idp.ErrNotFound)
		wantErr(t, s.RevokeSession(ctx, tenantB, s1.ID, t0.Add(time.Hour)), idp.ErrNotFound)
		n, err := s.RevokeUserSessions(ctx, tenantB, userID, t0.Add(time.Hour))
		must(t, err)
		wantEqual(t, n, 0)
		list, err := s.ListUserSessions(ctx, tenantB, userID, t0)
		must(t, err)
		wantEqual(t, len(list), 0)
		got, err := s.GetSession(ctx, tenantA, s1.ID)
		must(t, err)
		wantEqual(t, got, s1)
	})
	t.Run("Touch", func(t *testing.T) {
		at := t0.Add(time.Minute)
		must(t, s.TouchSession(ctx, tenantA, s1.ID, at))
		got, err := s.GetSession(ctx, tenantA, s1.ID)
		must(t, err)
		want := *s1
		want.LastSeen = at
		wantEqual(t, got, &want)
	})
	t.Run("ListAndRevoke", func(t *testing.T) {
		s2 := session(tenantA, "sess-hash-2", t0.Add(time.Second))
		old := session(tenantA, "sess-hash-old", t0.Add(-48*time.Hour)) // expired at t0
		for _, x := range []*idp.Session{s2, old} {
			must(t, s.CreateSession(ctx, tenantA, x))
		}
		list, err := s.ListUserSessions(ctx, tenantA, userID, t0)
		must(t, err)
		if len(list) != 2 || list[0].ID != s1.ID || list[1].ID != s2.ID {
			t.Fatalf("live sessions = %+v", list)
		}
		at := t0.Add(2 * time.Minute)
		must(t, s.RevokeSession(ctx, tenantA, s1.ID, at))
		must(t, s.RevokeSession(ctx, tenantA, s1.ID, at.Add(time.Hour))) // keeps the first time
		got, err := s.GetSession(ctx, tenantA, s1.ID)
		must(t, err)
		if got.RevokedAt == nil || !got.RevokedAt.Equal(at) {
			t.Fatalf("revoked_at = %v, want %v", got.RevokedAt, at)
		}
		list, err = s.ListUserSessions(ctx, tenantA, userID, t0)
		must(t, err)
		if len(list) != 1 || list[0].ID != s2.ID {
			t.Fatalf("live sessions after revoke = %+v", list)
		}
		// B's user-1 has a session too; revoking A's user's sessions leaves it.
		must(t, s.CreateSession(ctx, tenantB, session(tenantB, "sess-hash-b", t0)))
		n, err := s.RevokeUserSessions(ctx, tenantA, userID, at)
		must(t, err)
		wantEqual(t, n, 2) // s2 and the expired one; s1 was already revoked
		list, err = s.ListUserSessions(ctx, tenantA, userID, t0)
		must(t, err)
		wantEqual(t, len(list), 0)
		list, err = s.ListUserSessions(ctx, tenantB, userID, t0)
		must(t, err)
		wantEqual(t, len(list), 1)
	})
}

func testAuthRequests(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	req := &idp.AuthRequest{TenantID: tenantA, ID: "req-1", ClientID: clientID,
		RedirectURI: "https://app.example.com/callback", ResponseMode: "query",
		Scope: []string{"openid", "email"}, State: "xyz", Nonce: "n-1",
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		Prompt: []string{"login", "consent"}, MaxAge: ptr(300), LoginHint: "alice@example.com",
		Resource: []string{"https://api.example.com"}, Issuer: "https://tenant-a.example.com",
		CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)}
	t.Run("CreateGet", func(t *testing.T) {
		must(t, s.CreateAuthRequest(ctx, tenantA, req))
		got, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		must(t, err)
		wantEqual(t, got, req)
		minimal := &idp.AuthRequest{TenantID: tenantA, ID: "req-2", ClientID: clientID,
			RedirectURI: "https://app.example.com/callback", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute)}
		must(t, s.CreateAuthRequest(ctx, tenantA, minimal))
		got, err = s.GetAuthRequest(ctx, tenantA, "req-2", t0)
		must(t, err)
		wantEqual(t, got, minimal)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		wantErr(t, s.CreateAuthRequest(ctx, tenantA, req), idp.ErrConflict)
	})
	t.Run("CreateUnknownClient", func(t *testing.T) {
		x := *req
		x.ID, x.ClientID = "req-x", "no-such-client"
		wantErr(t, s.CreateAuthRequest(ctx, tenantA, &x), idp.ErrNotFound)
	})
	t.Run("CreateCrossTenantClient", func(t *testing.T) {
		x := *req
		x.TenantID, x.ID, x.ClientID = tenantB, "req-y", aOnlyClient
		wantErr(t, s.CreateAuthRequest(ctx, tenantB, &x), idp.ErrNotFound)
	})
	t.Run("Expired", func(t *testing.T) {
		_, err := s.GetAuthRequest(ctx, tenantA, "req-1", req.ExpiresAt)
		wantErr(t, err, idp.ErrExpired)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetAuthRequest(ctx, tenantA, "req-none", t0)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.SetAuthRequestConsent(ctx, tenantA, "req-none", nil), idp.ErrNotFound)
		wantErr(t, s.DeleteAuthRequest(ctx, tenantA, "req-none"), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetAuthRequest(ctx, tenantB, "req-1", t0)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.SetAuthRequestConsent(ctx, tenantB, "req-1", []string{"openid"}), idp.ErrNotFound)
		wantErr(t, s.DeleteAuthRequest(ctx, tenantB, "req-1"), idp.ErrNotFound)
		got, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		must(t, err)
		wantEqual(t, got, req)
	})
	t.Run("ConsentWidening", func(t *testing.T) {
		wantErr(t, s.SetAuthRequestConsent(ctx, tenantA, "req-1", []string{"openid", "not-requested"}), idp.ErrInvalid)
		got, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		must(t, err)
		wantEqual(t, got, req)
	})
	t.Run("Consent", func(t *testing.T) {
		must(t, s.SetAuthRequestConsent(ctx, tenantA, "req-1", nil))
		got, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		must(t, err)
		wantEqual(t, got.ConsentGiven, true)
		wantEqual(t, got.Scope, req.Scope)
	})
	t.Run("ConsentNarrows", func(t *testing.T) {
		narrowed := req.Scope[:1]
		must(t, s.SetAuthRequestConsent(ctx, tenantA, "req-1", narrowed))
		got, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		must(t, err)
		wantEqual(t, got.ConsentGiven, true)
		wantEqual(t, got.Scope, narrowed)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteAuthRequest(ctx, tenantA, "req-1"))
		_, err := s.GetAuthRequest(ctx, tenantA, "req-1", t0)
		wantErr(t, err, idp.ErrNotFound)
	})
}
