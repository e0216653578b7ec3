package mcp_test

// The client, user, resource-server and integration tools through the
// whole server: real tokens from the authorization code flow, the MCP
// endpoint's bearer and scope checks, and the SDK's streamable HTTP client.

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// integration is the part of generate_integration's answer these tests read.
type integration struct {
	Framework    string   `json:"framework"`
	ClientID     string   `json:"client_id"`
	Issuer       string   `json:"issuer"`
	Audience     string   `json:"audience"`
	RedirectURIs []string `json:"redirect_uris"`
	Files        []struct {
		Path    string `json:"path"`
		Content string `json:"content"`
	} `json:"files"`
	Env []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"env"`
	Fixes []struct {
		Tool      string         `json:"tool"`
		Arguments map[string]any `json:"arguments"`
	} `json:"fixes"`
}

func (o integration) env(name string) string {
	for _, e := range o.Env {
		if e.Name == name || e.Name == "VITE_"+name {
			return e.Value
		}
	}
	return ""
}

// created is the part of create_client's answer these tests read.
type created struct {
	ClientID       string   `json:"client_id"`
	ClientSecret   string   `json:"client_secret"`
	MissingOrigins []string `json:"missing_allowed_origins"`
	DryRun         bool     `json:"dry_run"`
}

// authorizeAccepts starts the authorization code flow with PKCE at issuer
// for the generated values and reports whether the server accepted the
// request (it sends the browser on to sign in) rather than refusing the
// client or its redirect URI.
func authorizeAccepts(t *testing.T, issuer, clientID, redirect, scope string) bool {
	t.Helper()
	sum := sha256.Sum256([]byte("a-verifier-of-enough-length-for-the-pkce-rules-0123456789"))
	q := url.Values{
		"response_type": {"code"}, "client_id": {clientID}, "redirect_uri": {redirect}, "scope": {scope},
		"state": {"st"}, "nonce": {"n"}, "code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"},
	}
	c := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(issuer + "/oauth2/authorize?" + q.Encode())
	must(t, err)
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	return resp.StatusCode/100 == 3 && loc != "" && !strings.HasPrefix(loc, redirect)
}

// TestSeedPromptsOverHTTP runs the seed's three prompts as an assistant
// would, through the MCP endpoint, and checks that what
// generate_integration emits is accepted by the authorization endpoint.
func TestSeedPromptsOverHTTP(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	issuer := s.url + "/t/tenant-a"
	ok(t, cs, "select_tenant", map[string]any{"tenant_id": "tenant-a"}, nil)

	t.Run("Next.js app on localhost:3000", func(t *testing.T) {
		var c created
		ok(t, cs, "create_client", map[string]any{"name": "Next.js app", "type": "web",
			"redirect_uris": []string{"http://localhost:3000/api/auth/callback"}, "post_logout_redirect_uris": []string{"http://localhost:3000/"}}, &c)
		if c.ClientSecret == "" {
			t.Fatal("no secret for a web client")
		}
		var o integration
		ok(t, cs, "generate_integration", map[string]any{"client_id": c.ClientID, "framework": "nextjs-app-router"}, &o)
		if o.Issuer != issuer || o.env("AUTHALLA_CLIENT_ID") != c.ClientID || len(o.Files) == 0 || len(o.Fixes) != 0 {
			t.Fatalf("integration: %+v", o)
		}
		if !authorizeAccepts(t, issuer, c.ClientID, o.env("AUTHALLA_REDIRECT_URI"), o.env("AUTHALLA_SCOPE")) {
			t.Fatal("the authorization endpoint refuses the generated values")
		}
		if authorizeAccepts(t, issuer, c.ClientID, "http://localhost:3001/api/auth/callback", "openid") {
			t.Fatal("an unregistered redirect URI was accepted")
		}
	})

	t.Run("Express API with login, callback and token middleware", func(t *testing.T) {
		const api = "http://localhost:3000/api"
		ok(t, cs, "create_resource_server", map[string]any{"identifier": api, "name": "Express API",
			"scopes": []map[string]any{{"value": "api:read"}}}, nil)
		var c created
		ok(t, cs, "create_client", map[string]any{"name": "Express app", "type": "web", "default_audience": api,
			"redirect_uris": []string{"http://localhost:3000/oauth/callback"}, "post_logout_redirect_uris": []string{"http://localhost:3000/"}}, &c)
		var o integration
		ok(t, cs, "generate_integration", map[string]any{"client_id": c.ClientID, "framework": "express-api"}, &o)
		if o.Audience != api || o.env("AUTHALLA_AUDIENCE") != api || len(o.Fixes) != 0 || len(o.Files) == 0 {
			t.Fatalf("integration: %+v", o)
		}
		if !authorizeAccepts(t, issuer, c.ClientID, o.env("AUTHALLA_REDIRECT_URI"), o.env("AUTHALLA_SCOPE")) {
			t.Fatal("the authorization endpoint refuses the generated values")
		}
	})

	t.Run("React SPA on localhost:5173", func(t *testing.T) {
		var c created
		ok(t, cs, "create_client", map[string]any{"name": "React SPA", "type": "spa",
			"redirect_uris": []string{"http://localhost:5173/callback"}, "post_logout_redirect_uris": []string{"http://localhost:5173/"}}, &c)
		if c.ClientSecret != "" || !slices.Equal(c.MissingOrigins, []string{"http://localhost:5173"}) {
			t.Fatalf("spa client: %+v", c)
		}
		ok(t, cs, "add_allowed_origins", map[string]any{"origins": c.MissingOrigins}, nil)
		var o integration
		ok(t, cs, "generate_integration", map[string]any{"client_id": c.ClientID, "framework": "react-spa-pkce"}, &o)
		if len(o.Fixes) != 0 || o.env("AUTHALLA_CLIENT_ID") != c.ClientID || len(o.Files) == 0 {
			t.Fatalf("integration: %+v", o)
		}
		if !authorizeAccepts(t, issuer, c.ClientID, o.env("AUTHALLA_REDIRECT_URI"), o.env("AUTHALLA_SCOPE")) {
			t.Fatal("the authorization endpoint refuses the generated values")
		}
		// The token endpoint now answers the SPA's origin (CORS preflight).
		req, _ := http.NewRequest(http.MethodOptions, issuer+"/oauth2/token", nil)
		req.Header.Set("Origin", "http://localhost:5173")
		req.Header.Set("Access-Control-Request-Method", "POST")
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		must(t, err)
		resp.Body.Close()
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "http://localhost:5173" {
			t.Fatalf("CORS for the SPA's origin: %d %q", resp.StatusCode, got)
		}
	})
}

// TestRedirectURIValidationOverHTTP: create_client and add_redirect_uris
// refuse bad redirect URIs with exactly the error_description of the REST
// API's POST /clients and PATCH /clients/{id} (SECURITY-TESTS 45).
func TestRedirectURIValidationOverHTTP(t *testing.T) {
	s := newStack(t)
	cs := s.connect(t, s.mcpToken(t, s.root))
	mgmt := s.token(t, s.root, manage.AdminUIClientID, s.url+manage.AdminUICallbackPath, manage.ManagementAPI,
		"openid", manage.ScopeClientsWrite)
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
	var spa created
	ok(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "SPA", "type": "spa",
		"redirect_uris": []string{"http://localhost:5173/callback"}}, &spa)
	_, before, err := s.manage.ListClients(s.cli, "tenant-a", idp.Page{})
	must(t, err)
	for _, uri := range []string{"javascript:alert(1)", "data:text/html,hi", "http://evil.example.com/cb", "https://app.example.com/cb#x", "https://*.example.com/cb"} {
		t.Run(uri, func(t *testing.T) {
			want := rest("POST", "/api/v1/clients", map[string]any{"name": "Bad", "type": "spa", "redirect_uris": []string{uri}})
			got := toolErr(t, cs, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Bad", "type": "spa", "redirect_uris": []string{uri}})
			if !strings.HasPrefix(got, "Invalid input: "+want+".") {
				t.Fatalf("create_client %q, REST %q", got, want)
			}
			want = rest("PATCH", "/api/v1/clients/"+spa.ClientID, map[string]any{"add_redirect_uris": []string{uri}})
			got = toolErr(t, cs, "add_redirect_uris", map[string]any{"tenant_id": "tenant-a", "client_id": spa.ClientID, "redirect_uris": []string{uri}})
			if !strings.HasPrefix(got, "Invalid input: "+want+".") {
				t.Fatalf("add_redirect_uris %q, REST %q", got, want)
			}
		})
	}
	_, after, err := s.manage.ListClients(s.cli, "tenant-a", idp.Page{})
	must(t, err)
	if after != before {
		t.Fatalf("clients %d → %d", before, after)
	}
}

// TestClientAndUserToolsOverHTTP: dry runs create nothing; destructive
// tools refuse without confirm; a viewer is denied writes; another
// account's tenant is not found.
func TestClientAndUserToolsOverHTTP(t *testing.T) {
	s := newStack(t)
	root := s.connect(t, s.mcpToken(t, s.root))
	count := func() int {
		_, n, err := s.manage.ListClients(s.cli, "tenant-a", idp.Page{})
		must(t, err)
		return n
	}
	n := count()
	var dry created
	ok(t, root, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Planned", "type": "web",
		"redirect_uris": []string{"https://planned.example.com/cb"}, "dry_run": true}, &dry)
	if !dry.DryRun || dry.ClientSecret != "" || count() != n {
		t.Fatalf("dry run: %+v, clients %d → %d", dry, n, count())
	}
	var c created
	ok(t, root, "create_client", map[string]any{"tenant_id": "tenant-a", "name": "Web", "type": "web",
		"redirect_uris": []string{"https://web.example.com/cb"}}, &c)
	u, err := s.manage.CreateUser(s.cli, "tenant-a", manage.UserInput{Email: "user@example.com"})
	must(t, err)

	if msg := toolErr(t, root, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID}); !strings.Contains(msg, "confirm: true") {
		t.Fatalf("delete_client without confirm: %s", msg)
	}
	if msg := toolErr(t, root, "suspend_user", map[string]any{"tenant_id": "tenant-a", "user_id": u.ID}); !strings.Contains(msg, "confirm: true") {
		t.Fatalf("suspend_user without confirm: %s", msg)
	}
	if _, err := s.manage.GetClient(s.cli, "tenant-a", c.ClientID); err != nil {
		t.Fatalf("client gone without confirm: %v", err)
	}

	vic := s.connect(t, s.mcpToken(t, s.vic))
	ok(t, vic, "get_app", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID}, nil)
	for _, w := range []struct {
		tool string
		args map[string]any
	}{
		{"create_client", map[string]any{"name": "X", "type": "backend"}},
		{"add_redirect_uris", map[string]any{"client_id": c.ClientID, "redirect_uris": []string{"https://x.example.com/cb"}}},
		{"delete_client", map[string]any{"client_id": c.ClientID, "confirm": true}},
		{"create_user", map[string]any{"email": "new@example.com"}},
		{"suspend_user", map[string]any{"user_id": u.ID, "confirm": true}},
		{"create_resource_server", map[string]any{"identifier": "https://api.example.com", "name": "API"}},
	} {
		w.args["tenant_id"] = "tenant-a"
		if msg := toolErr(t, vic, w.tool, w.args); !strings.HasPrefix(msg, "Denied") {
			t.Errorf("viewer %s: %s", w.tool, msg)
		}
	}

	bob := s.connect(t, s.mcpToken(t, s.bob))
	for _, r := range []struct {
		tool string
		args map[string]any
	}{
		{"get_app", map[string]any{"client_id": c.ClientID}},
		{"list_clients", map[string]any{}},
		{"list_users", map[string]any{}},
		{"generate_integration", map[string]any{"client_id": c.ClientID, "framework": "express"}},
		{"delete_client", map[string]any{"client_id": c.ClientID, "confirm": true}},
	} {
		r.args["tenant_id"] = "tenant-a"
		if msg := toolErr(t, bob, r.tool, r.args); !strings.HasPrefix(msg, "Not found") {
			t.Errorf("another account's owner %s: %s", r.tool, msg)
		}
	}
	if _, err := s.manage.GetClient(s.cli, "tenant-a", c.ClientID); err != nil || count() != n+1 {
		t.Fatalf("refused calls changed the clients: %v (count %d)", err, count())
	}
	ok(t, root, "delete_client", map[string]any{"tenant_id": "tenant-a", "client_id": c.ClientID, "confirm": true}, nil)
	if count() != n {
		t.Fatal("delete_client with confirm did not delete")
	}
}
