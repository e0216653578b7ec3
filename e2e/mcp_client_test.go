package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/auth"
	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/modelcontextprotocol/go-sdk/oauthex"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// MCP scopes of the admin tenant (the shared contract of issue 4).
const (
	scopeMCPRead  = "mcp:read"
	scopeMCPWrite = "mcp:write"
	scopeMCPAdmin = "mcp:admin"
)

// mcpClient is one installation of an MCP client built on the official Go
// SDK: its own dynamic registration, its own tokens, one person signing
// in through the browser whenever the SDK asks for an authorization.
type mcpClient struct {
	srv   *server
	mails *mailtest.Server
	name  string // client_name it registers with (shown on the consent page)
	slug  string // for artifact names
	email string // who signs in

	lb      *loopback
	rec     *recorder
	handler *auth.AuthorizationCodeHandler
	session *mcp.ClientSession

	// t is the test that makes the current call: the SDK runs the
	// authorization (and so the browser) inside the call that needs it.
	t *testing.T
	// root is the test the client was made for: the session lives until
	// it ends.
	root *testing.T
	// scopes decides the scopes of the nth authorization (1-based) from the
	// ones the server challenged with; nil keeps them.
	scopes func(n int, discovered []string) []string
	// discovered are the challenged scopes of each authorization;
	// authURLs the authorization requests the SDK built.
	discovered [][]string
	authURLs   []string
	// tools are the server's tools by name, from tools/list.
	tools map[string]*mcp.Tool
}

// mcpURL is the MCP endpoint of the admin tenant served at the public URL.
func (s *server) mcpURL() string { return s.url + "/mcp" }

// newMCPClient prepares a client that registers itself (RFC 7591) with a
// loopback redirect on a free port and asks for a refresh token.
func newMCPClient(t *testing.T, srv *server, mails *mailtest.Server, name, slug, email string,
	scopes func(n int, discovered []string) []string) *mcpClient {
	t.Helper()
	c := &mcpClient{srv: srv, mails: mails, name: name, slug: slug, email: email, scopes: scopes,
		lb: startLoopback(t), rec: newRecorder(), t: t, root: t}
	h, err := auth.NewAuthorizationCodeHandler(&auth.AuthorizationCodeHandlerConfig{
		DynamicClientRegistrationConfig: &auth.DynamicClientRegistrationConfig{
			Metadata: &oauthex.ClientRegistrationMetadata{
				ClientName:              name,
				RedirectURIs:            []string{c.lb.url},
				GrantTypes:              []string{"authorization_code", "refresh_token"},
				ResponseTypes:           []string{"code"},
				TokenEndpointAuthMethod: "none",
			},
		},
		RedirectURL:              c.lb.url,
		AuthorizationCodeFetcher: c.fetch,
		ScopeFilter:              c.filter,
		RequestRefreshToken:      true,
		Client:                   c.rec.client(),
	})
	if err != nil {
		t.Fatalf("auth.NewAuthorizationCodeHandler: %v", err)
	}
	c.handler = h
	return c
}

// filter is the handler's ScopeFilter.
func (c *mcpClient) filter(discovered []string) []string {
	c.discovered = append(c.discovered, slices.Clone(discovered))
	if c.scopes == nil {
		return discovered
	}
	return c.scopes(len(c.discovered), discovered)
}

// fetch is the handler's AuthorizationCodeFetcher: it checks the request
// the SDK built and has the person sign in and allow in a fresh browser.
func (c *mcpClient) fetch(ctx context.Context, args *auth.AuthorizationArgs) (*auth.AuthorizationResult, error) {
	t := c.t
	t.Helper()
	c.authURLs = append(c.authURLs, args.URL)
	n := len(c.authURLs)
	u, err := url.Parse(args.URL)
	if err != nil {
		return nil, fmt.Errorf("authorization URL %q: %w", args.URL, err)
	}
	q := u.Query()
	// OAuth 2.1 §4.1.1: PKCE S256; RFC 8707: the MCP resource.
	if !strings.HasPrefix(args.URL, c.srv.url+"/oauth2/authorize?") || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("resource") != c.srv.mcpURL() || q.Get("redirect_uri") != c.lb.url {
		t.Errorf("authorization request %d is not code + PKCE S256 for resource %s at the admin issuer: %s", n, c.srv.mcpURL(), args.URL)
	}
	signInAndConsent(ctx, t, c.srv, c.mails, args.URL, c.email,
		consentCheck{clientName: c.name, redirectHost: c.lb.host, scopes: strings.Fields(q.Get("scope"))}, fmt.Sprintf("%s-auth%d", c.slug, n))
	res, err := c.lb.wait(ctx)
	if err != nil {
		return nil, err
	}
	if e := res.Get("error"); e != "" {
		return nil, fmt.Errorf("authorization response: %s: %s", e, res.Get("error_description"))
	}
	// RFC 9207: the response names the issuer (the SDK checks it).
	if res.Get("iss") != c.srv.url {
		t.Errorf("authorization response iss = %q, want %s", res.Get("iss"), c.srv.url)
	}
	return &auth.AuthorizationResult{Code: res.Get("code"), State: res.Get("state"), Iss: res.Get("iss")}, nil
}

// connect opens an MCP session; the first request's 401 makes the SDK
// discover, register and authorize. It also lists the tools.
func (c *mcpClient) connect(ctx context.Context, t *testing.T) {
	t.Helper()
	c.t = t
	client := mcp.NewClient(&mcp.Implementation{Name: c.slug, Version: "1.0.0"}, nil)
	transport := &mcp.StreamableClientTransport{
		Endpoint:     c.srv.mcpURL(),
		OAuthHandler: c.handler,
		HTTPClient:   c.rec.client(),
		MaxRetries:   -1,
	}
	session, err := client.Connect(ctx, transport, nil)
	if err != nil {
		t.Fatalf("%s: connect to %s: %v\nexchanges:\n%s", c.slug, c.srv.mcpURL(), err, c.rec)
	}
	c.session = session
	c.root.Cleanup(func() { _ = session.Close() })
	res, err := session.ListTools(ctx, nil)
	if err != nil {
		t.Fatalf("%s: tools/list: %v", c.slug, err)
	}
	c.tools = map[string]*mcp.Tool{}
	for _, tool := range res.Tools {
		c.tools[tool.Name] = tool
	}
}

// accessToken is the token the client currently sends, with its claims.
func (c *mcpClient) accessToken(t *testing.T) (string, string, map[string]any) {
	t.Helper()
	ts, err := c.handler.TokenSource(t.Context())
	if err != nil || ts == nil {
		t.Fatalf("%s: no token source (%v)", c.slug, err)
	}
	tok, err := ts.Token()
	if err != nil {
		t.Fatalf("%s: token: %v", c.slug, err)
	}
	_, claims := decodeJWT(t, tok.AccessToken)
	return tok.AccessToken, tok.RefreshToken, claims
}

// toolNames lists the tools the server offered.
func (c *mcpClient) toolNames() []string {
	names := make([]string, 0, len(c.tools))
	for n := range c.tools {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// call runs a tool. Every argument must be one the tool's input schema
// declares, so that a renamed argument fails here with the schema shown
// rather than as a confusing tool error.
func (c *mcpClient) call(ctx context.Context, t *testing.T, name string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	c.t = t
	tool, ok := c.tools[name]
	if !ok {
		t.Fatalf("%s: the server offers no tool %s (it offers %s)", c.slug, name, strings.Join(c.toolNames(), ", "))
	}
	props := schemaProperties(tool)
	for k := range args {
		if _, ok := props[k]; !ok {
			raw, _ := json.MarshalIndent(tool.InputSchema, "", "  ")
			t.Fatalf("%s: tool %s has no argument %q; its input schema:\n%s", c.slug, name, k, raw)
		}
	}
	res, err := c.session.CallTool(ctx, &mcp.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: tools/call %s: %v\nexchanges:\n%s", c.slug, name, err, c.rec)
	}
	return res
}

// ok runs a tool that must succeed and returns its result object.
func (c *mcpClient) ok(ctx context.Context, t *testing.T, name string, args map[string]any) map[string]any {
	t.Helper()
	res := c.call(ctx, t, name, args)
	if res.IsError {
		t.Fatalf("%s: tool %s(%v) failed: %s", c.slug, name, args, resultText(res))
	}
	return resultObject(t, name, res)
}

// refused runs a tool that must fail with a tool error (a result with
// isError, the model-visible refusal) and returns its text.
func (c *mcpClient) refused(ctx context.Context, t *testing.T, name string, args map[string]any) string {
	t.Helper()
	res := c.call(ctx, t, name, args)
	if !res.IsError {
		t.Fatalf("%s: tool %s(%v) succeeded, want it refused: %s", c.slug, name, args, resultText(res))
	}
	return resultText(res)
}

// schemaProperties returns the properties of a tool's input schema.
func schemaProperties(tool *mcp.Tool) map[string]any {
	raw, err := json.Marshal(tool.InputSchema)
	if err != nil {
		return nil
	}
	var s struct {
		Properties map[string]any `json:"properties"`
	}
	_ = json.Unmarshal(raw, &s)
	return s.Properties
}

// resultText joins a result's text content.
func resultText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

// resultObject is a result's structured content, or else its text parsed
// as a JSON object.
func resultObject(t *testing.T, name string, res *mcp.CallToolResult) map[string]any {
	t.Helper()
	var raw []byte
	if res.StructuredContent != nil {
		var err error
		if raw, err = json.Marshal(res.StructuredContent); err != nil {
			t.Fatalf("tool %s: structured content: %v", name, err)
		}
	} else {
		raw = []byte(resultText(res))
	}
	var out map[string]any
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("tool %s: the result is not a JSON object: %v\n%s", name, err, raw)
	}
	return out
}

// scopesOf splits a token's scope claim.
func scopesOf(claims map[string]any) []string {
	s, _ := claims["scope"].(string)
	return strings.Fields(s)
}
