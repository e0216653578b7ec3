package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// TestMCPNodeSDK runs e2e/node/mcp-client.mjs, an MCP client on the
// official TypeScript SDK from npm, against the built binary (issue 4,
// "Tests"): it discovers, registers and prints the authorization URL; the
// test signs the first administrator in with headless Chromium and allows
// the consent; the script redeems the code, reconnects, prints the tools
// it is offered and calls get_me.
func TestMCPNodeSDK(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 4*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	dir := ensureMCPSDK(ctx, t)
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, "", smtpHost, smtpPort)

	port := freePort(t)
	cmd := exec.Command("node", filepath.Join(dir, "mcp-client.mjs"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "MCP_URL="+srv.mcpURL(), "ISSUER="+srv.url, fmt.Sprintf("PORT=%d", port))
	p := startProcess(t, "mcp-client", cmd, `"authorization_url"`)
	waitCtx, waitCancel := context.WithTimeout(ctx, 60*time.Second)
	defer waitCancel()
	if err := p.waitMarker(waitCtx); err != nil {
		t.Fatal(err)
	}
	authURL, _ := nodeLine(t, p, "authorization_url").(string)
	q := mustQuery(t, authURL)
	if !strings.HasPrefix(authURL, srv.url+"/oauth2/authorize?") || q.Get("code_challenge_method") != "S256" ||
		q.Get("resource") != srv.mcpURL() || q.Get("redirect_uri") != fmt.Sprintf("http://127.0.0.1:%d/callback", port) {
		t.Fatalf("the Node SDK's authorization request is not code + PKCE S256 for %s: %s", srv.mcpURL(), authURL)
	}

	signInAndConsent(ctx, t, srv, mails, authURL, adminEmail,
		consentCheck{clientName: "Authalla E2E Node SDK", redirectHost: fmt.Sprintf("127.0.0.1:%d", port), scopes: strings.Fields(q.Get("scope"))}, "node-sdk")

	select {
	case <-p.done:
	case <-time.After(60 * time.Second):
		t.Fatalf("mcp-client.mjs did not finish after the consent:\n%s", tail(p.out.String(), 4000))
	}
	if p.err != nil {
		t.Fatalf("mcp-client.mjs failed (%v):\n%s", p.err, tail(p.out.String(), 4000))
	}
	if scope, _ := nodeLine(t, p, "scope").(string); !slices.Contains(strings.Fields(scope), scopeMCPRead) {
		t.Errorf("the Node SDK's token has scope %q, want %s", scope, scopeMCPRead)
	}
	tools := anyStrings(nodeLine(t, p, "tools"))
	for _, want := range []string{"get_me", "list_tenants", "create_client", "generate_integration"} {
		if !slices.Contains(tools, want) {
			t.Errorf("the Node SDK was offered tools %q, want %s among them", tools, want)
		}
	}
	me, _ := nodeLine(t, p, "me").(map[string]any)
	if me["email"] != adminEmail {
		t.Errorf("get_me through the Node SDK answered %v, want %s", me, adminEmail)
	}
	t.Logf("the Node SDK was offered %d tools", len(tools))
}

// nodeLine returns the value of key in the first JSON line the script
// printed that has it.
func nodeLine(t *testing.T, p *process, key string) any {
	t.Helper()
	for _, line := range strings.Split(p.out.String(), "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte(line), &m) != nil {
			continue
		}
		if v, ok := m[key]; ok {
			return v
		}
	}
	t.Fatalf("mcp-client.mjs printed no %q:\n%s", key, tail(p.out.String(), 4000))
	return nil
}

// ensureMCPSDK installs e2e/node's packages when the MCP SDK is missing
// (a checkout whose node_modules predates it), and returns the directory.
func ensureMCPSDK(ctx context.Context, t *testing.T) string {
	t.Helper()
	dir := ensureNodeModules(ctx, t)
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk", "package.json")); err == nil {
		return dir
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "npm", "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	return dir
}
