package mcp_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/manage"
)

// TestToolList: every tool has a model-facing description, annotations
// matching its kind, and input and output schemas.
func TestToolList(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	res, err := cs.ListTools(t.Context(), nil)
	must(t, err)
	byName := map[string]*mcpsdk.Tool{}
	for _, tl := range res.Tools {
		byName[tl.Name] = tl
		if len(tl.Description) < 80 || tl.InputSchema == nil || tl.OutputSchema == nil || tl.Annotations == nil {
			t.Errorf("%s: description %q, schemas %v/%v", tl.Name, tl.Description, tl.InputSchema != nil, tl.OutputSchema != nil)
		}
	}
	for _, c := range []struct {
		name                  string
		readOnly, destructive bool
	}{
		{"get_me", true, false}, {"list_tenants", true, false}, {"create_tenant", false, false},
		{"select_tenant", false, false}, {"get_tenant", true, false}, {"update_tenant", false, false},
		{"add_allowed_origins", false, false}, {"remove_allowed_origins", false, true},
		{"suspend_tenant", false, true}, {"resume_tenant", false, false},
		{"get_theme", true, false}, {"update_theme", false, false},
		{"list_signing_keys", true, false}, {"rotate_signing_keys", false, true},
		{"list_audit_events", true, false}, {"get_tenant_endpoints", true, false},
	} {
		tl := byName[c.name]
		if tl == nil {
			t.Errorf("missing tool %s", c.name)
			continue
		}
		if tl.Annotations.ReadOnlyHint != c.readOnly || tl.Annotations.DestructiveHint == nil || *tl.Annotations.DestructiveHint != c.destructive {
			t.Errorf("%s annotations %+v", c.name, tl.Annotations)
		}
		if c.destructive {
			props, _ := tl.InputSchema.(map[string]any)["properties"].(map[string]any)
			if _, ok := props["confirm"]; !ok {
				t.Errorf("%s has no confirm input", c.name)
			}
		}
	}
}

// TestSelectTenantPersists: the selection is stored, so a later request
// — another connection, another token — works on it without tenant_id.
func TestSelectTenantPersists(t *testing.T) {
	s := newStack(t)
	first := s.connect(t, s.mcpToken(t, s.root))
	msg := toolErr(t, first, "get_tenant", map[string]any{})
	if !strings.Contains(msg, "list_tenants") || !strings.Contains(msg, "select_tenant") {
		t.Fatalf("no selection: %q", msg)
	}
	ok(t, first, "select_tenant", map[string]any{"tenant_id": "tenant-a"}, nil)

	second := s.connect(t, s.mcpToken(t, s.root))
	var got struct {
		Tenant struct {
			ID     string `json:"id"`
			Issuer string `json:"issuer"`
		} `json:"tenant"`
	}
	ok(t, second, "get_tenant", map[string]any{}, &got)
	if got.Tenant.ID != "tenant-a" || got.Tenant.Issuer != s.url+"/t/tenant-a" {
		t.Fatalf("get_tenant = %+v", got)
	}
	var me struct {
		SelectedTenant string   `json:"selected_tenant"`
		Scopes         []string `json:"scopes"`
		Accounts       []struct {
			Role string `json:"role"`
		} `json:"accounts"`
	}
	ok(t, second, "get_me", map[string]any{}, &me)
	if me.SelectedTenant != "tenant-a" || !slices.Equal(me.Scopes, allMCP) || len(me.Accounts) != 1 || me.Accounts[0].Role != "owner" {
		t.Fatalf("get_me = %+v", me)
	}
	// Another administrator's selection is their own.
	bob := s.connect(t, s.mcpToken(t, s.bob))
	me.SelectedTenant = "unset"
	ok(t, bob, "get_me", map[string]any{}, &me)
	if me.SelectedTenant != "unset" {
		t.Fatalf("bob's selection = %q", me.SelectedTenant)
	}
}

// TestAccountIsolation: an administrator of account A never sees account
// B's tenant: not listed, and not found by id through any tool
// (SECURITY-TESTS 45: a tool with another tenant's object is denied).
func TestAccountIsolation(t *testing.T) {
	s := newStack(t)
	root := s.connect(t, s.mcpToken(t, s.root))
	var list struct {
		Tenants []struct {
			ID string `json:"id"`
		} `json:"tenants"`
		Total int `json:"total"`
	}
	ok(t, root, "list_tenants", map[string]any{}, &list)
	var ids []string
	for _, tn := range list.Tenants {
		ids = append(ids, tn.ID)
	}
	if slices.Contains(ids, "tenant-b") || !slices.Contains(ids, "tenant-a") || list.Total != len(ids) {
		t.Fatalf("root's tenants %v (total %d)", ids, list.Total)
	}
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"get_tenant", map[string]any{"tenant_id": "tenant-b"}},
		{"select_tenant", map[string]any{"tenant_id": "tenant-b"}},
		{"get_theme", map[string]any{"tenant_id": "tenant-b"}},
		{"update_theme", map[string]any{"tenant_id": "tenant-b", "light": map[string]any{"primary_color": "#000000"}}},
		{"update_tenant", map[string]any{"tenant_id": "tenant-b", "name": "Mine"}},
		{"add_allowed_origins", map[string]any{"tenant_id": "tenant-b", "origins": []string{"https://evil.example"}}},
		{"list_signing_keys", map[string]any{"tenant_id": "tenant-b"}},
		{"rotate_signing_keys", map[string]any{"tenant_id": "tenant-b", "confirm": true}},
		{"list_audit_events", map[string]any{"tenant_id": "tenant-b"}},
		{"get_tenant_endpoints", map[string]any{"tenant_id": "tenant-b"}},
	} {
		if msg := toolErr(t, root, c.tool, c.args); !strings.HasPrefix(msg, "Not found") {
			t.Errorf("%s on tenant-b: %q", c.tool, msg)
		}
	}
	b, err := s.manage.GetTenant(s.cli, "tenant-b")
	must(t, err)
	if b.Name != "Tenant tenant-b" || len(b.AllowedOrigins) != 0 {
		t.Fatalf("tenant-b changed: %+v", b.Tenant)
	}
	// Bob, owner of account B, does see it.
	bob := s.connect(t, s.mcpToken(t, s.bob))
	ok(t, bob, "get_tenant", map[string]any{"tenant_id": "tenant-b"}, nil)
}

// TestViewerDenied: a viewer holding every MCP scope still cannot write:
// the tool answers denied and nothing changes (the account role decides,
// as in the REST API).
func TestViewerDenied(t *testing.T) {
	s := newStack(t)
	vic := s.connect(t, s.mcpToken(t, s.vic))
	before, err := s.manage.GetTheme(s.cli, "tenant-a")
	must(t, err)
	ok(t, vic, "get_theme", map[string]any{"tenant_id": "tenant-a"}, nil)
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"update_theme", map[string]any{"tenant_id": "tenant-a", "light": map[string]any{"primary_color": "#112233"}}},
		{"update_theme", map[string]any{"tenant_id": "tenant-a", "light": map[string]any{"primary_color": "#112233"}, "dry_run": true}},
		{"update_tenant", map[string]any{"tenant_id": "tenant-a", "name": "Vic's"}},
		{"add_allowed_origins", map[string]any{"tenant_id": "tenant-a", "origins": []string{"http://localhost:5173"}}},
		{"rotate_signing_keys", map[string]any{"tenant_id": "tenant-a", "confirm": true}},
		{"create_tenant", map[string]any{"name": "Vic's own", "account_id": s.accA}},
	} {
		if msg := toolErr(t, vic, c.tool, c.args); !strings.HasPrefix(msg, "Denied") {
			t.Errorf("viewer %s: %q", c.tool, msg)
		}
	}
	after, err := s.manage.GetTheme(s.cli, "tenant-a")
	must(t, err)
	if after.Light != before.Light || !after.UpdatedAt.Equal(before.UpdatedAt) {
		t.Fatalf("theme changed by a viewer: %+v", after.Light)
	}
	a, err := s.manage.GetTenant(s.cli, "tenant-a")
	must(t, err)
	if a.Name != "Tenant tenant-a" || len(a.AllowedOrigins) != 0 {
		t.Fatalf("tenant changed by a viewer: %+v", a.Tenant)
	}
	// The refusal is in the audit log, as REST refusals are.
	es, _, err := s.manage.ListAudit(s.cli, "tenant-a", idpAuditAction("theme.update"))
	must(t, err)
	if len(es) == 0 || es[0].ActorID != s.vic.ID || es[0].Outcome != "failure" {
		t.Fatalf("audit %+v", es)
	}
}

// TestValidationMatchesREST: invalid input gets the message the REST API
// gives for the same input, because both go through the same manage code
// (SECURITY-TESTS 45).
func TestValidationMatchesREST(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	mgmt := s.token(t, s.root, manage.AdminUIClientID, s.url+manage.AdminUICallbackPath, manage.ManagementAPI,
		"openid", manage.ScopeTenantsWrite, manage.ScopeThemeWrite)
	rest := func(method, path string, body any) string {
		t.Helper()
		b, _ := json.Marshal(body)
		req, _ := http.NewRequest(method, s.url+path, bytes.NewReader(b))
		req.Header.Set("Authorization", "Bearer "+mgmt)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Tenant-ID", "tenant-a")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		must(t, err)
		defer resp.Body.Close()
		var e struct {
			Description string `json:"error_description"`
		}
		must(t, json.NewDecoder(resp.Body).Decode(&e))
		if resp.StatusCode != http.StatusBadRequest || e.Description == "" {
			t.Fatalf("REST %s %s: %d %q", method, path, resp.StatusCode, e.Description)
		}
		return e.Description
	}
	cases := []struct {
		name       string
		tool       string
		args       map[string]any
		restMethod string
		restPath   string
		restBody   any
	}{
		{"javascript origin", "add_allowed_origins", map[string]any{"tenant_id": "tenant-a", "origins": []string{"javascript:alert(1)"}},
			"PATCH", "/api/v1/tenants/tenant-a", map[string]any{"add_allowed_origins": []string{"javascript:alert(1)"}}},
		{"origin with a path", "add_allowed_origins", map[string]any{"tenant_id": "tenant-a", "origins": []string{"https://app.example.com/cb"}},
			"PATCH", "/api/v1/tenants/tenant-a", map[string]any{"add_allowed_origins": []string{"https://app.example.com/cb"}}},
		{"token lifetime", "update_tenant", map[string]any{"tenant_id": "tenant-a", "access_token_ttl": 5},
			"PATCH", "/api/v1/tenants/tenant-a", map[string]any{"access_token_ttl": 5}},
		{"colour", "update_theme", map[string]any{"tenant_id": "tenant-a", "dark": map[string]any{"text_color": "red"}},
			"PATCH", "/api/v1/theme", map[string]any{"dark": map[string]any{"text_color": "red"}}},
		{"language", "update_theme", map[string]any{"tenant_id": "tenant-a", "default_language": "english!"},
			"PATCH", "/api/v1/theme", map[string]any{"default_language": "english!"}},
		{"tenant id", "create_tenant", map[string]any{"id": "Bad_ID", "name": "X", "dry_run": true},
			"POST", "/api/v1/tenants", map[string]any{"id": "Bad_ID", "name": "X"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			want := rest(c.restMethod, c.restPath, c.restBody)
			got := toolErr(t, cs, c.tool, c.args)
			if !strings.HasPrefix(got, "Invalid input: "+want+".") {
				t.Fatalf("tool %q, REST %q", got, want)
			}
		})
	}
}

// TestTenantTools: create (dry run, then for real with select), update,
// origins add/remove with confirm, endpoints.
func TestTenantTools(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	type tenantOut struct {
		Tenant struct {
			ID             string   `json:"id"`
			Name           string   `json:"name"`
			Issuer         string   `json:"issuer"`
			AllowedOrigins []string `json:"allowed_origins"`
			AccessTokenTTL int      `json:"access_token_ttl"`
		} `json:"tenant"`
		DryRun   bool `json:"dry_run"`
		Selected bool `json:"selected"`
		Changes  []struct {
			Field string `json:"field"`
			From  any    `json:"from"`
			To    any    `json:"to"`
		} `json:"changes"`
	}
	var out tenantOut
	ok(t, cs, "create_tenant", map[string]any{"id": "shop", "name": "Shop", "dry_run": true}, &out)
	if !out.DryRun || out.Tenant.ID != "shop" || out.Tenant.Issuer != s.url+"/t/shop" {
		t.Fatalf("dry run create: %+v", out)
	}
	if _, err := s.manage.GetTenant(s.cli, "shop"); err == nil {
		t.Fatal("dry run created the tenant")
	}
	out = tenantOut{}
	res := call(t, cs, "create_tenant", map[string]any{"id": "shop", "name": "Shop", "select": true})
	if res.IsError || !strings.Contains(text(res), "Tenant shop") || !strings.Contains(text(res), "create_client") {
		t.Fatalf("create: %s", text(res))
	}
	ok(t, cs, "get_tenant", map[string]any{}, &out)
	if out.Tenant.ID != "shop" {
		t.Fatalf("not selected after create: %+v", out)
	}

	out = tenantOut{}
	ok(t, cs, "update_tenant", map[string]any{"access_token_ttl": 600, "dry_run": true}, &out)
	if !out.DryRun || len(out.Changes) != 1 || out.Changes[0].Field != "access_token_ttl" || out.Changes[0].To != float64(600) {
		t.Fatalf("dry-run update: %+v", out)
	}
	if tn, _ := s.manage.GetTenant(s.cli, "shop"); tn.AccessTokenTTL == 600 {
		t.Fatal("dry run updated the tenant")
	}
	out = tenantOut{}
	ok(t, cs, "update_tenant", map[string]any{"access_token_ttl": 600, "name": "Shop EU"}, &out)
	if out.DryRun || out.Tenant.AccessTokenTTL != 600 || out.Tenant.Name != "Shop EU" || len(out.Changes) != 2 {
		t.Fatalf("update: %+v", out)
	}

	out = tenantOut{}
	ok(t, cs, "add_allowed_origins", map[string]any{"origins": []string{"http://localhost:5173", "https://shop.example.com"}}, &out)
	if !slices.Equal(out.Tenant.AllowedOrigins, []string{"http://localhost:5173", "https://shop.example.com"}) {
		t.Fatalf("origins: %v", out.Tenant.AllowedOrigins)
	}
	msg := toolErr(t, cs, "remove_allowed_origins", map[string]any{"origins": []string{"http://localhost:5173"}})
	if !strings.Contains(msg, "confirm: true") {
		t.Fatalf("remove without confirm: %q", msg)
	}
	out = tenantOut{}
	ok(t, cs, "remove_allowed_origins", map[string]any{"origins": []string{"http://localhost:5173"}, "dry_run": true}, &out)
	if !out.DryRun || len(out.Tenant.AllowedOrigins) != 1 {
		t.Fatalf("remove dry run: %+v", out)
	}
	if tn, _ := s.manage.GetTenant(s.cli, "shop"); len(tn.AllowedOrigins) != 2 {
		t.Fatal("dry run removed an origin")
	}
	ok(t, cs, "remove_allowed_origins", map[string]any{"origins": []string{"http://localhost:5173"}, "confirm": true}, nil)
	if tn, _ := s.manage.GetTenant(s.cli, "shop"); !slices.Equal(tn.AllowedOrigins, []string{"https://shop.example.com"}) {
		t.Fatalf("after remove: %v", tn.AllowedOrigins)
	}

	var ep struct {
		TenantID   string `json:"tenant_id"`
		Issuer     string `json:"issuer"`
		Discovery  string `json:"discovery"`
		ASMetadata string `json:"authorization_server_metadata"`
		JWKS       string `json:"jwks_uri"`
		Token      string `json:"token_endpoint"`
	}
	ok(t, cs, "get_tenant_endpoints", map[string]any{}, &ep)
	iss := s.url + "/t/shop"
	if ep.Issuer != iss || ep.Discovery != iss+"/.well-known/openid-configuration" || ep.JWKS != iss+"/.well-known/jwks.json" || ep.Token != iss+"/oauth2/token" {
		t.Fatalf("endpoints %+v", ep)
	}
	if ep.ASMetadata != s.url+"/.well-known/oauth-authorization-server/t/shop" {
		t.Fatalf("RFC 8414 location %q", ep.ASMetadata)
	}
	// Both metadata documents really are there and name the same issuer.
	for _, u := range []string{ep.Discovery, ep.ASMetadata} {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(u)
		must(t, err)
		var disc struct {
			Issuer        string `json:"issuer"`
			TokenEndpoint string `json:"token_endpoint"`
		}
		must(t, json.NewDecoder(resp.Body).Decode(&disc))
		resp.Body.Close()
		if disc.Issuer != ep.Issuer || disc.TokenEndpoint != ep.Token {
			t.Fatalf("%s: %+v vs %+v", u, disc, ep)
		}
	}
}

// TestThemeTools: update_theme (dry run first), with the change list and
// contrast warnings; the hosted login page shows the new colour; the
// change is audited with the administrator as actor.
func TestThemeTools(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	ok(t, cs, "select_tenant", map[string]any{"tenant_id": "tenant-a"}, nil)
	type themeOut struct {
		Theme struct {
			Light struct {
				PrimaryColor string `json:"primary_color"`
			} `json:"light"`
			Dark struct {
				PrimaryColor string `json:"primary_color"`
			} `json:"dark"`
			Warnings []string `json:"warnings"`
		} `json:"theme"`
		LoginPageURL string `json:"login_page_url"`
		DryRun       bool   `json:"dry_run"`
		Changes      []struct {
			Field string `json:"field"`
		} `json:"changes"`
	}
	var before themeOut
	ok(t, cs, "get_theme", map[string]any{}, &before)
	args := map[string]any{"light": map[string]any{"primary_color": "#7C3AED"}, "dark": map[string]any{"primary_color": "#A78BFA"}}
	var dry themeOut
	args["dry_run"] = true
	ok(t, cs, "update_theme", args, &dry)
	if !dry.DryRun || dry.Theme.Light.PrimaryColor != "#7c3aed" || len(dry.Changes) != 2 ||
		dry.Changes[0].Field != "dark.primary_color" || dry.Changes[1].Field != "light.primary_color" {
		t.Fatalf("dry run: %+v", dry)
	}
	var now themeOut
	ok(t, cs, "get_theme", map[string]any{}, &now)
	if now.Theme.Light.PrimaryColor != before.Theme.Light.PrimaryColor {
		t.Fatal("dry run saved the theme")
	}
	delete(args, "dry_run")
	var done themeOut
	ok(t, cs, "update_theme", args, &done)
	if done.DryRun || done.Theme.Light.PrimaryColor != "#7c3aed" || done.Theme.Dark.PrimaryColor != "#a78bfa" || done.LoginPageURL != s.url+"/t/tenant-a/oauth2/login" {
		t.Fatalf("update: %+v", done)
	}
	// A colour pair below WCAG AA is saved with a warning.
	var low themeOut
	ok(t, cs, "update_theme", map[string]any{"light": map[string]any{"text_color": "#eeeeee"}}, &low)
	if len(low.Theme.Warnings) == 0 {
		t.Fatalf("no contrast warning: %+v", low)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(done.LoginPageURL)
	must(t, err)
	var page bytes.Buffer
	_, _ = page.ReadFrom(resp.Body)
	resp.Body.Close()
	if !strings.Contains(strings.ToLower(page.String()), "#7c3aed") {
		t.Fatalf("login page (%d) does not show the colour", resp.StatusCode)
	}
	var audit struct {
		Events []struct {
			Action  string `json:"action"`
			ActorID string `json:"actor_id"`
			Outcome string `json:"outcome"`
		} `json:"audit_events"`
		Total int `json:"total"`
	}
	ok(t, cs, "list_audit_events", map[string]any{"action": "theme.update"}, &audit)
	if audit.Total != 2 || audit.Events[0].ActorID != s.root.ID || audit.Events[0].Outcome != "success" {
		t.Fatalf("audit %+v", audit)
	}
	if msg := toolErr(t, cs, "list_audit_events", map[string]any{"since": "yesterday"}); !strings.Contains(msg, "since: must be an RFC 3339 time") {
		t.Fatalf("bad since: %q", msg)
	}
}

// TestKeyTools: rotation needs confirm; a dry run shows the plan; a
// staged rotation publishes a second key.
func TestKeyTools(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	type keysOut struct {
		Keys []struct {
			KeyID string `json:"kid"`
			State string `json:"state"`
		} `json:"signing_keys"`
	}
	var ks keysOut
	ok(t, cs, "list_signing_keys", map[string]any{"tenant_id": "tenant-a"}, &ks)
	if len(ks.Keys) != 1 || ks.Keys[0].State != "active" || ks.Keys[0].KeyID == "" {
		t.Fatalf("keys %+v", ks)
	}
	if msg := toolErr(t, cs, "rotate_signing_keys", map[string]any{"tenant_id": "tenant-a"}); !strings.Contains(msg, "confirm: true") {
		t.Fatalf("rotate without confirm: %q", msg)
	}
	var plan struct {
		DryRun bool `json:"dry_run"`
		Staged *struct {
			State string `json:"state"`
		} `json:"staged"`
		Activated any `json:"activated"`
	}
	ok(t, cs, "rotate_signing_keys", map[string]any{"tenant_id": "tenant-a", "dry_run": true}, &plan)
	if !plan.DryRun || plan.Staged == nil || plan.Staged.State != "staged" || plan.Activated != nil {
		t.Fatalf("plan %+v", plan)
	}
	ok(t, cs, "list_signing_keys", map[string]any{"tenant_id": "tenant-a"}, &ks)
	if len(ks.Keys) != 1 {
		t.Fatalf("dry run staged a key: %+v", ks)
	}
	res := call(t, cs, "rotate_signing_keys", map[string]any{"tenant_id": "tenant-a", "confirm": true})
	if res.IsError || !strings.Contains(text(res), "again later") {
		t.Fatalf("rotate: %s", text(res))
	}
	ok(t, cs, "list_signing_keys", map[string]any{"tenant_id": "tenant-a"}, &ks)
	if len(ks.Keys) != 2 {
		t.Fatalf("after rotation %+v", ks)
	}
}
