package mcp

import (
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestResourceTools: create_resource_server (dry run first), get it by id
// and by identifier, add a scope; invalid input is refused with the REST
// API's text; viewers and other accounts are refused.
func TestResourceTools(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	count := func() int {
		_, n, err := e.manage.ListResourceServers(e.cli, "tenant-a", idp.Page{})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	var rs resourceServerOut
	ok(t, cs, "create_resource_server", map[string]any{"tenant_id": "tenant-a", "identifier": "https://orders.example.com", "name": "Orders", "dry_run": true}, &rs)
	if !rs.DryRun || rs.ResourceServer.ScopePrefix != "orders:" || count() != before {
		t.Fatalf("dry run: %+v (count %d → %d)", rs, before, count())
	}
	r := ok(t, cs, "create_resource_server", map[string]any{"tenant_id": "tenant-a", "identifier": "https://orders.example.com", "name": "Orders",
		"scopes": []map[string]any{{"value": "orders:read", "description": "Read orders"}}}, &rs)
	if rs.ResourceServer.ID == "" || len(rs.ResourceServer.Scopes) != 1 || !strings.Contains(r.text, "audience https://orders.example.com") {
		t.Fatalf("create: %+v %s", rs, r.text)
	}
	id := rs.ResourceServer.ID

	ok(t, cs, "add_resource_server_scope", map[string]any{"tenant_id": "tenant-a", "resource_server": "https://orders.example.com", "value": "orders:write", "description": "Change orders"}, &rs)
	if len(rs.ResourceServer.Scopes) != 2 || rs.ResourceServer.Scopes[1].Value != "orders:write" {
		t.Fatalf("add scope: %+v", rs)
	}
	ok(t, cs, "add_resource_server_scope", map[string]any{"tenant_id": "tenant-a", "resource_server": id, "value": "orders:admin", "dry_run": true}, &rs)
	if len(rs.ResourceServer.Scopes) != 3 || !rs.DryRun {
		t.Fatalf("dry-run add scope: %+v", rs)
	}
	ok(t, cs, "get_resource_server", map[string]any{"tenant_id": "tenant-a", "resource_server": id}, &rs)
	if rs.ResourceServer.Identifier != "https://orders.example.com" || len(rs.ResourceServer.Scopes) != 2 {
		t.Fatalf("get by id: %+v", rs)
	}

	rootCtx := e.cli
	for _, tc := range []struct {
		tool string
		args map[string]any
		real func() error
	}{
		{"create_resource_server", map[string]any{"identifier": "http://api.example.com", "name": "Plain http"}, func() error {
			_, err := e.manage.CreateResourceServer(rootCtx, "tenant-a", manage.ResourceServerInput{Identifier: "http://api.example.com", Name: "Plain http"})
			return err
		}},
		{"create_resource_server", map[string]any{"identifier": "https://orders.example.com", "name": "Again"}, func() error {
			_, err := e.manage.CreateResourceServer(rootCtx, "tenant-a", manage.ResourceServerInput{Identifier: "https://orders.example.com", Name: "Again"})
			return err
		}},
		{"add_resource_server_scope", map[string]any{"resource_server": id, "value": "billing:read"}, func() error {
			_, err := e.manage.AddResourceServerScope(rootCtx, "tenant-a", id, idp.ResourceScope{Value: "billing:read"})
			return err
		}},
	} {
		tc.args["tenant_id"] = "tenant-a"
		want := restDescription(t, tc.real())
		if msg := fails(t, cs, tc.tool, tc.args); !strings.Contains(msg, want) {
			t.Errorf("%s %v: %q does not carry the REST error %q", tc.tool, tc.args, msg, want)
		}
	}

	vic := e.session(t, e.vic, allScopes)
	ok(t, vic, "get_resource_server", map[string]any{"tenant_id": "tenant-a", "resource_server": id}, nil)
	if msg := fails(t, vic, "add_resource_server_scope", map[string]any{"tenant_id": "tenant-a", "resource_server": id, "value": "orders:x"}); !strings.HasPrefix(msg, "Denied") {
		t.Errorf("viewer add scope: %s", msg)
	}
	bob := e.session(t, e.bob, allScopes)
	if msg := fails(t, bob, "get_resource_server", map[string]any{"tenant_id": "tenant-a", "resource_server": id}); !strings.HasPrefix(msg, "Not found") {
		t.Errorf("another account's get: %s", msg)
	}
	if msg := fails(t, bob, "get_resource_server", map[string]any{"tenant_id": "tenant-b", "resource_server": id}); !strings.HasPrefix(msg, "Not found") {
		t.Errorf("tenant-a's resource server in tenant-b: %s", msg)
	}
	if msg := fails(t, cs, "add_resource_server_scope", map[string]any{"tenant_id": "tenant-a", "resource_server": manage.ManagementAPI, "value": "mgmt:x"}); strings.HasPrefix(msg, "An internal error") {
		t.Errorf("built-in resource server: %s", msg)
	}
}
