package mcp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// clientCount is how many clients tenant-a has (read as the CLI).
func (e *toolEnv) clientCount(t *testing.T, tenantID string) int {
	t.Helper()
	_, n, err := e.manage.ListClients(e.cli, tenantID, idp.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestClientToolsLifecycle: create (web, with its secret once), get_app,
// list_clients, add/remove redirect URIs, update_client, add_app_secret,
// delete_client with confirm.
func TestClientToolsLifecycle(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)

	var created clientCreatedOut
	r := ok(t, cs, "create_client", map[string]any{
		"tenant_id": "tenant-a", "name": "Shop", "type": "web",
		"redirect_uris": []string{"http://localhost:3000/api/auth/callback"},
	}, &created)
	if created.ClientID == "" || created.Type != "web" || created.TenantID != "tenant-a" || created.ClientSecret == "" || created.ClientSecretID == "" {
		t.Fatalf("create_client: %+v", created)
	}
	if !strings.Contains(r.text, "shown only this once") || !strings.Contains(r.text, "generate_integration") {
		t.Fatalf("create_client summary does not tell the model about the secret and what next: %s", r.text)
	}
	// The secret works: it is the one manage stored.
	if _, err := e.manage.GetClient(e.cli, "tenant-a", created.ClientID); err != nil {
		t.Fatal(err)
	}

	var app appOut
	ok(t, cs, "get_app", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID}, &app)
	if len(app.Secrets) != 1 || app.Secrets[0].ID != created.ClientSecretID || app.Secrets[0].Hint != created.ClientSecret[len(created.ClientSecret)-4:] {
		t.Fatalf("get_app secrets: %+v", app.Secrets)
	}
	if r := callTool(t, cs, "get_app", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID}); strings.Contains(r.text, created.ClientSecret) {
		t.Fatal("get_app shows the secret")
	}

	var list clientsOut
	ok(t, cs, "list_clients", map[string]any{"tenant_id": "tenant-a", "limit": 500}, &list)
	if list.Total != e.clientCount(t, "tenant-a") || list.Limit != 200 || !slices.ContainsFunc(list.Clients, func(c clientView) bool { return c.ClientID == created.ClientID }) {
		t.Fatalf("list_clients: %+v", list)
	}

	var ch clientChangeOut
	ok(t, cs, "add_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID,
		"redirect_uris": []string{"https://shop.example.com/api/auth/callback"}, "post_logout_redirect_uris": []string{"https://shop.example.com/"}}, &ch)
	if !slices.Equal(ch.Client.RedirectURIs, []string{"http://localhost:3000/api/auth/callback", "https://shop.example.com/api/auth/callback"}) ||
		len(ch.Changes) != 2 {
		t.Fatalf("add_redirect_uris: %+v", ch)
	}

	msg := fails(t, cs, "remove_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID,
		"redirect_uris": []string{"http://localhost:3000/api/auth/callback"}})
	if !strings.Contains(msg, "confirm: true") {
		t.Fatalf("remove without confirm: %s", msg)
	}
	ok(t, cs, "remove_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID,
		"redirect_uris": []string{"http://localhost:3000/api/auth/callback"}, "confirm": true}, &ch)
	if !slices.Equal(ch.Client.RedirectURIs, []string{"https://shop.example.com/api/auth/callback"}) {
		t.Fatalf("remove_redirect_uris: %+v", ch.Client.RedirectURIs)
	}
	// The last redirect URI of an interactive client cannot go.
	msg = fails(t, cs, "remove_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID,
		"redirect_uris": []string{"https://shop.example.com/api/auth/callback"}, "confirm": true})
	if !strings.Contains(msg, "redirect_uris: at least one redirect URI is required") {
		t.Fatalf("removing the last redirect URI: %s", msg)
	}
	msg = fails(t, cs, "remove_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID,
		"redirect_uris": []string{"https://shop.example.com/api/auth/callback"}})
	if !strings.Contains(msg, "redirect_uris: at least one redirect URI is required") {
		t.Fatalf("removing the last redirect URI without confirm asks to confirm a change that cannot be made: %s", msg)
	}

	ok(t, cs, "update_client", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID, "name": "Shop 2", "refresh_grace_seconds": 30}, &ch)
	if ch.Client.Name != "Shop 2" || ch.Client.RefreshGraceSeconds != 30 || len(ch.Changes) != 2 {
		t.Fatalf("update_client: %+v", ch)
	}

	var sec newSecretOut
	r = ok(t, cs, "add_app_secret", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID}, &sec)
	if sec.ClientSecret == "" || sec.ClientSecret == created.ClientSecret || !strings.Contains(r.text, "only this once") {
		t.Fatalf("add_app_secret: %+v %s", sec, r.text)
	}

	msg = fails(t, cs, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID})
	if !strings.Contains(msg, "confirm: true") {
		t.Fatalf("delete without confirm: %s", msg)
	}
	if _, err := e.manage.GetClient(e.cli, "tenant-a", created.ClientID); err != nil {
		t.Fatalf("delete without confirm deleted: %v", err)
	}
	var del deletedClientOut
	ok(t, cs, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID, "confirm": true}, &del)
	if _, err := e.manage.GetClient(e.cli, "tenant-a", created.ClientID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("after delete_client: %v", err)
	}
	if msg := fails(t, cs, "get_app", map[string]any{"tenant_id": "tenant-a", "client_id": created.ClientID}); !strings.HasPrefix(msg, "Not found") {
		t.Fatalf("get_app after delete: %s", msg)
	}

	// create_app is the same tool under the hosted service's name; public
	// clients get no secret.
	var native clientCreatedOut
	ok(t, cs, "create_app", map[string]any{"tenant_id": "tenant-a", "name": "Phone", "type": "native",
		"redirect_uris": []string{"com.example.app:/callback"}}, &native)
	if native.Type != "native" || native.ClientSecret != "" {
		t.Fatalf("create_app: %+v", native)
	}
	msg = fails(t, cs, "add_app_secret", map[string]any{"tenant_id": "tenant-a", "client_id": native.ClientID})
	if !strings.Contains(msg, "public clients (spa, native) have no secrets") {
		t.Fatalf("secret for a public client: %s", msg)
	}
}

// TestClientToolsDryRun: every client write with dry_run answers with the
// change and creates, changes and deletes nothing; no secret is made.
func TestClientToolsDryRun(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	var existing clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Existing", "type": "web",
		"redirect_uris": []string{"https://app.example.com/cb", "https://app.example.com/cb1"}, "post_logout_redirect_uris": []string{"https://app.example.com/"}}, &existing)
	before := e.clientCount(t, "tenant-a")
	stored := func() *idp.Client {
		c, err := e.manage.GetClient(e.cli, "tenant-a", existing.ClientID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	orig := stored()

	var created clientCreatedOut
	r := ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Planned", "type": "web",
		"redirect_uris": []string{"https://planned.example.com/cb"}, "dry_run": true}, &created)
	if !created.DryRun || created.ClientID == "" || created.ClientSecret != "" || created.Name != "Planned" {
		t.Fatalf("dry-run create: %+v", created)
	}
	if !strings.Contains(r.text, "none is generated in a dry run") || !strings.Contains(r.text, "nothing was changed") {
		t.Fatalf("dry-run create summary: %s", r.text)
	}
	if _, err := e.manage.GetClient(e.cli, "tenant-a", created.ClientID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("dry-run client exists: %v", err)
	}

	var ch clientChangeOut
	ok(t, cs, "add_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": existing.ClientID,
		"redirect_uris": []string{"https://app.example.com/cb2"}, "dry_run": true}, &ch)
	if !ch.DryRun || len(ch.Changes) != 1 || ch.Changes[0].Field != "redirect_uris" || !slices.Contains(ch.Client.RedirectURIs, "https://app.example.com/cb2") {
		t.Fatalf("dry-run add_redirect_uris: %+v", ch)
	}
	ok(t, cs, "remove_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": existing.ClientID,
		"redirect_uris": []string{"https://app.example.com/cb"}, "post_logout_redirect_uris": []string{"https://app.example.com/"}, "dry_run": true}, nil)
	ok(t, cs, "update_client", map[string]any{"tenant_id": "tenant-a", "client_id": existing.ClientID, "name": "Renamed", "dry_run": true}, &ch)
	if ch.Client.Name != "Renamed" || len(ch.Changes) != 1 {
		t.Fatalf("dry-run update_client: %+v", ch)
	}
	var sec newSecretOut
	ok(t, cs, "add_app_secret", map[string]any{"tenant_id": "tenant-a", "client_id": existing.ClientID, "dry_run": true}, &sec)
	if sec.ClientSecret != "" || !sec.DryRun {
		t.Fatalf("dry-run add_app_secret: %+v", sec)
	}
	var del deletedClientOut
	ok(t, cs, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": existing.ClientID, "dry_run": true}, &del)
	if !del.DryRun || del.Deleted.ClientID != existing.ClientID {
		t.Fatalf("dry-run delete: %+v", del)
	}

	after := stored()
	if e.clientCount(t, "tenant-a") != before || after.Name != orig.Name || !slices.Equal(after.RedirectURIs, orig.RedirectURIs) {
		t.Fatalf("a dry run changed the tenant's clients: %+v", after)
	}
	ss, err := e.manage.ListClientSecrets(e.cli, "tenant-a", existing.ClientID)
	if err != nil || len(ss) != 1 {
		t.Fatalf("dry-run add_app_secret stored a secret: %v %v", ss, err)
	}
	// A dry run writes no audit record either.
	evs, _, err := e.manage.ListAudit(e.cli, "tenant-a", idp.AuditQuery{Page: idp.Page{Limit: 200}})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.Action != "client.create" || ev.ObjectID != existing.ClientID {
			if strings.HasPrefix(ev.Action, "client.") {
				t.Fatalf("audit record of a dry run: %+v", ev)
			}
		}
	}

	// Invalid input fails in a dry run exactly as for real.
	bad := map[string]any{"tenant_id": "tenant-a", "name": "Bad", "type": "web", "redirect_uris": []string{"javascript:alert(1)"}}
	real := fails(t, cs, "create_client", bad)
	bad["dry_run"] = true
	if dry := fails(t, cs, "create_client", bad); dry != real {
		t.Fatalf("dry run %q, real %q", dry, real)
	}
}

// TestBadRedirectURIRefusedAsREST is SECURITY-TESTS 45's validation case:
// a bad redirect URI given to create_client, create_app or
// add_redirect_uris is refused with exactly the REST API's
// error_description (one validator, in manage), and nothing is stored.
func TestBadRedirectURIRefusedAsREST(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	var spa clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "SPA", "type": "spa",
		"redirect_uris": []string{"http://localhost:5173/callback"}}, &spa)
	before := e.clientCount(t, "tenant-a")
	rootCtx := func() context.Context {
		a, err := e.manage.AdminActor(context.Background(), e.root.ID)
		if err != nil {
			t.Fatal(err)
		}
		return manage.WithActor(context.Background(), a)
	}()
	for _, uri := range []string{
		"javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"file:///etc/passwd",
		"http://evil.example.com/callback",
		"https://app.example.com/callback#frag",
		"https://*.example.com/callback",
		"https://user:pass@app.example.com/callback",
		"/relative/callback",
		"https://app.example.com/a/../callback",
	} {
		t.Run(uri, func(t *testing.T) {
			// What the REST API answers for the same input.
			_, err := e.manage.CreateClient(rootCtx, "tenant-a", manage.ClientInput{Name: "Bad", Type: idp.ClientSPA, RedirectURIs: []string{uri}})
			if !errors.Is(err, idp.ErrInvalid) {
				t.Fatalf("manage accepted %q: %v", uri, err)
			}
			want := restDescription(t, err)
			for _, tool := range []string{"create_client", "create_app"} {
				got := fails(t, cs, tool, map[string]any{"tenant_id": "tenant-a", "name": "Bad", "type": "spa", "redirect_uris": []string{uri}})
				if !strings.Contains(got, want) {
					t.Fatalf("%s: %q does not carry the REST error %q", tool, got, want)
				}
			}
			_, err = e.manage.UpdateClient(rootCtx, "tenant-a", spa.ClientID, manage.ClientPatch{AddRedirectURIs: []string{uri}})
			want = restDescription(t, err)
			got := fails(t, cs, "add_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": spa.ClientID, "redirect_uris": []string{uri}})
			if !strings.Contains(got, want) {
				t.Fatalf("add_redirect_uris: %q does not carry the REST error %q", got, want)
			}
		})
	}
	if n := e.clientCount(t, "tenant-a"); n != before {
		t.Fatalf("clients %d → %d", before, n)
	}
	c, err := e.manage.GetClient(e.cli, "tenant-a", spa.ClientID)
	if err != nil || !slices.Equal(c.RedirectURIs, []string{"http://localhost:5173/callback"}) {
		t.Fatalf("spa client changed: %+v %v", c, err)
	}
}

// TestClientToolsRights: a viewer reads but cannot write (the same denial
// as REST); an owner of another account sees tenant-a's objects as not
// found, whatever the tool; a token without mcp:write cannot call a
// write tool even as owner.
func TestClientToolsRights(t *testing.T) {
	e := newToolEnv(t)
	root := e.session(t, e.root, allScopes)
	var c clientCreatedOut
	ok(t, root, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Web", "type": "web",
		"redirect_uris": []string{"http://localhost:3000/api/auth/callback"}}, &c)
	before := e.clientCount(t, "tenant-a")

	vic := e.session(t, e.vic, allScopes)
	ok(t, vic, "list_clients", map[string]any{"tenant_id": "tenant-a"}, nil)
	ok(t, vic, "get_app", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID}, nil)
	ok(t, vic, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "nextjs-app-router"}, nil)
	writes := []struct {
		tool string
		args map[string]any
	}{
		{"create_client", map[string]any{"name": "X", "type": "backend"}},
		{"create_app", map[string]any{"name": "X", "type": "backend", "dry_run": true}},
		{"update_client", map[string]any{"client_id": c.ClientID, "name": "X"}},
		{"add_redirect_uris", map[string]any{"client_id": c.ClientID, "redirect_uris": []string{"https://x.example.com/cb"}}},
		{"remove_redirect_uris", map[string]any{"client_id": c.ClientID, "redirect_uris": []string{"http://localhost:3000/api/auth/callback"}, "confirm": true}},
		{"add_app_secret", map[string]any{"client_id": c.ClientID}},
		{"delete_client", map[string]any{"client_id": c.ClientID, "confirm": true}},
		// Without confirm the denial comes first, not a request to confirm.
		{"delete_client", map[string]any{"client_id": c.ClientID}},
		{"remove_redirect_uris", map[string]any{"client_id": c.ClientID, "redirect_uris": []string{"http://localhost:3000/api/auth/callback"}}},
	}
	for _, w := range writes {
		w.args["tenant_id"] = "tenant-a"
		if msg := fails(t, vic, w.tool, w.args); !strings.HasPrefix(msg, "Denied") {
			t.Errorf("viewer %s: %s", w.tool, msg)
		}
	}

	bob := e.session(t, e.bob, allScopes)
	for _, w := range append(writes,
		struct {
			tool string
			args map[string]any
		}{"get_app", map[string]any{"client_id": c.ClientID}},
		struct {
			tool string
			args map[string]any
		}{"list_clients", map[string]any{}},
		struct {
			tool string
			args map[string]any
		}{"generate_integration", map[string]any{"client_id": c.ClientID, "framework": "nextjs-app-router"}},
	) {
		w.args["tenant_id"] = "tenant-a"
		if msg := fails(t, bob, w.tool, w.args); !strings.HasPrefix(msg, "Not found") {
			t.Errorf("another account's owner, %s: %s", w.tool, msg)
		}
	}
	// bob's own tenant works for bob, and a client id of tenant-a does not
	// resolve there.
	if msg := fails(t, bob, "get_app", map[string]any{"tenant_id": "tenant-b", "client_id": c.ClientID}); !strings.HasPrefix(msg, "Not found") {
		t.Errorf("tenant-a's client in tenant-b: %s", msg)
	}

	readOnly := e.session(t, e.root, "mcp:read")
	if msg := fails(t, readOnly, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "X", "type": "backend"}); !strings.Contains(msg, "mcp:write") {
		t.Errorf("create_client with mcp:read only: %s", msg)
	}
	writer := e.session(t, e.root, "mcp:read mcp:write")
	if msg := fails(t, writer, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "confirm": true}); !strings.Contains(msg, "mcp:admin") {
		t.Errorf("delete_client without mcp:admin: %s", msg)
	}
	if n := e.clientCount(t, "tenant-a"); n != before {
		t.Fatalf("refused calls changed the clients: %d → %d", before, n)
	}
}

// TestClientToolsNeedTenant: without tenant_id and with no tenant
// selected, the tool says how to pick one; after select_tenant it works.
func TestClientToolsNeedTenant(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	msg := fails(t, cs, "list_clients", map[string]any{})
	if !strings.Contains(msg, "select_tenant") {
		t.Fatalf("no tenant: %s", msg)
	}
	ok(t, cs, "select_tenant", map[string]any{"tenant_id": "tenant-a"}, nil)
	var created clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"name": "M2M", "type": "backend"}, &created)
	if created.TenantID != "tenant-a" || created.ClientSecret == "" {
		t.Fatalf("create_client in the selected tenant: %+v", created)
	}
}
