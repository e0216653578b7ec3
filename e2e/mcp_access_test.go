package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/mail/mailtest"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// createOtherAccountTenant makes a second account with a tenant of its own,
// which neither the owner nor the viewer belongs to. Accounts are created
// only by the first start (there is no sign-up for accounts yet), so the
// account goes straight into the server's SQLite database; the tenant is
// then created the usual way, with the CLI.
func createOtherAccountTenant(ctx context.Context, t *testing.T, srv *server) {
	t.Helper()
	st, err := sqlstore.Open(ctx, filepath.Join(srv.dataDir, "authalla.db"))
	if err != nil {
		t.Fatalf("open the server's database: %v", err)
	}
	err = st.CreateAccount(ctx, &idp.Account{ID: otherAccountID, Name: "Other account", CreatedAt: time.Now().UTC()})
	st.Close()
	if err != nil {
		t.Fatalf("create account %s: %v", otherAccountID, err)
	}
	got := srv.cli(ctx, t, "tenant", "create", "--id", otherTenant, "--name", "Other", "--account", otherAccountID, "--json")
	if got["account_id"] != otherAccountID {
		t.Fatalf("tenant create --account %s: %v", otherAccountID, got)
	}
}

// otherAccountInvisible: the owner's session neither lists nor reads nor
// changes the other account's tenant (SECURITY-TESTS 45).
func otherAccountInvisible(ctx context.Context, t *testing.T, c *mcpClient) {
	t.Helper()
	ids := listedTenants(ctx, t, c)
	if !slices.Contains(ids, mcpAppsTenant) {
		t.Errorf("%s: list_tenants shows %q, want its own %s among them", c.slug, ids, mcpAppsTenant)
	}
	if slices.Contains(ids, otherTenant) {
		t.Errorf("%s: list_tenants shows the other account's tenant %s", c.slug, otherTenant)
	}
	c.refused(ctx, t, "get_tenant", map[string]any{"tenant_id": otherTenant})
	c.refused(ctx, t, "create_client", map[string]any{
		"tenant_id": otherTenant, "name": "Intruder", "type": "spa", "redirect_uris": []string{"http://localhost:5173/callback"},
	})
	if clients := c.srv.cli(ctx, t, "client", "list", "--tenant", otherTenant, "--json"); strings.Contains(jsonText(t, clients), "Intruder") {
		t.Errorf("%s: a client was created in the other account's tenant: %v", c.slug, clients)
	}
}

// listedTenants returns the ids list_tenants shows.
func listedTenants(ctx context.Context, t *testing.T, c *mcpClient) []string {
	t.Helper()
	res := c.ok(ctx, t, "list_tenants", map[string]any{})
	var ids []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if id, ok := x["id"].(string); ok {
				ids = append(ids, id)
			}
			for _, y := range x {
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(res)
	return ids
}

// ownerBrowser is the owner's own browser session: signed in to the Admin
// UI (fresh browser, PIN), the owner adds viewer@e2e.test as a viewer of
// the account that owns the MCP apps tenant; in the same session they
// obtain an access token for the management API as the CLI does
// (authalla-cli, code + PKCE, loopback redirect), for comparing the MCP
// tools with the REST API; and the resource indicator rules and consent
// narrowing are checked with registered clients of their own.
func ownerBrowser(ctx context.Context, t *testing.T, srv *server, mails *mailtest.Server) string {
	t.Helper()
	f := newFlow(t, newBrowser(ctx, t), "owner-admin-ui")
	adminSignIn(ctx, t, f, srv, mails)
	addViewer(ctx, t, f, srv)
	token := cliToken(ctx, t, f, srv)
	t.Run("no resource asks for the MCP audience, an unknown one is invalid_target", func(t *testing.T) {
		resourceIndicators(ctx, t, &flow{t: t, ctx: f.ctx}, srv)
	})
	t.Run("the consent narrows the scopes", func(t *testing.T) {
		consentNarrows(ctx, t, &flow{t: t, ctx: f.ctx}, srv)
	})
	return token
}

// consentNarrows: a registered client asks for mcp:read and mcp:write; the
// person clears mcp:write on the consent page; the token carries mcp:read
// only, for the MCP audience.
func consentNarrows(ctx context.Context, t *testing.T, f *flow, srv *server) {
	t.Helper()
	lb := startLoopback(t)
	status, reg := register(ctx, t, srv, registration(lb.url))
	clientID, _ := reg["client_id"].(string)
	if status != http.StatusCreated || clientID == "" {
		t.Fatalf("register a client: %d %v", status, reg)
	}
	cfg := &oauth2.Config{
		ClientID:    clientID,
		Endpoint:    oauth2.Endpoint{AuthURL: srv.url + "/oauth2/authorize", TokenURL: srv.url + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: lb.url,
		Scopes:      []string{scopeMCPRead, scopeMCPWrite},
	}
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	write := chromedp.CSS(`input[type="checkbox"][name="scope"][value="` + scopeMCPWrite + `"]`)
	f.do("ask for mcp:read and mcp:write", chromedp.Navigate(cfg.AuthCodeURL(state,
		oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("resource", srv.mcpURL()))))
	f.waitPath("/oauth2/consent")
	f.do("clear mcp:write and allow",
		chromedp.WaitVisible(write),
		chromedp.Click(write),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="approve"]`)),
	)
	q, err := lb.wait(ctx)
	if err != nil {
		t.Fatalf("%v (page: %s)", err, f.location())
	}
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("authorization response after narrowing: %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier), oauth2.SetAuthURLParam("resource", srv.mcpURL()))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	_, claims := decodeJWT(t, tok.AccessToken)
	if scopes := scopesOf(claims); !slices.Contains(scopes, scopeMCPRead) || slices.Contains(scopes, scopeMCPWrite) {
		t.Errorf("after clearing mcp:write on the consent page the token's scope is %q, want mcp:read without mcp:write", scopes)
	}
	if !audienceHas(claims["aud"], srv.mcpURL()) {
		t.Errorf("the narrowed token's aud is %v, want %s", claims["aud"], srv.mcpURL())
	}
}

// addViewer adds viewer@e2e.test on the account's Administrators page.
func addViewer(ctx context.Context, t *testing.T, f *flow, srv *server) {
	t.Helper()
	account := str(t, srv.cli(ctx, t, "tenant", "get", mcpAppsTenant, "--json"), "account_id")
	members := srv.url + "/admin/accounts/" + account + "/members"
	f.do("add the viewer",
		chromedp.Navigate(members),
		chromedp.WaitVisible(chromedp.CSS(`#email`)),
		chromedp.SendKeys(chromedp.CSS(`#email`), viewerEmail),
		chromedp.SetValue(chromedp.CSS(`#role`), "viewer"),
		chromedp.Click(`//button[normalize-space(.)="Add administrator"]`),
	)
	waitJS(t, f, "the viewer is added",
		`(() => { const n = document.querySelector(".notice"); return n !== null && n.textContent.includes("`+viewerEmail+`") && n.textContent.includes("viewer") })()`)
	shoot(t, f, "viewer-added")
}

// cliToken runs the remote CLI's authorization (the built-in public client
// authalla-cli, loopback redirect on any port per RFC 8252 §7.3) in the
// signed-in browser and returns the management API access token.
func cliToken(ctx context.Context, t *testing.T, f *flow, srv *server) string {
	t.Helper()
	lb := startLoopback(t)
	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	cfg := &oauth2.Config{
		ClientID:    "authalla-cli",
		Endpoint:    oauth2.Endpoint{AuthURL: srv.url + "/oauth2/authorize", TokenURL: srv.url + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: lb.url,
		Scopes:      []string{"openid", "clients:read", "clients:write"},
	}
	f.do("authorize the CLI client", chromedp.Navigate(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))))
	q, err := lb.wait(ctx)
	if err != nil {
		t.Fatalf("%v (page: %s)", err, f.location())
	}
	if q.Get("state") != state || q.Get("code") == "" {
		t.Fatalf("the CLI client's authorization response: %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the CLI client's code: %v", err)
	}
	return tok.AccessToken
}

// resourceIndicators registers a client and, in the owner's signed-in
// browser, authorizes it twice: asking for MCP scopes only and no
// resource gives a token for the MCP endpoint (its only possible
// audience), which opens it; naming a resource nobody serves is refused
// with invalid_target at the authorization endpoint (RFC 8707 §2).
func resourceIndicators(ctx context.Context, t *testing.T, f *flow, srv *server) {
	t.Helper()
	lb := startLoopback(t)
	status, reg := register(ctx, t, srv, registration(lb.url))
	clientID, _ := reg["client_id"].(string)
	if status != http.StatusCreated || clientID == "" {
		t.Fatalf("register a client: %d %v", status, reg)
	}
	cfg := &oauth2.Config{
		ClientID:    clientID,
		Endpoint:    oauth2.Endpoint{AuthURL: srv.url + "/oauth2/authorize", TokenURL: srv.url + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams},
		RedirectURL: lb.url,
		Scopes:      []string{scopeMCPRead},
	}

	verifier := oauth2.GenerateVerifier()
	state := rand.Text()
	f.do("authorize without a resource", chromedp.Navigate(cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier))))
	f.waitPath("/oauth2/consent")
	f.do("press Allow",
		chromedp.WaitVisible(chromedp.CSS(`button[name="action"][value="approve"]`)),
		chromedp.Click(chromedp.CSS(`button[name="action"][value="approve"]`)),
	)
	q, err := lb.wait(ctx)
	if err != nil {
		t.Fatalf("%v (page: %s)", err, f.location())
	}
	if q.Get("state") != state || q.Get("code") == "" || q.Get("iss") != srv.url {
		t.Fatalf("authorization response without a resource: %v", q)
	}
	tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatalf("exchange the code: %v", err)
	}
	if _, claims := decodeJWT(t, tok.AccessToken); !audienceHas(claims["aud"], srv.mcpURL()) {
		t.Errorf("a request for mcp:read without resource got aud %v, want %s", claims["aud"], srv.mcpURL())
	}
	if status, wwwAuth := mcpPost(ctx, t, srv, tok.AccessToken, ""); status != http.StatusOK {
		t.Errorf("POST /mcp with that token = %d (%s), want 200", status, wwwAuth)
	}

	state = rand.Text()
	f.do("authorize for an unknown resource", chromedp.Navigate(cfg.AuthCodeURL(state,
		oauth2.S256ChallengeOption(oauth2.GenerateVerifier()), oauth2.SetAuthURLParam("resource", "https://unknown.e2e.test/api"))))
	// The client registered itself, so the error is shown on the
	// interstitial first (SECURITY-TESTS 18); its link is the redirect.
	f.do("follow the interstitial's link back to the client",
		chromedp.WaitVisible(chromedp.CSS(`a.button[rel="noreferrer"]`)),
		chromedp.Click(chromedp.CSS(`a.button[rel="noreferrer"]`)),
	)
	q, err = lb.wait(ctx)
	if err != nil {
		t.Fatalf("%v (page: %s)", err, f.location())
	}
	if q.Get("error") != "invalid_target" || q.Get("state") != state || q.Get("code") != "" {
		t.Errorf("authorization for an unknown resource answered %v, want error=invalid_target with the state", q)
	}
}

// foreignAudienceRefused: the management API's token (same issuer, same
// user, another audience) does not open the MCP endpoint (SECURITY-TESTS
// 45, RFC 8707): 401 pointing at the protected-resource metadata.
func foreignAudienceRefused(ctx context.Context, t *testing.T, srv *server, token string) {
	t.Helper()
	status, wwwAuth := mcpPost(ctx, t, srv, token, "")
	prm := srv.url + "/.well-known/oauth-protected-resource/mcp"
	if status != http.StatusUnauthorized || !strings.Contains(wwwAuth, `resource_metadata="`+prm+`"`) || !strings.Contains(wwwAuth, `error="invalid_token"`) {
		t.Errorf("POST /mcp with the management API's token = %d, WWW-Authenticate %q; want 401 invalid_token with resource_metadata", status, wwwAuth)
	}
}

// viewerDenied: a viewer of the account signs in through their own MCP
// client with mcp:read and mcp:write; reads work, a write is refused as a
// tool error (the role decides, not the scope), and the other account's
// tenant stays invisible to them too.
func viewerDenied(ctx context.Context, t *testing.T, srv *server, mails *mailtest.Server) {
	t.Helper()
	viewer := newMCPClient(t, srv, mails, "Authalla E2E viewer", "viewer", viewerEmail, readWrite)
	viewer.connect(ctx, t)
	_, _, claims := viewer.accessToken(t)
	if scopes := scopesOf(claims); !slices.Contains(scopes, scopeMCPWrite) {
		t.Fatalf("the viewer's token has scope %q, want mcp:write (so that only the role can deny the write)", scopes)
	}
	msg := viewer.refused(ctx, t, "create_client", map[string]any{
		"tenant_id": mcpAppsTenant, "name": "Viewer's app", "type": "spa", "redirect_uris": []string{"http://localhost:5173/callback"},
	})
	t.Logf("the viewer's create_client was refused: %s", msg)
	if strings.Contains(jsonText(t, srv.cli(ctx, t, "client", "list", "--tenant", mcpAppsTenant, "--json")), "Viewer's app") {
		t.Errorf("the viewer's refused create_client created a client anyway")
	}
	if len(viewer.authURLs) != 1 {
		t.Errorf("the viewer's write led to %d authorizations, want none after the first (a role refusal is no scope challenge)", len(viewer.authURLs))
	}
	otherAccountInvisible(ctx, t, viewer)
}

// badRedirectURIs: create_client refuses redirect URIs with exactly the
// words POST /api/v1/clients uses for the same input (SECURITY-TESTS 45:
// one validation in manage for both).
func badRedirectURIs(ctx context.Context, t *testing.T, srv *server, owner *mcpClient, adminToken string) {
	t.Helper()
	for _, uri := range []string{"javascript:alert(1)", "http://evil.example/cb"} {
		in := map[string]any{"name": "Bad redirect", "type": "web", "redirect_uris": []string{uri}}
		status, body := restCreateClient(ctx, t, srv, adminToken, mcpAppsTenant, in)
		want, _ := body["error_description"].(string)
		if status != http.StatusBadRequest || body["error"] != "invalid_request" || !strings.HasPrefix(want, "redirect_uris:") {
			t.Fatalf("POST /api/v1/clients with redirect URI %s = %d %v, want 400 invalid_request about redirect_uris", uri, status, body)
		}
		in["tenant_id"] = mcpAppsTenant
		got := owner.refused(ctx, t, "create_client", in)
		if !strings.Contains(got, want) {
			t.Errorf("create_client with redirect URI %s was refused with %q; the REST API says %q", uri, got, want)
		}
	}
	if strings.Contains(jsonText(t, srv.cli(ctx, t, "client", "list", "--tenant", mcpAppsTenant, "--json")), "Bad redirect") {
		t.Errorf("a refused create_client created a client anyway")
	}
}

// restCreateClient calls POST /api/v1/clients with an administrator's token.
func restCreateClient(ctx context.Context, t *testing.T, srv *server, token, tenantID string, in map[string]any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/api/v1/clients", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("X-Tenant-ID", tenantID)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	return doJSON(t, req)
}

// mcpPost sends an MCP initialize request with an optional bearer token
// and Origin, and returns the status and WWW-Authenticate header.
func mcpPost(ctx context.Context, t *testing.T, srv *server, token, origin string) (int, string) {
	t.Helper()
	return mcpPostTo(ctx, t, srv.mcpURL(), token, origin)
}

// mcpPostTo is mcpPost to another endpoint.
func mcpPostTo(ctx context.Context, t *testing.T, endpoint, token, origin string) (int, string) {
	t.Helper()
	body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}`
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json, text/event-stream")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("WWW-Authenticate")
}
