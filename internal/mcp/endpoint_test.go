package mcp_test

import (
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

// initialize is a JSON-RPC initialize request for protocol version v.
func initialize(v string) string {
	return `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"` + v +
		`","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}`
}

const toolsList = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`

// rpcResult decodes the JSON-RPC answer of a raw response.
func rpcResult(t *testing.T, r rawResponse) map[string]any {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var m struct {
		Result map[string]any `json:"result"`
		Error  any            `json:"error"`
	}
	if err := json.Unmarshal(r.body, &m); err != nil || m.Error != nil {
		t.Fatalf("not a JSON-RPC result: %s", r.body)
	}
	return m.Result
}

// TestProtocolRevisions: clients of the current and the two previous
// protocol revisions initialize and list tools against the stateless
// endpoint (each request stands alone: no session id is needed).
func TestProtocolRevisions(t *testing.T) {
	s := newStack(t)
	tok := s.mcpToken(t, s.root)
	for _, v := range []string{"2025-11-25", "2025-06-18", "2025-03-26"} {
		t.Run(v, func(t *testing.T) {
			res := rpcResult(t, s.post(t, "/mcp", tok, initialize(v), nil))
			if res["protocolVersion"] != v {
				t.Fatalf("negotiated %v, want %s", res["protocolVersion"], v)
			}
			if info, _ := res["serverInfo"].(map[string]any); info["name"] != "authalla" {
				t.Fatalf("serverInfo = %v", res["serverInfo"])
			}
			if ins, _ := res["instructions"].(string); !strings.Contains(ins, "select_tenant") {
				t.Fatalf("instructions = %q", ins)
			}
			// 2025-06-18 and later send the negotiated version as a header
			// on every later request; 2025-03-26 does not.
			h := map[string]string{}
			if v != "2025-03-26" {
				h["MCP-Protocol-Version"] = v
			}
			list := rpcResult(t, s.post(t, "/mcp", tok, toolsList, h))
			tools, _ := list["tools"].([]any)
			if len(tools) < 12 {
				t.Fatalf("%d tools", len(tools))
			}
		})
	}
	// A version the server does not speak is refused by the SDK.
	if r := s.post(t, "/mcp", tok, toolsList, map[string]string{"MCP-Protocol-Version": "1999-01-01"}); r.status != http.StatusBadRequest {
		t.Fatalf("unknown version header: %d", r.status)
	}
}

// TestUnauthorizedChallenge: no token or a bad one → 401 whose
// WWW-Authenticate points at the protected resource metadata (RFC 9728
// §5.1) and names the starting scope; error="invalid_token" only when a
// token was sent (RFC 6750 §3.1). SECURITY-TESTS 45.
func TestUnauthorizedChallenge(t *testing.T) {
	s := newStack(t)
	prm := s.url + "/.well-known/oauth-protected-resource/mcp"
	bare := `Bearer resource_metadata="` + prm + `", scope="mcp:read"`
	cases := []struct {
		name   string
		header string
		want   string
	}{
		{"no token", "", bare},
		{"garbage", "Bearer not-a-jwt", bare + `, error="invalid_token"`},
		{"basic", "Basic dXNlcjpwYXNz", bare + `, error="invalid_token"`},
		{"forged JWS", "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", bare + `, error="invalid_token"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if c.header != "" {
				h["Authorization"] = c.header
			}
			r := s.post(t, "/mcp", "", initialize("2025-06-18"), h)
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") != c.want {
				t.Fatalf("%d %q, want 401 %q", r.status, r.header.Get("WWW-Authenticate"), c.want)
			}
			if r.header.Get("Cache-Control") != "no-store" {
				t.Fatalf("Cache-Control %q", r.header.Get("Cache-Control"))
			}
		})
	}
	// A GET (a 2025-03-26 client opening its SSE stream) is challenged too,
	// so discovery works whatever the client tries first.
	req, _ := http.NewRequest(http.MethodGet, s.mcpURL, nil)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != bare {
		t.Fatalf("GET: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
}

// TestProtectedResourceMetadata: RFC 9728 §3 documents at both
// well-known paths on the admin tenant, none elsewhere.
func TestProtectedResourceMetadata(t *testing.T) {
	s := newStack(t)
	for _, path := range []string{"/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp"} {
		resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.url + path)
		must(t, err)
		var doc struct {
			Resource               string   `json:"resource"`
			AuthorizationServers   []string `json:"authorization_servers"`
			ScopesSupported        []string `json:"scopes_supported"`
			BearerMethodsSupported []string `json:"bearer_methods_supported"`
			ResourceName           string   `json:"resource_name"`
		}
		err = json.NewDecoder(resp.Body).Decode(&doc)
		resp.Body.Close()
		must(t, err)
		if resp.StatusCode != 200 || doc.Resource != s.mcpURL || !slices.Equal(doc.AuthorizationServers, []string{s.url}) ||
			!slices.Equal(doc.ScopesSupported, allMCP) || !slices.Equal(doc.BearerMethodsSupported, []string{"header"}) || doc.ResourceName == "" {
			t.Fatalf("%s: %d %+v", path, resp.StatusCode, doc)
		}
		if resp.Header.Get("Access-Control-Allow-Origin") != "*" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
			t.Fatalf("%s headers: %v", path, resp.Header)
		}
	}
	// The authorization server advertises the MCP scopes (derived resource).
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.url + "/.well-known/oauth-authorization-server")
	must(t, err)
	var as struct {
		ScopesSupported []string `json:"scopes_supported"`
	}
	must(t, json.NewDecoder(resp.Body).Decode(&as))
	resp.Body.Close()
	for _, sc := range allMCP {
		if !slices.Contains(as.ScopesSupported, sc) {
			t.Fatalf("AS metadata scopes %v lack %s", as.ScopesSupported, sc)
		}
	}
}

// TestOnlyOnAdminTenant: a customer tenant has no MCP endpoint and no
// protected resource metadata.
func TestOnlyOnAdminTenant(t *testing.T) {
	s := newStack(t)
	tok := s.mcpToken(t, s.root)
	if r := s.post(t, "/t/tenant-a/mcp", tok, initialize("2025-06-18"), nil); r.status != http.StatusNotFound {
		t.Fatalf("tenant MCP: %d %s", r.status, r.body)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Get(s.url + "/t/tenant-a/.well-known/oauth-protected-resource/mcp")
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("tenant PRM: %d", resp.StatusCode)
	}
}

// TestAudienceBinding: the endpoint takes only tokens whose audience is
// exactly its URL, and the management API does not take those (RFC 8707;
// SECURITY-TESTS 45: no token for another resource, no passthrough).
func TestAudienceBinding(t *testing.T) {
	s := newStack(t)
	mgmt := s.token(t, s.root, manage.AdminUIClientID, s.url+manage.AdminUICallbackPath, manage.ManagementAPI, "openid", manage.ScopeTenantsRead)
	r := s.post(t, "/mcp", mgmt, initialize("2025-06-18"), nil)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("management token at /mcp: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
	mcpTok := s.mcpToken(t, s.root)
	req, _ := http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+mcpTok)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("MCP token at /api/v1/me: %d", resp.StatusCode)
	}
	// The same management token works where it belongs.
	req, _ = http.NewRequest(http.MethodGet, s.url+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer "+mgmt)
	resp, err = (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("management token at /api/v1/me: %d", resp.StatusCode)
	}
}

// TestExpiredAndRevokedTokens: an expired or revoked MCP token is
// invalid_token.
func TestExpiredAndRevokedTokens(t *testing.T) {
	s := newStack(t)
	expiring := s.mcpToken(t, s.root)
	revoked := s.mcpToken(t, s.root)
	if r := s.post(t, "/mcp", revoked, initialize("2025-06-18"), nil); r.status != http.StatusOK {
		t.Fatalf("fresh token: %d", r.status)
	}
	form := url.Values{"token": {revoked}, "client_id": {testClient}}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).PostForm(s.url+"/oauth2/revoke", form)
	must(t, err)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if r := s.post(t, "/mcp", revoked, initialize("2025-06-18"), nil); r.status != http.StatusUnauthorized {
		t.Fatalf("revoked token: %d", r.status)
	}
	s.clock.Advance(time.Duration(24) * time.Hour)
	if r := s.post(t, "/mcp", expiring, initialize("2025-06-18"), nil); r.status != http.StatusUnauthorized ||
		!strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("expired token: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
}

// TestSuspendedAdministrator: a token of an administrator who was
// suspended since is refused (the actor is loaded per request).
func TestSuspendedAdministrator(t *testing.T) {
	s := newStack(t)
	tok := s.mcpToken(t, s.vic)
	_, err := s.manage.SuspendUser(s.cli, manage.AdminTenantID, s.vic.ID)
	must(t, err)
	if r := s.post(t, "/mcp", tok, initialize("2025-06-18"), nil); r.status != http.StatusUnauthorized {
		t.Fatalf("suspended administrator: %d", r.status)
	}
}

// TestInsufficientScope: a tool call needing a scope the token lacks is
// refused with HTTP 403 before the tool runs; the challenge asks for what
// the token has plus what is missing (MCP 2025-11-25 scope step-up).
// Destructive tools need mcp:admin (SECURITY-TESTS 45).
func TestInsufficientScope(t *testing.T) {
	s := newStack(t)
	prm := s.url + "/.well-known/oauth-protected-resource/mcp"
	readOnly := s.mcpToken(t, s.root, "mcp:read")
	writer := s.mcpToken(t, s.root, "mcp:read", "mcp:write")
	callBody := func(tool string, args string) string {
		return `{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"` + tool + `","arguments":` + args + `}}`
	}
	cases := []struct {
		name   string
		token  string
		body   string
		status int
		scope  string // of the challenge
	}{
		{"read tool with mcp:read", readOnly, callBody("list_tenants", `{}`), 200, ""},
		{"tools/list with mcp:read", readOnly, toolsList, 200, ""},
		{"write tool with mcp:read", readOnly, callBody("update_theme", `{"tenant_id":"tenant-a"}`), 403, "mcp:read mcp:write"},
		{"admin tool with mcp:read mcp:write", writer, callBody("rotate_signing_keys", `{"tenant_id":"tenant-a","confirm":true}`), 403, "mcp:read mcp:write mcp:admin"},
		{"batch with one admin tool", writer, `[` + callBody("get_me", `{}`) + `,` + callBody("remove_allowed_origins", `{"origins":["http://x"],"confirm":true}`) + `]`, 403, "mcp:read mcp:write mcp:admin"},
		{"unknown tool needs no more", readOnly, callBody("no_such_tool", `{}`), 200, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := map[string]string{}
			if !strings.HasPrefix(c.body, "[") {
				h["MCP-Protocol-Version"] = "2025-06-18"
			}
			r := s.post(t, "/mcp", c.token, c.body, h)
			if r.status != c.status {
				t.Fatalf("status %d, want %d: %s", r.status, c.status, r.body)
			}
			if c.status == 403 {
				want := `Bearer error="insufficient_scope", scope="` + c.scope + `", resource_metadata="` + prm + `"`
				if got := r.header.Get("WWW-Authenticate"); got != want {
					t.Fatalf("challenge %q, want %q", got, want)
				}
			}
		})
	}
	// Nothing was rotated by the refused call.
	ks, err := s.manage.ListSigningKeys(s.cli, "tenant-a")
	must(t, err)
	if len(ks) != 1 {
		t.Fatalf("%d keys after a refused rotation", len(ks))
	}
}

// TestOriginChecked: a browser request from another origin is refused
// (DNS rebinding, MCP transports §2.0.1); the issuer's own origin and no
// Origin at all pass.
func TestOriginChecked(t *testing.T) {
	s := newStack(t)
	tok := s.mcpToken(t, s.root)
	for _, c := range []struct {
		origin string
		status int
	}{
		{"", 200},
		{s.url, 200},
		{"http://evil.example", 403},
		{"null", 403},
		{strings.Replace(s.url, "http://", "https://", 1), 403},
	} {
		h := map[string]string{}
		if c.origin != "" {
			h["Origin"] = c.origin
		}
		if r := s.post(t, "/mcp", tok, initialize("2025-06-18"), h); r.status != c.status {
			t.Errorf("Origin %q: %d, want %d", c.origin, r.status, c.status)
		}
	}
}

// TestMachineTokenRefused: a client's own token (client credentials, no
// user behind it) for the MCP resource is not an administrator's and is
// refused like any invalid token.
func TestMachineTokenRefused(t *testing.T) {
	s := newStack(t)
	c, err := s.manage.CreateClient(s.cli, manage.AdminTenantID, manage.ClientInput{
		ID: "robot", Name: "Robot", Type: idp.ClientBackend, Scopes: allMCP,
	})
	must(t, err)
	form := url.Values{"grant_type": {"client_credentials"}, "resource": {s.mcpURL}, "scope": {"mcp:read"}}
	req, _ := http.NewRequest(http.MethodPost, s.url+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("robot", c.Secret.Value)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	must(t, err)
	var body struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	must(t, json.NewDecoder(resp.Body).Decode(&body))
	resp.Body.Close()
	if body.AccessToken == "" {
		t.Fatalf("client_credentials: %d %s", resp.StatusCode, body.Error)
	}
	r := s.post(t, "/mcp", body.AccessToken, initialize("2025-06-18"), nil)
	if r.status != http.StatusUnauthorized || !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
		t.Fatalf("machine token at /mcp: %d %q", r.status, r.header.Get("WWW-Authenticate"))
	}
}

// TestForgedTokensThrottled: an address presenting many tokens that are
// not ours gets 429 with Retry-After before any check, and its real
// token works again the next minute; an expired token does not count.
func TestForgedTokensThrottled(t *testing.T) {
	s := newStack(t)
	tok := s.mcpToken(t, s.root)
	forged := tok[:len(tok)-4] + "AAAA"
	for i := 0; i < 60; i++ {
		if r := s.post(t, "/mcp", forged, initialize("2025-06-18"), nil); r.status != http.StatusUnauthorized {
			t.Fatalf("forged %d: %d", i, r.status)
		}
	}
	r := s.post(t, "/mcp", tok, initialize("2025-06-18"), nil)
	if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Fatalf("after 60 forged tokens: %d Retry-After %q", r.status, r.header.Get("Retry-After"))
	}
	s.clock.Advance(time.Minute)
	if r := s.post(t, "/mcp", tok, initialize("2025-06-18"), nil); r.status != http.StatusOK {
		t.Fatalf("next minute: %d", r.status)
	}
	// Expired tokens are honest mistakes: not counted.
	s.clock.Advance(time.Hour)
	for i := 0; i < 70; i++ {
		if r := s.post(t, "/mcp", tok, initialize("2025-06-18"), nil); r.status != http.StatusUnauthorized {
			t.Fatalf("expired %d: %d", i, r.status)
		}
	}
}
