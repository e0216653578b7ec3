package e2e

import (
	"context"
	"net/http"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// wantMCPTools are the tools issue 4 names ("Tools"); create_app is the
// hosted service's alias of create_client.
var wantMCPTools = []string{
	"get_me", "list_tenants", "create_tenant", "select_tenant", "get_tenant", "update_tenant",
	"create_user", "get_theme", "update_theme", "create_client", "create_app", "get_app",
	"add_app_secret", "create_resource_server", "add_resource_server_scope", "get_resource_server",
	"list_clients", "update_client", "delete_client", "add_redirect_uris", "remove_redirect_uris",
	"add_allowed_origins", "remove_allowed_origins", "list_users", "update_user", "suspend_user",
	"list_signing_keys", "rotate_signing_keys", "list_audit_events", "get_tenant_endpoints",
	"generate_integration",
}

// Names of what TestMCPGoSDK creates.
const (
	mcpAppsTenant  = "e2e-mcp-apps"   // created through create_tenant by the owner
	otherTenant    = "e2e-other-acct" // a tenant of another account
	otherAccountID = "acc_e2e_other"
	viewerEmail    = "viewer@e2e.test"
	brandColour    = "#0f766e"
)

// readFirst has the first authorization ask for mcp:read only (the
// ScopeFilter of the SDK), and later ones for what the server challenged
// with, so that the first write triggers a step-up.
func readFirst(n int, discovered []string) []string {
	if n == 1 {
		return []string{scopeMCPRead}
	}
	return discovered
}

// readWrite asks for mcp:read and mcp:write from the start.
func readWrite(_ int, discovered []string) []string {
	out := slices.Clone(discovered)
	for _, s := range []string{scopeMCPRead, scopeMCPWrite} {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// TestMCPGoSDK connects the official Go SDK's MCP client to the built
// binary the way an assistant does (issue 4, "Tests"): the first request's
// 401 leads it through RFC 9728 and RFC 8414 discovery, dynamic
// registration and code + PKCE, and headless Chromium signs the first
// administrator in (PIN from the captured mail) and allows the consent.
// Then the seed's prompts run as tool sequences, a write steps the scope
// up, a viewer is denied a write, another account's tenant stays
// invisible, a bad redirect URI is refused with the REST API's words, a
// request without resource gets the MCP audience and an unknown resource
// is invalid_target, the
// registration endpoint accepts and refuses the usual redirect URIs, and
// two racing refreshes within the grace window both succeed.
func TestMCPGoSDK(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, "", smtpHost, smtpPort)

	t.Run("discovery documents", func(t *testing.T) { mcpDiscovery(ctx, t, srv) })
	t.Run("registration redirect URIs", func(t *testing.T) { registrationRedirects(ctx, t, srv) })

	owner := newMCPClient(t, srv, mails, "Authalla E2E Go SDK", "owner", adminEmail, readFirst)
	t.Run("connect: 401, discovery, registration, PKCE, sign-in, consent", func(t *testing.T) {
		ownerConnects(ctx, t, srv, owner)
	})
	if owner.session == nil {
		return // nothing below can run without a session
	}
	if !t.Run("a write steps the scope up", func(t *testing.T) { stepUp(ctx, t, srv, owner) }) && !tenantExists(ctx, t, srv, mcpAppsTenant) {
		return // the prompts work on the tenant the step-up creates
	}
	t.Run("prompt: Next.js app on localhost:3000", func(t *testing.T) { promptNextJS(ctx, t, srv, owner) })
	t.Run("prompt: Express API with login, callback and token middleware", func(t *testing.T) { promptExpressAPI(ctx, t, srv, owner) })
	t.Run("prompt: React SPA on localhost:5173", func(t *testing.T) { promptReactSPA(ctx, t, srv, owner) })
	t.Run("prompt: update the login page to match my brand colours", func(t *testing.T) { promptBrand(ctx, t, srv, owner) })

	createOtherAccountTenant(ctx, t, srv)
	t.Run("another account's tenant is invisible", func(t *testing.T) { otherAccountInvisible(ctx, t, owner) })

	var adminToken string
	if t.Run("the owner's browser: a viewer added in the Admin UI, a management API token", func(t *testing.T) {
		adminToken = ownerBrowser(ctx, t, srv, mails)
	}) {
		t.Run("a token for another audience is refused", func(t *testing.T) { foreignAudienceRefused(ctx, t, srv, adminToken) })
		t.Run("a viewer is denied a write", func(t *testing.T) { viewerDenied(ctx, t, srv, mails) })
		t.Run("a bad redirect URI is refused as the REST API refuses it", func(t *testing.T) {
			badRedirectURIs(ctx, t, srv, owner, adminToken)
		})
	}
	t.Run("concurrent refresh within the grace window", func(t *testing.T) { refreshRace(ctx, t, srv, owner) })
	// Last: it uses up this address's registrations.
	t.Run("registration is rate-limited", func(t *testing.T) { registrationLimited(ctx, t, srv) })
}

// tenantExists reports whether the CLI finds the tenant.
func tenantExists(ctx context.Context, t *testing.T, srv *server, id string) bool {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, srv.bin, "tenant", "get", id, "--json", "--local")
	cmd.Env = srv.env()
	return cmd.Run() == nil
}

// ownerConnects checks the first connection: the sequence of requests the
// SDK made, the token it obtained and the tools it was offered.
func ownerConnects(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	owner.connect(ctx, t)
	prm := srv.url + "/.well-known/oauth-protected-resource/mcp"
	owner.rec.checkOrder(t,
		func(e exchange) bool {
			return e.method == http.MethodPost && e.url == srv.mcpURL() && e.status == http.StatusUnauthorized &&
				strings.Contains(e.wwwAuth, `resource_metadata="`+prm+`"`)
		},
		func(e exchange) bool { return e.method == http.MethodGet && e.url == prm && e.status == http.StatusOK },
		func(e exchange) bool {
			return e.method == http.MethodGet && e.status == http.StatusOK &&
				(e.url == srv.url+"/.well-known/oauth-authorization-server" || e.url == srv.url+"/.well-known/openid-configuration")
		},
		func(e exchange) bool {
			return e.method == http.MethodPost && e.url == srv.url+"/oauth2/register" && e.status == http.StatusCreated
		},
		func(e exchange) bool {
			return e.method == http.MethodPost && e.url == srv.url+"/oauth2/token" && e.status == http.StatusOK
		},
		func(e exchange) bool {
			return e.method == http.MethodPost && e.url == srv.mcpURL() && e.status == http.StatusOK
		},
	)
	if len(owner.authURLs) != 1 {
		t.Fatalf("the browser flow ran %d times to connect, want once", len(owner.authURLs))
	}
	if len(owner.discovered) != 1 || !slices.Equal(owner.discovered[0], []string{scopeMCPRead}) {
		t.Errorf("the 401 challenged with scopes %q, want [%s]", owner.discovered, scopeMCPRead)
	}

	_, refresh, claims := owner.accessToken(t)
	if !audienceHas(claims["aud"], srv.mcpURL()) || claims["iss"] != srv.url {
		t.Errorf("access token aud/iss = %v/%v, want %s/%s (RFC 8707)", claims["aud"], claims["iss"], srv.mcpURL(), srv.url)
	}
	scopes := scopesOf(claims)
	if !slices.Contains(scopes, scopeMCPRead) || slices.Contains(scopes, scopeMCPWrite) {
		t.Errorf("the first token's scope is %q, want mcp:read without mcp:write", scopes)
	}
	if refresh == "" {
		t.Errorf("no refresh token although the SDK asked for one (RequestRefreshToken: offline_access advertised?)")
	}

	var missing []string
	for _, name := range wantMCPTools {
		if _, ok := owner.tools[name]; !ok {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("tools/list lacks %s (offered: %s)", strings.Join(missing, ", "), strings.Join(owner.toolNames(), ", "))
	}
	for _, name := range owner.toolNames() {
		if strings.TrimSpace(owner.tools[name].Description) == "" {
			t.Errorf("tool %s has no description", name)
		}
	}

	// The MCP endpoint checks Origin (DNS rebinding): a page of another
	// origin cannot use a token it somehow holds.
	at, _, _ := owner.accessToken(t)
	if status, _ := mcpPost(ctx, t, srv, at, "http://evil.example"); status != http.StatusForbidden {
		t.Errorf("POST /mcp with a valid token from Origin http://evil.example = %d, want 403", status)
	}

	me := owner.ok(ctx, t, "get_me", map[string]any{})
	if !strings.Contains(jsonText(t, me), adminEmail) {
		t.Errorf("get_me does not name %s: %v", adminEmail, me)
	}
}

// stepUp has the mcp:read session create a tenant: the server answers 403
// insufficient_scope naming mcp:write, the SDK authorizes again (a second
// browser flow) with the union of the scopes and retries the call.
func stepUp(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	created := owner.ok(ctx, t, "create_tenant", map[string]any{"id": mcpAppsTenant, "name": "MCP Apps"})
	if got := jsonText(t, created); !strings.Contains(got, mcpAppsTenant) {
		t.Errorf("create_tenant answered %s, want the tenant %s", got, mcpAppsTenant)
	}
	if len(owner.authURLs) != 2 {
		t.Fatalf("the browser flow ran %d times, want twice (connect, then the step-up)", len(owner.authURLs))
	}
	var challenged bool
	for _, e := range owner.rec.exchanges() {
		if e.method == http.MethodPost && e.url == srv.mcpURL() && e.status == http.StatusForbidden &&
			strings.Contains(e.wwwAuth, `error="insufficient_scope"`) && strings.Contains(e.wwwAuth, scopeMCPWrite) {
			challenged = true
		}
	}
	if !challenged {
		t.Errorf("no 403 with error=\"insufficient_scope\" naming %s was seen; exchanges:\n%s", scopeMCPWrite, owner.rec)
	}
	second := mustQuery(t, owner.authURLs[1]).Get("scope")
	if f := strings.Fields(second); !slices.Contains(f, scopeMCPRead) || !slices.Contains(f, scopeMCPWrite) {
		t.Errorf("the step-up asked for scope %q, want the union with mcp:read and mcp:write", second)
	}
	_, _, claims := owner.accessToken(t)
	if scopes := scopesOf(claims); !slices.Contains(scopes, scopeMCPWrite) || !slices.Contains(scopes, scopeMCPRead) {
		t.Errorf("after the step-up the token's scope is %q, want mcp:read and mcp:write", scopes)
	}
	if !audienceHas(claims["aud"], srv.mcpURL()) {
		t.Errorf("after the step-up the token's aud is %v, want %s", claims["aud"], srv.mcpURL())
	}
	got := srv.cli(ctx, t, "tenant", "get", mcpAppsTenant, "--json")
	if got["name"] != "MCP Apps" {
		t.Errorf("tenant get %s: %v", mcpAppsTenant, got)
	}
	// The MCP endpoint is the admin tenant's only.
	at, _, _ := owner.accessToken(t)
	if status, _ := mcpPostTo(ctx, t, srv.url+"/t/"+mcpAppsTenant+"/mcp", at, ""); status != http.StatusNotFound {
		t.Errorf("POST /mcp on the path issuer of tenant %s = %d, want 404", mcpAppsTenant, status)
	}
}
