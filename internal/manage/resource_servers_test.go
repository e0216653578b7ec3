package manage

import (
	"context"
	"errors"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestCreateResourceServerValidation(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	sc := func(v ...string) []idp.ResourceScope {
		out := make([]idp.ResourceScope, len(v))
		for i, x := range v {
			out[i] = idp.ResourceScope{Value: x}
		}
		return out
	}
	cases := []struct {
		name   string
		in     ResourceServerInput
		field  string
		prefix string
	}{
		{"derived from host", ResourceServerInput{Identifier: "https://api.example.com", Name: "API", Scopes: sc("api:read", "api:write")}, "", "api:"},
		{"derived from path", ResourceServerInput{Identifier: "https://example.com/v1/Orders", Name: "Orders"}, "", "orders:"},
		{"given prefix", ResourceServerInput{Identifier: "https://mcp.example.com/mcp", Name: "MCP", ScopePrefix: "tools", Scopes: sc("tools:call")}, "", "tools:"},
		{"loopback http", ResourceServerInput{Identifier: "http://localhost:4000", Name: "Dev"}, "", "localhost:"},
		{"no identifier", ResourceServerInput{Name: "x"}, "identifier", ""},
		{"relative", ResourceServerInput{Identifier: "/api", Name: "x"}, "identifier", ""},
		{"http", ResourceServerInput{Identifier: "http://api2.example.com", Name: "x"}, "identifier", ""},
		{"fragment", ResourceServerInput{Identifier: "https://api3.example.com#x", Name: "x"}, "identifier", ""},
		{"query", ResourceServerInput{Identifier: "https://api3.example.com?x=1", Name: "x"}, "identifier", ""},
		{"urn", ResourceServerInput{Identifier: "urn:example:api", Name: "x"}, "identifier", ""},
		{"duplicate", ResourceServerInput{Identifier: "https://api.example.com", Name: "again"}, "identifier", ""},
		{"no name", ResourceServerInput{Identifier: "https://api4.example.com"}, "name", ""},
		{"scope without prefix", ResourceServerInput{Identifier: "https://api5.example.com", Name: "x", Scopes: sc("read")}, "scopes", ""},
		{"scope of another prefix", ResourceServerInput{Identifier: "https://api5.example.com", Name: "x", Scopes: sc("other:read")}, "scopes", ""},
		{"bare prefix scope", ResourceServerInput{Identifier: "https://api5.example.com", Name: "x", Scopes: sc("api5:")}, "scopes", ""},
		{"scope with space", ResourceServerInput{Identifier: "https://api5.example.com", Name: "x", Scopes: sc("api5:read all")}, "scopes", ""},
		{"duplicate scope", ResourceServerInput{Identifier: "https://api5.example.com", Name: "x", Scopes: sc("api5:a", "api5:a")}, "scopes", ""},
		{"bad prefix", ResourceServerInput{Identifier: "https://api6.example.com", Name: "x", ScopePrefix: "Bad Prefix"}, "scope_prefix", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := f.svc.CreateResourceServer(ctx, "tenant-a", c.in)
			if c.field != "" {
				wantField(t, err, c.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.ScopePrefix != c.prefix {
				t.Fatalf("prefix %q, want %q", r.ScopePrefix, c.prefix)
			}
			got, err := f.svc.GetResourceServer(ctx, "tenant-a", r.Identifier)
			if err != nil || got.ID != r.ID || len(got.Scopes) != len(c.in.Scopes) {
				t.Fatalf("by identifier: %+v %v", got, err)
			}
		})
	}
	// The same identifier in another tenant is fine.
	if _, err := f.svc.CreateResourceServer(ctx, "tenant-b", ResourceServerInput{Identifier: "https://api.example.com", Name: "B"}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateResourceServer(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	r, err := f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "https://api.example.com", Name: "API"})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := f.svc.AddResourceServerScope(ctx, "tenant-a", r.ID, idp.ResourceScope{Value: "api:read", Description: "Read things", GrantedToAll: true})
	if err != nil || len(r2.Scopes) != 1 || !r2.Scopes[0].GrantedToAll {
		t.Fatalf("add scope: %+v %v", r2, err)
	}
	_, err = f.svc.AddResourceServerScope(ctx, "tenant-a", r.ID, idp.ResourceScope{Value: "api:read"})
	wantField(t, err, "scopes")
	_, err = f.svc.AddResourceServerScope(ctx, "tenant-a", r.ID, idp.ResourceScope{Value: "orders:read"})
	wantField(t, err, "scopes")
	name := "Renamed"
	scopes := []idp.ResourceScope{{Value: "api:write"}}
	r3, err := f.svc.UpdateResourceServer(ctx, "tenant-a", "https://api.example.com", ResourceServerPatch{Name: &name, Scopes: &scopes})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.svc.GetResourceServer(ctx, "tenant-a", r.ID)
	if got.Name != name || len(got.Scopes) != 1 || got.Scopes[0].Value != "api:write" || got.ScopePrefix != "api:" || got.Identifier != r.Identifier || r3.ID != r.ID {
		t.Fatalf("stored %+v", got)
	}
	list, total, err := f.svc.ListResourceServers(ctx, "tenant-a", idp.Page{})
	// The built-in management resource server is listed too.
	if err != nil || total != 2 || len(list) != 2 {
		t.Fatalf("list %v %d %v", list, total, err)
	}
	if _, err := f.svc.GetResourceServer(ctx, "tenant-b", r.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("through another tenant: %v", err)
	}
	if err := f.svc.DeleteResourceServer(ctx, "tenant-a", r.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetResourceServer(ctx, "tenant-a", r.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	e := f.lastAudit(t, "tenant-a", "resource_server.delete")
	if e.ObjectID != r.ID || e.Details["identifier"] != r.Identifier {
		t.Fatalf("audit %+v", e)
	}
}
