package mcp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestUserTools: create_user (and its dry run), list_users search and
// paging, update_user with its changes, suspend_user only with confirm,
// ending the user's sessions; update_user does not suspend.
func TestUserTools(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)

	var u userOut
	r := ok(t, cs, "create_user", map[string]any{"tenant_id": "tenant-a", "email": "Ada@Example.com", "name": "Ada"}, &u)
	if u.User.Email != "ada@example.com" || u.User.Status != "active" || u.User.ID == "" || !strings.Contains(r.text, "created") {
		t.Fatalf("create_user: %+v %s", u, r.text)
	}
	ok(t, cs, "create_user", map[string]any{"tenant_id": "tenant-a", "email": "grace@example.com", "name": "Grace Hopper"}, nil)

	var planned userOut
	ok(t, cs, "create_user", map[string]any{"tenant_id": "tenant-a", "email": "planned@example.com", "dry_run": true}, &planned)
	if !planned.DryRun || planned.User.ID == "" {
		t.Fatalf("dry-run create_user: %+v", planned)
	}
	if _, err := e.manage.GetUser(e.cli, "tenant-a", planned.User.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("dry-run user stored: %v", err)
	}
	if msg := fails(t, cs, "create_user", map[string]any{"tenant_id": "tenant-a", "email": "ada@example.com", "dry_run": true}); !strings.HasPrefix(msg, "Conflict") {
		t.Fatalf("dry run with a taken email: %s", msg)
	}
	_, err := e.manage.CreateUser(e.cli, "tenant-a", manage.UserInput{Email: "not-an-email"})
	if msg := fails(t, cs, "create_user", map[string]any{"tenant_id": "tenant-a", "email": "not-an-email"}); !strings.Contains(msg, restDescription(t, err)) {
		t.Fatalf("bad email: %s", msg)
	}

	var list usersOut
	ok(t, cs, "list_users", map[string]any{"tenant_id": "tenant-a", "search": "HOPPER"}, &list)
	if list.Total != 1 || len(list.Users) != 1 || list.Users[0].Email != "grace@example.com" {
		t.Fatalf("search: %+v", list)
	}
	ok(t, cs, "list_users", map[string]any{"tenant_id": "tenant-a", "limit": 1, "offset": 1}, &list)
	if list.Total != 2 || len(list.Users) != 1 || list.Limit != 1 || list.Offset != 1 {
		t.Fatalf("paging: %+v", list)
	}

	ok(t, cs, "update_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID, "name": "Ada Lovelace", "email": "ada@lovelace.example"}, &u)
	if u.User.Name != "Ada Lovelace" || u.User.EmailVerified || len(u.Changes) != 2 {
		t.Fatalf("update_user: %+v", u)
	}
	if msg := fails(t, cs, "update_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID, "status": "suspended"}); !strings.Contains(msg, "suspend_user") {
		t.Fatalf("update_user to suspended: %s", msg)
	}

	// A live session that suspension must end.
	now := time.Now()
	if err := e.db.CreateSession(context.Background(), "tenant-a", &idp.Session{TenantID: "tenant-a", ID: "sess-hash", UserID: u.User.ID,
		AuthTime: envStart, AMR: []string{"email"}, CreatedAt: envStart, LastSeen: envStart, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	live := func() int {
		ss, err := e.manage.ListUserSessions(e.cli, "tenant-a", u.User.ID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ss)
	}
	if live() != 1 {
		t.Fatal("the session is not live")
	}
	if msg := fails(t, cs, "suspend_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID}); !strings.Contains(msg, "confirm: true") {
		t.Fatalf("suspend without confirm: %s", msg)
	}
	ok(t, cs, "suspend_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID, "dry_run": true}, &u)
	if !u.DryRun || u.User.Status != "suspended" || live() != 1 {
		t.Fatalf("dry-run suspend: %+v, live sessions %d", u, live())
	}
	if got, _ := e.manage.GetUser(e.cli, "tenant-a", u.User.ID); got.Status != idp.UserActive {
		t.Fatalf("dry-run suspend stored %s", got.Status)
	}
	ok(t, cs, "suspend_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID, "confirm": true}, &u)
	if u.User.Status != "suspended" || live() != 0 {
		t.Fatalf("suspend: %+v, live sessions %d", u, live())
	}
	ok(t, cs, "update_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.User.ID, "status": "active"}, &u)
	if u.User.Status != "active" {
		t.Fatalf("lifting the suspension: %+v", u)
	}
}

// TestUserToolsRights: a viewer lists but cannot create, update or
// suspend; another account's owner finds nothing; suspend needs mcp:admin.
func TestUserToolsRights(t *testing.T) {
	e := newToolEnv(t)
	u, err := e.manage.CreateUser(e.cli, "tenant-a", manage.UserInput{Email: "user@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	vic := e.session(t, e.vic, allScopes)
	ok(t, vic, "list_users", map[string]any{"tenant_id": "tenant-a"}, nil)
	bob := e.session(t, e.bob, allScopes)
	for _, tc := range []struct {
		tool string
		args map[string]any
	}{
		{"create_user", map[string]any{"email": "new@example.com"}},
		{"update_user", map[string]any{"user_id": u.ID, "name": "X"}},
		{"suspend_user", map[string]any{"user_id": u.ID, "confirm": true}},
		{"suspend_user", map[string]any{"user_id": u.ID}},
	} {
		tc.args["tenant_id"] = "tenant-a"
		if msg := fails(t, vic, tc.tool, tc.args); !strings.HasPrefix(msg, "Denied") {
			t.Errorf("viewer %s: %s", tc.tool, msg)
		}
		if msg := fails(t, bob, tc.tool, tc.args); !strings.HasPrefix(msg, "Not found") {
			t.Errorf("another account's owner %s: %s", tc.tool, msg)
		}
	}
	if msg := fails(t, bob, "list_users", map[string]any{"tenant_id": "tenant-a"}); !strings.HasPrefix(msg, "Not found") {
		t.Errorf("another account's owner list_users: %s", msg)
	}
	writer := e.session(t, e.root, "mcp:read mcp:write")
	if msg := fails(t, writer, "suspend_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.ID, "confirm": true}); !strings.Contains(msg, "mcp:admin") {
		t.Errorf("suspend_user without mcp:admin: %s", msg)
	}
	if got, _ := e.manage.GetUser(e.cli, "tenant-a", u.ID); got.Status != idp.UserActive || got.Name != "" {
		t.Fatalf("refused calls changed the user: %+v", got)
	}
}
