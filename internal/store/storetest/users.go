package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func testUsers(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	bob := &idp.User{TenantID: tenantA, ID: "user-2", Email: "bob@example.com", Name: "Bob Builder",
		Picture: "https://cdn.example.com/bob.png", EmailVerified: true, Status: idp.UserActive,
		Scopes: []string{"api:read", "api:write"}, LastLogin: ptr(t0.Add(-time.Hour)),
		CreatedAt: t0.Add(time.Second), UpdatedAt: t0.Add(time.Second)}
	t.Run("CreateGet", func(t *testing.T) {
		must(t, s.CreateUser(ctx, tenantA, bob))
		got, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		wantEqual(t, got, bob)
		got, err = s.GetUserByEmail(ctx, tenantA, "bob@example.com")
		must(t, err)
		wantEqual(t, got, bob)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		dupID := *bob
		dupID.Email = "other@example.com"
		wantErr(t, s.CreateUser(ctx, tenantA, &dupID), idp.ErrConflict)
		dupEmail := *bob
		dupEmail.ID = "user-3"
		wantErr(t, s.CreateUser(ctx, tenantA, &dupEmail), idp.ErrConflict)
	})
	t.Run("CreateUnknownTenant", func(t *testing.T) {
		u := *bob
		u.TenantID = "no-such-tenant"
		wantErr(t, s.CreateUser(ctx, "no-such-tenant", &u), idp.ErrNotFound)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetUser(ctx, tenantA, "no-such-user")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetUserByEmail(ctx, tenantA, "nobody@example.com")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetUserByEmail(ctx, tenantA, "")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetUser(ctx, tenantB, "user-2")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetUserByEmail(ctx, tenantB, "bob@example.com")
		wantErr(t, err, idp.ErrNotFound)
		// The same email in two tenants is two users.
		a, err := s.GetUserByEmail(ctx, tenantA, email)
		must(t, err)
		b, err := s.GetUserByEmail(ctx, tenantB, email)
		must(t, err)
		if a.TenantID != tenantA || b.TenantID != tenantB || a.Name == b.Name {
			t.Fatalf("same email in two tenants mixed up: %+v / %+v", a, b)
		}
		// Bob's email is free in tenant B.
		bobB := *bob
		bobB.TenantID = tenantB
		must(t, s.CreateUser(ctx, tenantB, &bobB))
	})
	t.Run("Update", func(t *testing.T) {
		u := *bob
		u.Email, u.Name, u.Status, u.Scopes = "robert@example.com", "Robert", idp.UserSuspended, nil
		u.EmailVerified, u.UpdatedAt = false, t0.Add(time.Minute)
		must(t, s.UpdateUser(ctx, tenantA, &u))
		got, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		wantEqual(t, got, &u)
		_, err = s.GetUserByEmail(ctx, tenantA, "bob@example.com")
		wantErr(t, err, idp.ErrNotFound)
	})
	t.Run("UpdateConflict", func(t *testing.T) {
		u, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		u.Email = email
		wantErr(t, s.UpdateUser(ctx, tenantA, u), idp.ErrConflict)
	})
	t.Run("UpdateNotFound", func(t *testing.T) {
		u := *bob
		u.ID = "no-such-user"
		wantErr(t, s.UpdateUser(ctx, tenantA, &u), idp.ErrNotFound)
	})
	t.Run("UpdateCrossTenant", func(t *testing.T) {
		a, err := s.GetUser(ctx, tenantA, userID)
		must(t, err)
		b, err := s.GetUser(ctx, tenantB, userID)
		must(t, err)
		b.Name, b.Status = "Changed in B", idp.UserSuspended
		must(t, s.UpdateUser(ctx, tenantB, b))
		after, err := s.GetUser(ctx, tenantA, userID)
		must(t, err)
		wantEqual(t, after, a)
	})
	t.Run("TouchLogin", func(t *testing.T) {
		at := t0.Add(2 * time.Hour)
		must(t, s.TouchUserLogin(ctx, tenantA, "user-2", at))
		got, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		if got.LastLogin == nil || !got.LastLogin.Equal(at) || !got.EmailVerified {
			t.Fatalf("after TouchUserLogin: last_login %v, verified %v", got.LastLogin, got.EmailVerified)
		}
		wantErr(t, s.TouchUserLogin(ctx, tenantA, "no-such-user", at), idp.ErrNotFound)
		// Cross-tenant: touching B's user-2 leaves A's alone.
		before, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		must(t, s.TouchUserLogin(ctx, tenantB, "user-2", at.Add(time.Hour)))
		after, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
		wantEqual(t, after, before)
	})
	t.Run("List", func(t *testing.T) {
		carol := &idp.User{TenantID: tenantA, ID: "user-4", Email: "carol_x%@example.org", Name: "Carol ALICE-Fan",
			Status: idp.UserActive, CreatedAt: t0.Add(2 * time.Second), UpdatedAt: t0}
		must(t, s.CreateUser(ctx, tenantA, carol))
		cases := []struct {
			search string
			page   idp.Page
			want   []string
			total  int
		}{
			{"", idp.Page{}, []string{userID, aOnlyUser, "user-2", "user-4"}, 4},
			{"", idp.Page{Limit: 2}, []string{userID, aOnlyUser}, 4},
			{"", idp.Page{Limit: 3, Offset: 2}, []string{"user-2", "user-4"}, 4},
			{"ALICE", idp.Page{}, []string{userID, "user-4"}, 2}, // email of user-1, name of user-4
			{"robert", idp.Page{}, []string{"user-2"}, 1},
			{"example.org", idp.Page{}, []string{"user-4"}, 1},
			{"_x%", idp.Page{}, []string{"user-4"}, 1}, // wildcards match literally
			{"100%", idp.Page{}, nil, 0},
			// A whole address matches that email exactly (case-insensitive), not as a substring.
			{"Robert@Example.com", idp.Page{}, []string{"user-2"}, 1},
			{"carol_x%@example.org", idp.Page{}, []string{"user-4"}, 1},
			{"obert@example.com", idp.Page{}, nil, 0},
			{"@example.com", idp.Page{}, []string{userID, aOnlyUser, "user-2"}, 3}, // not an address: substring
			{"nobody", idp.Page{}, nil, 0},
		}
		for _, c := range cases {
			got, total, err := s.ListUsers(ctx, tenantA, idp.UserQuery{Search: c.search, Page: c.page})
			must(t, err)
			var ids []string
			for _, u := range got {
				ids = append(ids, u.ID)
			}
			if !equalStrings(ids, c.want) || total != c.total {
				t.Errorf("ListUsers(%q, %+v) = %v (total %d), want %v (total %d)", c.search, c.page, ids, total, c.want, c.total)
			}
		}
		got, total, err := s.ListUsers(ctx, tenantB, idp.UserQuery{Search: "carol"})
		must(t, err)
		if len(got) != 0 || total != 0 {
			t.Fatalf("tenant B lists tenant A's user: %v", got)
		}
	})
	t.Run("DeleteCrossTenant", func(t *testing.T) {
		wantErr(t, s.DeleteUser(ctx, tenantB, "user-4"), idp.ErrNotFound)
		must(t, s.DeleteUser(ctx, tenantB, "user-2"))
		_, err := s.GetUser(ctx, tenantA, "user-2")
		must(t, err)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteUser(ctx, tenantA, "user-4"))
		_, err := s.GetUser(ctx, tenantA, "user-4")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.DeleteUser(ctx, tenantA, "user-4"), idp.ErrNotFound)
	})
	t.Run("DeleteRemovesSessionsGrantsConsents", func(t *testing.T) {
		for _, tid := range []string{tenantA, tenantB} {
			f.user(t, tid, "leaver", "leaver@example.com")
			must(t, s.CreateSession(ctx, tid, &idp.Session{ID: "leaver-session", UserID: "leaver",
				AuthTime: t0, CreatedAt: t0, LastSeen: t0, ExpiresAt: t0.Add(time.Hour)}))
			must(t, s.PutConsent(ctx, tid, &idp.Consent{UserID: "leaver", ClientID: clientID, CreatedAt: t0, UpdatedAt: t0}))
		}
		issue := func(tid string) issuedIDs {
			c := f.codeValue(tid)
			c.UserID = "leaver"
			must(t, s.CreateAuthCode(ctx, tid, c))
			g := f.grantValue(tid)
			g.UserID = "leaver"
			r, a := f.refreshValue(tid), f.accessValue(tid)
			must(t, s.RedeemAuthCode(ctx, tid, c.Hash, t0, issueOf(g, r, a)))
			return issuedIDs{g.ID, r.Hash, a.JTI}
		}
		ia, ib := issue(tenantA), issue(tenantB)

		must(t, s.DeleteUser(ctx, tenantA, "leaver"))
		_, err := s.GetSession(ctx, tenantA, "leaver-session")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetConsent(ctx, tenantA, "leaver", clientID)
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetGrant(ctx, tenantA, ia.grant)
		wantErr(t, err, idp.ErrNotFound)
		_, _, err = s.GetRefreshToken(ctx, tenantA, ia.refresh)
		wantErr(t, err, idp.ErrNotFound)
		active, err := s.AccessTokenActive(ctx, tenantA, ia.jti)
		must(t, err)
		wantEqual(t, active, false) // the JWT of a deleted user is dead

		// Tenant B's user of the same id keeps everything.
		_, err = s.GetSession(ctx, tenantB, "leaver-session")
		must(t, err)
		_, err = s.GetConsent(ctx, tenantB, "leaver", clientID)
		must(t, err)
		_, _, err = s.GetRefreshToken(ctx, tenantB, ib.refresh)
		must(t, err)
		active, err = s.AccessTokenActive(ctx, tenantB, ib.jti)
		must(t, err)
		wantEqual(t, active, true)
	})
}

// issuedIDs names what one redemption created.
type issuedIDs struct{ grant, refresh, jti string }

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testResourceServers(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	api := &idp.ResourceServer{TenantID: tenantA, ID: "rs-1", Identifier: "https://api.example.com",
		Name: "API", ScopePrefix: "api:",
		Scopes: []idp.ResourceScope{
			{Value: "api:read", Description: "Read", GrantedToAll: true},
			{Value: "api:write", Description: "Write"},
		},
		CreatedAt: t0, UpdatedAt: t0}
	t.Run("CreateGet", func(t *testing.T) {
		must(t, s.CreateResourceServer(ctx, tenantA, api))
		got, err := s.GetResourceServer(ctx, tenantA, "rs-1")
		must(t, err)
		wantEqual(t, got, api)
		got, err = s.GetResourceServerByIdentifier(ctx, tenantA, "https://api.example.com")
		must(t, err)
		wantEqual(t, got, api)
	})
	t.Run("CreateConflict", func(t *testing.T) {
		dupID := *api
		dupID.Identifier = "https://other.example.com"
		wantErr(t, s.CreateResourceServer(ctx, tenantA, &dupID), idp.ErrConflict)
		dupIdent := *api
		dupIdent.ID = "rs-2"
		wantErr(t, s.CreateResourceServer(ctx, tenantA, &dupIdent), idp.ErrConflict)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, err := s.GetResourceServer(ctx, tenantA, "rs-none")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetResourceServerByIdentifier(ctx, tenantA, "https://none.example.com")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.DeleteResourceServer(ctx, tenantA, "rs-none"), idp.ErrNotFound)
		x := *api
		x.ID = "rs-none"
		wantErr(t, s.UpdateResourceServer(ctx, tenantA, &x), idp.ErrNotFound)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		_, err := s.GetResourceServer(ctx, tenantB, "rs-1")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetResourceServerByIdentifier(ctx, tenantB, "https://api.example.com")
		wantErr(t, err, idp.ErrNotFound)
		x := *api
		x.Name = "hijacked"
		wantErr(t, s.UpdateResourceServer(ctx, tenantB, &x), idp.ErrNotFound)
		wantErr(t, s.DeleteResourceServer(ctx, tenantB, "rs-1"), idp.ErrNotFound)
		list, total, err := s.ListResourceServers(ctx, tenantB, idp.Page{})
		must(t, err)
		if len(list) != 0 || total != 0 {
			t.Fatalf("tenant B lists %v", list)
		}
		// The same identifier may exist in tenant B.
		b := *api
		b.TenantID = tenantB
		must(t, s.CreateResourceServer(ctx, tenantB, &b))
		got, err := s.GetResourceServer(ctx, tenantA, "rs-1")
		must(t, err)
		wantEqual(t, got, api)
	})
	t.Run("Update", func(t *testing.T) {
		x := *api
		x.Name, x.Scopes, x.UpdatedAt = "API v2", []idp.ResourceScope{{Value: "api:admin"}}, t0.Add(time.Hour)
		x.Identifier, x.ScopePrefix = "https://changed.example.com", "changed:" // immutable
		must(t, s.UpdateResourceServer(ctx, tenantA, &x))
		got, err := s.GetResourceServer(ctx, tenantA, "rs-1")
		must(t, err)
		want := x
		want.Identifier, want.ScopePrefix = api.Identifier, api.ScopePrefix
		wantEqual(t, got, &want)
	})
	t.Run("List", func(t *testing.T) {
		two := &idp.ResourceServer{TenantID: tenantA, ID: "rs-0", Identifier: "https://b.example.com",
			CreatedAt: t0.Add(time.Second), UpdatedAt: t0}
		must(t, s.CreateResourceServer(ctx, tenantA, two))
		list, total, err := s.ListResourceServers(ctx, tenantA, idp.Page{})
		must(t, err)
		wantEqual(t, total, 2)
		if len(list) != 2 || list[0].ID != "rs-1" || list[1].ID != "rs-0" {
			t.Fatalf("list not in creation order: %+v", list)
		}
		list, total, err = s.ListResourceServers(ctx, tenantA, idp.Page{Limit: 1, Offset: 1})
		must(t, err)
		if len(list) != 1 || list[0].ID != "rs-0" || total != 2 {
			t.Fatalf("page 2 = %+v (total %d)", list, total)
		}
	})
	t.Run("TenantsWithout", func(t *testing.T) {
		const ident = "urn:storetest:builtin"
		all, _, err := s.ListTenants(ctx, "", idp.Page{})
		must(t, err)
		got, err := s.TenantsWithoutResourceServer(ctx, ident)
		must(t, err)
		wantEqual(t, got, tenantIDs(all))
		// Another identifier on tenant B does not count; the identifier on
		// tenant A removes only tenant A.
		must(t, s.CreateResourceServer(ctx, tenantB, &idp.ResourceServer{TenantID: tenantB, ID: "rs-other",
			Identifier: "urn:storetest:other", Name: "Other", CreatedAt: t0, UpdatedAt: t0}))
		must(t, s.CreateResourceServer(ctx, tenantA, &idp.ResourceServer{TenantID: tenantA, ID: "rs-builtin",
			Identifier: ident, Name: "Built-in", CreatedAt: t0, UpdatedAt: t0}))
		got, err = s.TenantsWithoutResourceServer(ctx, ident)
		must(t, err)
		wantEqual(t, got, []string{tenantB})
		must(t, s.CreateResourceServer(ctx, tenantB, &idp.ResourceServer{TenantID: tenantB, ID: "rs-builtin",
			Identifier: ident, Name: "Built-in", CreatedAt: t0, UpdatedAt: t0}))
		got, err = s.TenantsWithoutResourceServer(ctx, ident)
		must(t, err)
		wantEqual(t, len(got), 0)
	})
	t.Run("Delete", func(t *testing.T) {
		must(t, s.DeleteResourceServer(ctx, tenantA, "rs-1"))
		_, err := s.GetResourceServer(ctx, tenantA, "rs-1")
		wantErr(t, err, idp.ErrNotFound)
		_, err = s.GetResourceServer(ctx, tenantB, "rs-1")
		must(t, err)
	})
}
