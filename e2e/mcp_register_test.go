package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"golang.org/x/oauth2"
)

// mcpDiscovery checks the documents and the challenge an MCP client
// discovers the authorization server from (RFC 9728, RFC 8414, RFC 6750).
func mcpDiscovery(ctx context.Context, t *testing.T, srv *server) {
	prmURL := srv.url + "/.well-known/oauth-protected-resource/mcp"
	status, wwwAuth := mcpPost(ctx, t, srv, "", "")
	// RFC 6750 §3.1: no error code when no token was sent.
	if status != http.StatusUnauthorized || !strings.HasPrefix(wwwAuth, "Bearer ") ||
		!strings.Contains(wwwAuth, `resource_metadata="`+prmURL+`"`) || !strings.Contains(wwwAuth, `scope="`+scopeMCPRead+`"`) ||
		strings.Contains(wwwAuth, "error=") {
		t.Errorf("POST /mcp without a token = %d, WWW-Authenticate %q; want 401 Bearer resource_metadata=%q scope=%q", status, wwwAuth, prmURL, scopeMCPRead)
	}
	status, wwwAuth = mcpPost(ctx, t, srv, "not-a-token", "")
	if status != http.StatusUnauthorized || !strings.Contains(wwwAuth, `error="invalid_token"`) || !strings.Contains(wwwAuth, `resource_metadata="`+prmURL+`"`) {
		t.Errorf("POST /mcp with a bad token = %d, WWW-Authenticate %q; want 401 invalid_token with resource_metadata", status, wwwAuth)
	}

	prm := getJSON(ctx, t, prmURL, http.StatusOK)
	if prm["resource"] != srv.mcpURL() || !slices.Contains(anyStrings(prm["authorization_servers"]), srv.url) {
		t.Errorf("protected resource metadata %s: resource %v, authorization_servers %v; want %s and [%s]",
			prmURL, prm["resource"], prm["authorization_servers"], srv.mcpURL(), srv.url)
	}
	for _, s := range []string{scopeMCPRead, scopeMCPWrite, scopeMCPAdmin} {
		if !slices.Contains(anyStrings(prm["scopes_supported"]), s) {
			t.Errorf("protected resource metadata scopes_supported = %v, want %s", prm["scopes_supported"], s)
		}
	}
	root := getJSON(ctx, t, srv.url+"/.well-known/oauth-protected-resource", http.StatusOK)
	if !slices.Contains(anyStrings(root["authorization_servers"]), srv.url) {
		t.Errorf("protected resource metadata at the root: authorization_servers = %v, want %s", root["authorization_servers"], srv.url)
	}

	// RFC 8414 §3 and OIDC Discovery: the same document under both names.
	for _, name := range []string{"oauth-authorization-server", "openid-configuration"} {
		meta := getJSON(ctx, t, srv.url+"/.well-known/"+name, http.StatusOK)
		if meta["issuer"] != srv.url || meta["registration_endpoint"] != srv.url+"/oauth2/register" {
			t.Errorf("%s: issuer %v, registration_endpoint %v; want %s and %s/oauth2/register", name, meta["issuer"], meta["registration_endpoint"], srv.url, srv.url)
		}
		if !slices.Equal(anyStrings(meta["code_challenge_methods_supported"]), []string{"S256"}) {
			t.Errorf("%s: code_challenge_methods_supported = %v, want [S256]", name, meta["code_challenge_methods_supported"])
		}
		if meta["authorization_response_iss_parameter_supported"] != true {
			t.Errorf("%s: authorization_response_iss_parameter_supported = %v, want true (RFC 9207)", name, meta["authorization_response_iss_parameter_supported"])
		}
		// Client ID Metadata Documents are behind a setting, off by default.
		if meta["client_id_metadata_document_supported"] == true {
			t.Errorf("%s: client_id_metadata_document_supported is true on a default install", name)
		}
		for _, s := range []string{scopeMCPRead, scopeMCPWrite, scopeMCPAdmin, "offline_access"} {
			if !slices.Contains(anyStrings(meta["scopes_supported"]), s) {
				t.Errorf("%s: scopes_supported = %v, want %s", name, meta["scopes_supported"], s)
			}
		}
	}
}

// registrationRedirects registers clients (RFC 7591) with the redirect URIs
// real MCP clients use, one each, and with the ones that must be refused
// (SECURITY-TESTS 46); then reads and deletes one registration (RFC 7592).
func registrationRedirects(ctx context.Context, t *testing.T, srv *server) {
	accepted := []string{
		"http://127.0.0.1:33418/callback",
		"http://localhost/cb",
		"http://[::1]:8080/cb",
		"cursor://anysphere.cursor-retrieval/oauth/callback",
		"vscode://vscode.github-authentication/did-authenticate",
		"https://vscode.dev/redirect",
		"https://claude.ai/api/mcp/auth_callback",
	}
	refused := []string{
		"javascript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		"file:///etc/passwd",
		"http://127.0.0.1:33418/callback#fragment",
		"http://evil.example/cb",
	}
	var first map[string]any
	for _, uri := range accepted {
		status, body := register(ctx, t, srv, registration(uri))
		if status != http.StatusCreated {
			t.Errorf("register redirect URI %s = %d %v, want 201", uri, status, body)
			continue
		}
		id, _ := body["client_id"].(string)
		if id == "" || !slices.Equal(anyStrings(body["redirect_uris"]), []string{uri}) ||
			body["registration_client_uri"] != srv.url+"/oauth2/register/"+url.PathEscape(id) || body["registration_access_token"] == nil {
			t.Errorf("register redirect URI %s: the answer lacks client_id, redirect_uris, registration_client_uri or registration_access_token: %v", uri, body)
		}
		if body["token_endpoint_auth_method"] != "none" || body["client_secret"] != nil {
			t.Errorf("register redirect URI %s as a public client: auth method %v, secret present %v", uri, body["token_endpoint_auth_method"], body["client_secret"] != nil)
		}
		if first == nil {
			first = body
		}
	}
	for _, uri := range refused {
		status, body := register(ctx, t, srv, registration(uri))
		if status != http.StatusBadRequest || body["error"] != "invalid_redirect_uri" {
			t.Errorf("register redirect URI %s = %d %v, want 400 invalid_redirect_uri", uri, status, body)
		}
	}
	// SECURITY-TESTS 46: the client cannot choose its client_id.
	chosen := registration("http://127.0.0.1:33419/callback")
	chosen["client_id"] = "chosen-by-the-client"
	if status, body := register(ctx, t, srv, chosen); status == http.StatusCreated && body["client_id"] == "chosen-by-the-client" {
		t.Errorf("registration let the client choose client_id %v", body["client_id"])
	}

	if first == nil {
		return
	}
	// RFC 7592 §2.1 read and §2.3 delete, with the registration access token.
	uri, _ := first["registration_client_uri"].(string)
	token, _ := first["registration_access_token"].(string)
	if status, body := registrationRequest(ctx, t, http.MethodGet, uri, token); status != http.StatusOK || body["client_id"] != first["client_id"] {
		t.Errorf("GET %s with the registration access token = %d %v, want 200 with the same client_id", uri, status, body)
	}
	if status, _ := registrationRequest(ctx, t, http.MethodGet, uri, ""); status != http.StatusUnauthorized {
		t.Errorf("GET %s without a token = %d, want 401", uri, status)
	}
	if status, _ := registrationRequest(ctx, t, http.MethodGet, uri, token+"x"); status != http.StatusUnauthorized {
		t.Errorf("GET %s with a wrong token = %d, want 401", uri, status)
	}
	if status, _ := registrationRequest(ctx, t, http.MethodDelete, uri, token); status != http.StatusNoContent {
		t.Errorf("DELETE %s = %d, want 204", uri, status)
	}
	if status, _ := registrationRequest(ctx, t, http.MethodGet, uri, token); status != http.StatusUnauthorized {
		t.Errorf("GET %s after the delete = %d, want 401 (RFC 7592 §2.3: the token is invalidated)", uri, status)
	}
}

// registrationLimited: unauthenticated registration is rate-limited per
// client address (SECURITY-TESTS 46); a flood ends in 429 with
// Retry-After (RFC 6585 §4) well before a hundred registrations.
func registrationLimited(ctx context.Context, t *testing.T, srv *server) {
	raw, err := json.Marshal(registration("http://127.0.0.1:33420/callback"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/oauth2/register", bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := httpClient.Do(req)
		if err != nil {
			t.Fatalf("register: %v", err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch resp.StatusCode {
		case http.StatusCreated:
			continue
		case http.StatusTooManyRequests:
			if resp.Header.Get("Retry-After") == "" {
				t.Errorf("429 without Retry-After")
			}
			t.Logf("registration refused with 429 after %d more registrations", i)
			return
		default:
			t.Fatalf("registration %d = %s, want 201 or 429", i+1, resp.Status)
		}
	}
	t.Errorf("100 registrations from one address in a row were all accepted")
}

// registration is the metadata a public MCP client registers with.
func registration(redirectURI string) map[string]any {
	return map[string]any{
		"client_name":                "E2E registration",
		"redirect_uris":              []string{redirectURI},
		"grant_types":                []string{"authorization_code", "refresh_token"},
		"response_types":             []string{"code"},
		"token_endpoint_auth_method": "none",
	}
}

// register posts a registration request (RFC 7591 §3.1).
func register(ctx context.Context, t *testing.T, srv *server, meta map[string]any) (int, map[string]any) {
	t.Helper()
	raw, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/oauth2/register", bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return doJSON(t, req)
}

// registrationRequest reads or deletes a registration (RFC 7592); a JSON
// answer is decoded, others give a nil body.
func registrationRequest(ctx context.Context, t *testing.T, method, uri, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, uri, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, uri, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var body map[string]any
	_ = json.Unmarshal(raw, &body)
	return resp.StatusCode, body
}

// tokenResult is one token endpoint answer.
type tokenResult struct {
	status int
	body   map[string]any
	err    error
}

// refreshRace has two assistant sessions of the same registered client
// present the same refresh token at the same moment. Within the client's
// grace window (60 s for registered clients) both get tokens and the same
// successor refresh token (one lineage), and the client keeps working on
// it from each session: a new MCP session whose only
// credential is the successor refresh token refreshes and calls a tool.
func refreshRace(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	_, refresh, claims := owner.accessToken(t)
	clientID, _ := claims["client_id"].(string)
	if refresh == "" || clientID == "" {
		t.Fatalf("the owner's client holds no refresh token (%t) or its token no client_id (%v)", refresh != "", claims["client_id"])
	}
	var (
		wg      sync.WaitGroup
		start   = make(chan struct{})
		results = make([]tokenResult, 2)
	)
	for i := range results {
		wg.Go(func() {
			<-start
			results[i] = refreshGrant(ctx, srv, clientID, refresh)
		})
	}
	close(start)
	wg.Wait()
	for i, r := range results {
		if r.err != nil || r.status != http.StatusOK {
			t.Fatalf("racing refresh %d: %d %v %v; both must succeed within the grace window", i+1, r.status, r.body, r.err)
		}
		at, _ := r.body["access_token"].(string)
		if _, c := decodeJWT(t, at); !audienceHas(c["aud"], srv.mcpURL()) {
			t.Errorf("racing refresh %d: access token aud %v, want %s", i+1, c["aud"], srv.mcpURL())
		}
	}
	first, _ := results[0].body["refresh_token"].(string)
	second, _ := results[1].body["refresh_token"].(string)
	if first == "" || first != second {
		t.Fatalf("the racing refreshes got different successor refresh tokens (two lineages)")
	}
	for i, r := range results {
		successor, _ := r.body["refresh_token"].(string)
		if successor == "" {
			t.Fatalf("racing refresh %d returned no refresh token: %v", i+1, r.body)
		}
		cfg := &oauth2.Config{ClientID: clientID, Endpoint: oauth2.Endpoint{TokenURL: srv.url + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams}}
		ts := cfg.TokenSource(ctx, &oauth2.Token{RefreshToken: successor, Expiry: time.Now().Add(-time.Minute)})
		client := mcp.NewClient(&mcp.Implementation{Name: fmt.Sprintf("race-%d", i+1), Version: "1.0.0"}, nil)
		session, err := client.Connect(ctx, &mcp.StreamableClientTransport{
			Endpoint: srv.mcpURL(), OAuthHandler: tokenSourceHandler{ts: ts}, DisableStandaloneSSE: true,
		}, nil)
		if err != nil {
			t.Fatalf("session %d on the successor refresh token: connect: %v", i+1, err)
		}
		res, err := session.CallTool(ctx, &mcp.CallToolParams{Name: "get_me", Arguments: map[string]any{}})
		if err != nil || res.IsError {
			t.Errorf("session %d on the successor refresh token: get_me: %v %s", i+1, err, resultTextSafe(res))
		}
		_ = session.Close()
		if tok, err := ts.Token(); err != nil || tok.RefreshToken == successor {
			t.Errorf("session %d did not rotate its refresh token on use (%v)", i+1, err)
		}
	}
	// The original session is unharmed.
	owner.ok(ctx, t, "get_me", map[string]any{})
}

// refreshGrant presents a refresh token for a public client (RFC 6749 §6);
// it is safe to call from any goroutine.
func refreshGrant(ctx context.Context, srv *server, clientID, refresh string) tokenResult {
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}, "client_id": {clientID}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, srv.url+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		return tokenResult{err: err}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := httpClient.Do(req)
	if err != nil {
		return tokenResult{err: err}
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		return tokenResult{status: resp.StatusCode, err: err}
	}
	return tokenResult{status: resp.StatusCode, body: body}
}

// errStop is what an OAuth handler that must not authorize answers.
var errStop = errors.New("no authorization expected here")

// tokenSourceHandler is an auth.OAuthHandler with tokens already at hand:
// it never runs an authorization.
type tokenSourceHandler struct{ ts oauth2.TokenSource }

// TokenSource returns the tokens.
func (h tokenSourceHandler) TokenSource(context.Context) (oauth2.TokenSource, error) {
	return h.ts, nil
}

// Authorize refuses: these tokens must be enough.
func (h tokenSourceHandler) Authorize(_ context.Context, _ *http.Request, resp *http.Response) error {
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return fmt.Errorf("%w: %s", errStop, resp.Status)
}

// resultTextSafe is resultText for a result that may be nil.
func resultTextSafe(res *mcp.CallToolResult) string {
	if res == nil {
		return ""
	}
	return resultText(res)
}
