package e2e

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The seed's prompts (../shared/seed/oauth2-integration.md, "Integrate with
// AI") as the tool sequences an assistant runs for them, on the tenant the
// owner created in the step-up.

// promptNextJS: "Add login to my Next.js app on localhost:3000".
func promptNextJS(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	const redirect = "http://localhost:3000/api/auth/callback"
	created := owner.ok(ctx, t, "create_client", map[string]any{
		"tenant_id": mcpAppsTenant, "name": "Next.js app", "type": "web", "redirect_uris": []string{redirect},
	})
	clientID := str(t, created, "client_id")
	secret, _ := created["client_secret"].(string)
	if secret == "" {
		t.Errorf("create_client for a web app returned no client secret (it is shown once): %v", created)
	}
	got := srv.cli(ctx, t, "client", "get", "--tenant", mcpAppsTenant, clientID, "--json")
	if got["type"] != "web" || !slices.Equal(anyStrings(got["redirect_uris"]), []string{redirect}) {
		t.Fatalf("client get %s after create_client: %v", clientID, got)
	}

	gen := owner.ok(ctx, t, "generate_integration", map[string]any{
		"tenant_id": mcpAppsTenant, "client_id": clientID, "framework": "nextjs-app-router",
	})
	files := integrationFiles(t, gen)
	for _, p := range []string{"package.json", "app/api/auth/login/route.js", "app/api/auth/callback/route.js", ".env.local"} {
		if strings.TrimSpace(files[p]) == "" {
			t.Errorf("generate_integration nextjs-app-router has no file %s (files: %q)", p, sortedKeys(files))
		}
	}
	issuer := srv.url + "/t/" + mcpAppsTenant
	if env := files[".env.local"]; !strings.Contains(env, clientID) || !strings.Contains(env, issuer) {
		t.Errorf(".env.local does not hold the client id %s and the issuer %s:\n%s", clientID, issuer, env)
	}
	if !slices.Equal(anyStrings(gen["redirect_uris"]), []string{redirect}) {
		t.Errorf("generate_integration redirect_uris = %v, want [%s]", gen["redirect_uris"], redirect)
	}
	noSecretInFiles(t, files, secret)
}

// promptExpressAPI: "Add login, a callback and token middleware to my
// Express API".
func promptExpressAPI(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	const (
		audience = "https://orders.e2e-mcp.test"
		redirect = "http://localhost:3000/oauth/callback"
	)
	rs := owner.ok(ctx, t, "create_resource_server", map[string]any{
		"tenant_id": mcpAppsTenant, "identifier": audience, "name": "Orders API",
	})
	if !strings.Contains(jsonText(t, rs), audience) {
		t.Errorf("create_resource_server answered %v, want the identifier %s", rs, audience)
	}
	created := owner.ok(ctx, t, "create_client", map[string]any{
		"tenant_id": mcpAppsTenant, "name": "Express API", "type": "web", "redirect_uris": []string{redirect},
	})
	clientID := str(t, created, "client_id")
	secret, _ := created["client_secret"].(string)

	gen := owner.ok(ctx, t, "generate_integration", map[string]any{
		"tenant_id": mcpAppsTenant, "client_id": clientID, "framework": "express-api", "audience": audience,
	})
	files := integrationFiles(t, gen)
	for _, p := range []string{"package.json", "auth.mjs", "authorize.mjs", "server.mjs", ".env"} {
		if strings.TrimSpace(files[p]) == "" {
			t.Errorf("generate_integration express-api has no file %s (files: %q)", p, sortedKeys(files))
		}
	}
	if env := files[".env"]; !strings.Contains(env, clientID) || !strings.Contains(env, audience) {
		t.Errorf(".env does not hold the client id %s and the audience %s:\n%s", clientID, audience, env)
	}
	if !strings.Contains(files["package.json"], `"jose"`) || !strings.Contains(files["authorize.mjs"], "jose") {
		t.Errorf("the token middleware does not use jose:\npackage.json: %s\nauthorize.mjs: %.400s", files["package.json"], files["authorize.mjs"])
	}
	if !strings.Contains(files["server.mjs"], "/oauth/callback") {
		t.Errorf("server.mjs has no /oauth/callback route:\n%.600s", files["server.mjs"])
	}
	noSecretInFiles(t, files, secret)
}

// promptReactSPA: "Add login to my React SPA on localhost:5173".
func promptReactSPA(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	const (
		origin   = "http://localhost:5173"
		redirect = origin + "/callback"
	)
	created := owner.ok(ctx, t, "create_client", map[string]any{
		"tenant_id": mcpAppsTenant, "name": "React SPA", "type": "spa", "redirect_uris": []string{redirect},
	})
	clientID := str(t, created, "client_id")
	if s, _ := created["client_secret"].(string); s != "" {
		t.Errorf("a spa (public) client got a client secret: %v", created)
	}
	owner.ok(ctx, t, "add_allowed_origins", map[string]any{"tenant_id": mcpAppsTenant, "origins": []string{origin}})
	if got := anyStrings(srv.cli(ctx, t, "tenant", "get", mcpAppsTenant, "--json")["allowed_origins"]); !slices.Contains(got, origin) {
		t.Fatalf("after add_allowed_origins the tenant's allowed origins are %q, want %s among them", got, origin)
	}
	// The origin takes effect: the token endpoint's CORS answers it.
	issuer := srv.url + "/t/" + mcpAppsTenant
	if acao := corsOrigin(ctx, t, issuer+"/.well-known/openid-configuration", origin); acao != origin {
		t.Errorf("discovery answers Origin %s with Access-Control-Allow-Origin %q", origin, acao)
	}

	gen := owner.ok(ctx, t, "generate_integration", map[string]any{
		"tenant_id": mcpAppsTenant, "client_id": clientID, "framework": "react-spa-pkce",
	})
	files := integrationFiles(t, gen)
	for _, p := range []string{"package.json", "src/auth.js", "src/App.jsx", ".env.local"} {
		if strings.TrimSpace(files[p]) == "" {
			t.Errorf("generate_integration react-spa-pkce has no file %s (files: %q)", p, sortedKeys(files))
		}
	}
	if env := files[".env.local"]; !strings.Contains(env, clientID) || !strings.Contains(env, issuer) {
		t.Errorf(".env.local does not hold the client id %s and the issuer %s:\n%s", clientID, issuer, env)
	}
	authJS := files["src/auth.js"]
	if !strings.Contains(authJS, "S256") || !strings.Contains(authJS, "refresh_token") {
		t.Errorf("src/auth.js does not do PKCE S256 with refresh:\n%.800s", authJS)
	}
	for p, content := range files {
		if storageAPI.MatchString(content) {
			t.Errorf("%s uses localStorage (tokens stay in memory)", p)
		}
	}
	if !slices.Contains(anyStrings(gen["allowed_origins"]), origin) {
		t.Errorf("generate_integration allowed_origins = %v, want %s", gen["allowed_origins"], origin)
	}
}

// promptBrand: "Update the login page to match my brand colours".
func promptBrand(ctx context.Context, t *testing.T, srv *server, owner *mcpClient) {
	owner.ok(ctx, t, "update_theme", map[string]any{
		"tenant_id": mcpAppsTenant, "light": map[string]any{"primary_color": brandColour},
	})
	theme := owner.ok(ctx, t, "get_theme", map[string]any{"tenant_id": mcpAppsTenant})
	if !strings.Contains(strings.ToLower(jsonText(t, theme)), brandColour) {
		t.Errorf("get_theme after update_theme: %v, want the primary colour %s", theme, brandColour)
	}
	login := srv.url + "/t/" + mcpAppsTenant + "/oauth2/login"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, login, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", login, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s", login, resp.Status)
	}
	if !strings.Contains(strings.ToLower(string(body)), "--primary: "+brandColour) {
		t.Errorf("the tenant's login page does not set --primary: %s", brandColour)
	}
}

// storageAPI matches code that uses localStorage (not prose naming it).
var storageAPI = regexp.MustCompile(`\blocalStorage\s*[.\[]`)

// integrationFiles returns generate_integration's files by path.
func integrationFiles(t *testing.T, gen map[string]any) map[string]string {
	t.Helper()
	arr, ok := gen["files"].([]any)
	if !ok || len(arr) == 0 {
		t.Fatalf("generate_integration returned no files: %.500s", jsonText(t, gen))
	}
	files := map[string]string{}
	for _, x := range arr {
		f, _ := x.(map[string]any)
		p, _ := f["path"].(string)
		c, _ := f["content"].(string)
		if p == "" {
			t.Fatalf("generate_integration returned a file without a path: %v", f)
		}
		files[p] = c
	}
	return files
}

// noSecretInFiles fails when a generated file holds the client secret
// (it belongs in the environment, set by the person).
func noSecretInFiles(t *testing.T, files map[string]string, secret string) {
	t.Helper()
	if secret == "" {
		return
	}
	for p, c := range files {
		if strings.Contains(c, secret) {
			t.Errorf("generated file %s holds the client secret", p)
		}
	}
}

// corsOrigin sends a GET with an Origin header and returns the
// Access-Control-Allow-Origin of the answer.
func corsOrigin(ctx context.Context, t *testing.T, u, origin string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Origin", origin)
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.Header.Get("Access-Control-Allow-Origin")
}

// jsonText renders v as JSON, for searching and messages.
func jsonText(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return string(raw)
}

// mustQuery returns the query of a URL.
func mustQuery(t *testing.T, raw string) url.Values {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("parse %q: %v", raw, err)
	}
	return u.Query()
}

// sortedKeys lists a map's keys, sorted.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
