package mcp

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/integration"
)

// env returns the value of the environment variable name in o (with
// Vite's VITE_ prefix for browser code).
func (o integrationOut) env(name string) (string, bool) {
	for _, e := range o.Env {
		if e.Name == name || e.Name == "VITE_"+name {
			return e.Value, true
		}
	}
	return "", false
}

// checkIntegration checks what every generated integration must hold:
// files, the tenant's issuer and the client's id in the environment, no
// client secret, and the files in the text content too.
func checkIntegration(t *testing.T, r toolResult, o integrationOut, framework, clientID, issuer, secret string) {
	t.Helper()
	if o.Framework != framework || o.ClientID != clientID || o.Issuer != issuer || len(o.Files) == 0 || len(o.Install) == 0 {
		t.Fatalf("%s: %+v", framework, o)
	}
	if v, _ := o.env("AUTHALLA_ISSUER"); v != issuer {
		t.Fatalf("%s: AUTHALLA_ISSUER = %q, want %q", framework, v, issuer)
	}
	if v, _ := o.env("AUTHALLA_CLIENT_ID"); v != clientID {
		t.Fatalf("%s: AUTHALLA_CLIENT_ID = %q, want %q", framework, v, clientID)
	}
	if secret != "" && (strings.Contains(r.text, secret) || strings.Contains(string(r.data), secret)) {
		t.Fatalf("%s: the client secret is in the generated integration", framework)
	}
	for _, f := range o.Files {
		if !strings.Contains(r.text, "--- "+f.Path) || !strings.Contains(r.text, f.Content) {
			t.Fatalf("%s: file %s is not in the text content", framework, f.Path)
		}
	}
}

// TestSeedPromptNextJS is the seed's first prompt, "add login to my
// Next.js app on localhost:3000": select the tenant, create a web client
// with the app's callback, generate the nextjs-app-router code. The code
// needs nothing more from the tenant.
func TestSeedPromptNextJS(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	ok(t, cs, "select_tenant", map[string]any{"tenant_id": "tenant-a"}, nil)
	var c clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"name": "My Next.js app", "type": "web",
		"redirect_uris":             []string{"http://localhost:3000/api/auth/callback"},
		"post_logout_redirect_uris": []string{"http://localhost:3000/"}}, &c)
	if c.ClientSecret == "" {
		t.Fatal("a web client gets its secret once")
	}
	var o integrationOut
	r := ok(t, cs, "generate_integration", map[string]any{"client_id": c.ClientID, "framework": "nextjs-app-router"}, &o)
	checkIntegration(t, r, o, "nextjs-app-router", c.ClientID, e.issuer+"/t/tenant-a", c.ClientSecret)
	if len(o.Fixes) != 0 || !strings.Contains(r.text, "configured for this code") {
		t.Fatalf("fixes for a client created for this app: %+v", o.Fixes)
	}
	if !slices.Equal(o.RedirectURIs, []string{"http://localhost:3000/api/auth/callback"}) {
		t.Fatalf("redirect URIs: %v", o.RedirectURIs)
	}
	if v, _ := o.env("AUTHALLA_REDIRECT_URI"); v != "http://localhost:3000/api/auth/callback" {
		t.Fatalf("AUTHALLA_REDIRECT_URI = %q", v)
	}
}

// TestSeedPromptExpressAPI is the seed's second prompt, an Express API
// with login, callback and token middleware: create the resource server,
// a web client whose default audience is the API, then the express-api
// code, whose middleware checks that audience.
func TestSeedPromptExpressAPI(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	const api = "http://localhost:3000/api"
	var rs resourceServerOut
	ok(t, cs, "create_resource_server", map[string]any{"tenant_id": "tenant-a", "identifier": api, "name": "Express API",
		"scopes": []map[string]any{{"value": "api:read", "description": "Read"}}}, &rs)
	if rs.ResourceServer.Identifier != api || rs.ResourceServer.ScopePrefix != "api:" {
		t.Fatalf("create_resource_server: %+v", rs)
	}
	var c clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Express app", "type": "web",
		"redirect_uris": []string{"http://localhost:3000/oauth/callback"}, "post_logout_redirect_uris": []string{"http://localhost:3000/"},
		"default_audience": api}, &c)
	if c.DefaultResourceServer != api {
		t.Fatalf("default audience: %+v", c)
	}
	var o integrationOut
	r := ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "express-api",
		"scopes": []string{"api:read"}}, &o)
	checkIntegration(t, r, o, "express-api", c.ClientID, e.issuer+"/t/tenant-a", c.ClientSecret)
	if o.Audience != api || len(o.Fixes) != 0 {
		t.Fatalf("audience %q, fixes %+v", o.Audience, o.Fixes)
	}
	if v, _ := o.env("AUTHALLA_AUDIENCE"); v != api {
		t.Fatalf("AUTHALLA_AUDIENCE = %q", v)
	}

	// An audience the tenant does not know: the code is generated and the
	// answer says to create the resource server first.
	ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "express-api",
		"audience": "https://orders.example.com"}, &o)
	if len(o.Fixes) != 1 || o.Fixes[0].Tool != "create_resource_server" || o.Fixes[0].Arguments["identifier"] != "https://orders.example.com" {
		t.Fatalf("fixes for an unknown audience: %+v", o.Fixes)
	}
}

// TestSeedPromptReactSPA is the seed's third prompt, a React SPA on
// localhost:5173: a public client, the origin allowed on the tenant, and
// the react-spa-pkce code. Until the origin is added, the answers say to
// call add_allowed_origins with it; following that advice as given makes
// the code ready.
func TestSeedPromptReactSPA(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	var c clientCreatedOut
	r := ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "React SPA", "type": "spa",
		"redirect_uris": []string{"http://localhost:5173/callback"}, "post_logout_redirect_uris": []string{"http://localhost:5173/"}}, &c)
	if c.ClientSecret != "" || !slices.Equal(c.MissingOrigins, []string{"http://localhost:5173"}) || !strings.Contains(r.text, "add_allowed_origins") {
		t.Fatalf("create_client spa: %+v %s", c, r.text)
	}
	var o integrationOut
	ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "react-spa-pkce"}, &o)
	if len(o.Fixes) != 1 || o.Fixes[0].Tool != "add_allowed_origins" {
		t.Fatalf("fixes before the origin is allowed: %+v", o.Fixes)
	}
	ok(t, cs, o.Fixes[0].Tool, o.Fixes[0].Arguments, nil)

	r = ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "react-spa-pkce"}, &o)
	checkIntegration(t, r, o, "react-spa-pkce", c.ClientID, e.issuer+"/t/tenant-a", "")
	if len(o.Fixes) != 0 || !slices.Equal(o.AllowedOrigins, []string{"http://localhost:5173"}) {
		t.Fatalf("after add_allowed_origins: fixes %+v, origins %v", o.Fixes, o.AllowedOrigins)
	}
	tn, err := e.manage.GetTenant(e.cli, "tenant-a")
	if err != nil || !slices.Contains(tn.AllowedOrigins, "http://localhost:5173") {
		t.Fatalf("tenant origins: %v %v", tn.AllowedOrigins, err)
	}
	// A second create_client for the same origin no longer asks for it.
	var c2 clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "SPA 2", "type": "spa",
		"redirect_uris": []string{"http://localhost:5173/cb2"}}, &c2)
	if len(c2.MissingOrigins) != 0 {
		t.Fatalf("missing origins after adding: %v", c2.MissingOrigins)
	}
}

// TestGenerateIntegrationFixes: when the app runs where the client has no
// redirect URI, the answer names the add_redirect_uris call; making that
// call exactly as given leaves nothing to fix. Frameworks that do not fit
// the client type, unknown frameworks and a missing API audience are
// refused with what to do.
func TestGenerateIntegrationFixes(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	var c clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Web", "type": "web",
		"redirect_uris": []string{"http://localhost:3000/api/auth/callback"}}, &c)

	var o integrationOut
	ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "express", "app_url": "http://localhost:4000"}, &o)
	if len(o.Fixes) != 1 || o.Fixes[0].Tool != "add_redirect_uris" {
		t.Fatalf("fixes: %+v", o.Fixes)
	}
	args := o.Fixes[0].Arguments
	if !slices.Equal(toStrings(args["redirect_uris"]), o.RedirectURIs) || !slices.Equal(toStrings(args["post_logout_redirect_uris"]), o.PostLogoutRedirectURIs) ||
		!strings.HasPrefix(o.RedirectURIs[0], "http://localhost:4000/") {
		t.Fatalf("fix arguments %v for %v / %v", args, o.RedirectURIs, o.PostLogoutRedirectURIs)
	}
	ok(t, cs, "add_redirect_uris", args, nil)
	ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "express", "app_url": "http://localhost:4000"}, &o)
	if len(o.Fixes) != 0 {
		t.Fatalf("fixes after applying them: %+v", o.Fixes)
	}

	// Without app_url the client's registered redirect URI decides the
	// origin and path.
	ok(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "framework": "go"}, &o)
	if !slices.Equal(o.RedirectURIs, []string{"http://localhost:3000/api/auth/callback"}) {
		t.Fatalf("go redirect URIs: %v", o.RedirectURIs)
	}

	for _, tc := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"framework": "rails"}, "Unknown framework"},
		{map[string]any{"framework": "react-spa-pkce"}, "create_client"},
		{map[string]any{"framework": "m2m"}, "create_client"},
		{map[string]any{"framework": "express-api"}, "create_resource_server"},
		{map[string]any{"framework": "express", "app_url": "http://evil.example.com"}, "app_url"},
	} {
		tc.args["tenant_id"], tc.args["client_id"] = "tenant-a", c.ClientID
		if msg := fails(t, cs, "generate_integration", tc.args); !strings.Contains(msg, tc.want) {
			t.Errorf("%v: %s", tc.args, msg)
		}
	}
	if msg := fails(t, cs, "generate_integration", map[string]any{"tenant_id": "tenant-a", "client_id": "nope", "framework": "express"}); !strings.HasPrefix(msg, "Not found") {
		t.Errorf("unknown client: %s", msg)
	}

	// Every framework generates for a client of a fitting type.
	var backend clientCreatedOut
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Worker", "type": "backend"}, &backend)
	for _, fw := range integration.Frameworks {
		id := c.ClientID
		if fw.Name == "m2m" {
			id = backend.ClientID
		}
		if fw.Name == "react-spa-pkce" {
			continue // needs a spa client: TestSeedPromptReactSPA
		}
		args := map[string]any{"tenant_id": "tenant-a", "client_id": id, "framework": fw.Name}
		if fw.Name == "express-api" {
			args["audience"] = "https://api.example.com"
		}
		r := ok(t, cs, "generate_integration", args, &o)
		checkIntegration(t, r, o, fw.Name, id, e.issuer+"/t/tenant-a", "")
	}
}

func toStrings(v any) []string {
	b, _ := json.Marshal(v)
	var out []string
	_ = json.Unmarshal(b, &out)
	return out
}

// TestClientUserResourceToolList: the tools of these files are listed with the scopes'
// kinds as annotations, and destructive ones ask for confirm.
func TestClientUserResourceToolList(t *testing.T) {
	e := newToolEnv(t)
	cs := e.session(t, e.root, allScopes)
	res, err := cs.ListTools(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	tools := map[string]*mcpsdk.Tool{}
	for _, tl := range res.Tools {
		tools[tl.Name] = tl
	}
	for _, tc := range []struct {
		name        string
		readOnly    bool
		destructive bool
		required    []string
	}{
		{"create_client", false, false, []string{"name", "type"}},
		{"create_app", false, false, []string{"name", "type"}},
		{"get_app", true, false, []string{"client_id"}},
		{"list_clients", true, false, nil},
		{"update_client", false, false, []string{"client_id"}},
		{"delete_client", false, true, []string{"client_id"}},
		{"add_app_secret", false, false, []string{"client_id"}},
		{"add_redirect_uris", false, false, []string{"client_id"}},
		{"remove_redirect_uris", false, true, []string{"client_id"}},
		{"create_user", false, false, []string{"email"}},
		{"list_users", true, false, nil},
		{"update_user", false, false, []string{"user_id"}},
		{"suspend_user", false, true, []string{"user_id"}},
		{"create_resource_server", false, false, []string{"identifier", "name"}},
		{"add_resource_server_scope", false, false, []string{"resource_server", "value"}},
		{"get_resource_server", true, false, []string{"resource_server"}},
		{"generate_integration", true, false, []string{"client_id", "framework"}},
	} {
		tl := tools[tc.name]
		if tl == nil {
			t.Errorf("%s is not listed", tc.name)
			continue
		}
		if tl.Description == "" || tl.Annotations == nil || tl.Annotations.ReadOnlyHint != tc.readOnly ||
			tl.Annotations.DestructiveHint == nil || *tl.Annotations.DestructiveHint != tc.destructive {
			t.Errorf("%s: annotations %+v", tc.name, tl.Annotations)
		}
		schema, _ := json.Marshal(tl.InputSchema)
		var s struct {
			Required   []string       `json:"required"`
			Properties map[string]any `json:"properties"`
		}
		_ = json.Unmarshal(schema, &s)
		slices.Sort(s.Required)
		want := slices.Clone(tc.required)
		slices.Sort(want)
		if !slices.Equal(s.Required, want) {
			t.Errorf("%s: required %v, want %v", tc.name, s.Required, want)
		}
		if tc.destructive {
			if _, ok := s.Properties["confirm"]; !ok {
				t.Errorf("%s: destructive without confirm", tc.name)
			}
		}
		if !tc.readOnly {
			if _, ok := s.Properties["dry_run"]; !ok {
				t.Errorf("%s: a write without dry_run", tc.name)
			}
		}
		if tl.OutputSchema == nil {
			t.Errorf("%s: no output schema", tc.name)
		}
	}
	for _, fw := range integration.Frameworks {
		if !strings.Contains(tools["generate_integration"].Description, fw.Name) {
			t.Errorf("generate_integration's description does not name %s", fw.Name)
		}
	}
}
