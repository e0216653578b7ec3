package app

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// harness runs the CLI in-process against a data directory of its own,
// with an empty environment so that AUTHALLA_* variables of the machine
// running the tests cannot change the outcome.
type harness struct {
	t       *testing.T
	dataDir string
	env     map[string]string
}

func newHarness(t *testing.T) *harness {
	return &harness{t: t, dataDir: t.TempDir(), env: map[string]string{}}
}

// run executes args (with --data-dir added) and returns the exit code,
// stdout and stderr.
func (h *harness) run(args ...string) (int, string, string) {
	h.t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdout: &stdout, stderr: &stderr, getenv: func(k string) string { return h.env[k] }}
	full := append(append([]string{}, args...), "--data-dir", h.dataDir)
	code := run(context.Background(), e, full)
	return code, stdout.String(), stderr.String()
}

// ok runs args and fails the test unless they exit 0.
func (h *harness) ok(args ...string) string {
	h.t.Helper()
	code, out, errOut := h.run(args...)
	if code != 0 {
		h.t.Fatalf("authalla %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// okJSON runs args with --json and decodes the output.
func (h *harness) okJSON(args ...string) map[string]any {
	h.t.Helper()
	out := h.ok(append(args, "--json")...)
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		h.t.Fatalf("authalla %s: output is not JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
	return v
}

// fails runs args and checks the exit code and that stderr mentions want.
func (h *harness) fails(code int, want string, args ...string) {
	h.t.Helper()
	got, out, errOut := h.run(args...)
	if got != code {
		h.t.Fatalf("authalla %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), got, code, out, errOut)
	}
	if !strings.Contains(errOut, want) {
		h.t.Fatalf("authalla %s: stderr does not mention %q:\n%s", strings.Join(args, " "), want, errOut)
	}
}

func TestTenantCommands(t *testing.T) {
	h := newHarness(t)
	v := h.okJSON("tenant", "create", "--id", "acme", "--name", "Acme", "--allowed-origin", "http://localhost:3000", "--signing-alg", "ES256")
	if v["id"] != "acme" || v["issuer"] != "http://localhost:8080/t/acme" || v["signing_alg"] != "ES256" {
		t.Fatalf("tenant create: %v", v)
	}
	// Generated id.
	gen := h.okJSON("tenant", "create", "--name", "Generated")
	if id, _ := gen["id"].(string); len(id) < 10 || !strings.HasSuffix(gen["issuer"].(string), "/t/"+id) {
		t.Fatalf("generated tenant: %v", gen)
	}
	got := h.okJSON("tenant", "get", "acme")
	if got["name"] != "Acme" || got["access_token_ttl"].(float64) != 900 {
		t.Fatalf("tenant get: %v", got)
	}
	up := h.okJSON("tenant", "update", "acme", "--name", "Acme Inc", "--access-token-ttl", "600", "--add-allowed-origin", "https://app.acme.example", "--allow-registration")
	origins := up["allowed_origins"].([]any)
	if up["name"] != "Acme Inc" || up["access_token_ttl"].(float64) != 600 || len(origins) != 2 || up["allow_registration"] != true || up["signing_alg"] != "ES256" {
		t.Fatalf("tenant update: %v", up)
	}
	list := h.okJSON("tenant", "list")
	if list["total"].(float64) != 4 { // admin, default, acme, generated
		t.Fatalf("tenant list: %v", list)
	}
	human := h.ok("tenant", "list")
	if !strings.Contains(human, "acme") || !strings.Contains(human, "ISSUER") {
		t.Fatalf("human list:\n%s", human)
	}
	if got["status"] != "active" {
		t.Fatalf("a new tenant's status: %v", got["status"])
	}
	sus := h.okJSON("tenant", "suspend", "acme")
	if sus["status"] != "suspended" || sus["suspended_at"] == nil || sus["name"] != "Acme Inc" {
		t.Fatalf("tenant suspend: %v", sus)
	}
	if human := h.ok("tenant", "get", "acme"); !strings.Contains(human, "suspended since ") {
		t.Fatalf("human get of a suspended tenant:\n%s", human)
	}
	if human := h.ok("tenant", "resume", "acme"); !strings.Contains(human, "Tenant acme is active") {
		t.Fatalf("human resume:\n%s", human)
	}
	if res := h.okJSON("tenant", "get", "acme"); res["status"] != "active" || res["suspended_at"] != nil {
		t.Fatalf("after resume: %v", res)
	}
	h.fails(1, "the admin tenant cannot be suspended", "tenant", "suspend", "admin")
	h.fails(1, "not found", "tenant", "suspend", "no-such-tenant")
	h.fails(2, "usage", "tenant", "resume")
	h.ok("tenant", "delete", "acme")
	h.fails(1, "not found", "tenant", "get", "acme")
	h.fails(1, "admin tenant cannot be deleted", "tenant", "delete", "admin")
	h.fails(1, "invalid access_token_ttl", "tenant", "update", gen["id"].(string), "--access-token-ttl", "5")
	h.fails(1, "invalid id", "tenant", "create", "--id", "Bad_ID", "--name", "x")
	h.fails(2, "usage", "tenant", "get")
}

// TestFirstCommandBootstraps: on a fresh install the first command creates
// the admin tenant and prints the one-time link to stderr, keeping stdout
// clean for --json; later commands print nothing of the kind.
func TestFirstCommandBootstraps(t *testing.T) {
	h := newHarness(t)
	code, out, errOut := h.run("tenant", "list", "--json")
	if code != 0 || !strings.Contains(errOut, "/oauth2/magic-link?token=") {
		t.Fatalf("exit %d, stderr:\n%s", code, errOut)
	}
	var v map[string]any
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, out)
	}
	_, _, errOut = h.run("tenant", "list", "--json")
	if strings.Contains(errOut, "magic-link") {
		t.Fatalf("second command printed a link:\n%s", errOut)
	}
	if fi, err := os.Stat(filepath.Join(h.dataDir, "master.key")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("master key file: %v %v", fi, err)
	}
}

func TestClientCommands(t *testing.T) {
	h := newHarness(t)
	h.ok("tenant", "create", "--id", "acme", "--name", "Acme")
	h.ok("resource-server", "create", "--tenant", "acme", "--identifier", "https://api.example.com", "--name", "API", "--scope", "api:read")
	v := h.okJSON("client", "create", "--tenant", "acme", "--name", "Web app", "--type", "web",
		"--redirect-uri", "https://app.example.com/cb", "--redirect-uri", "http://localhost:3000/cb",
		"--post-logout-redirect-uri", "https://app.example.com/", "--scope", "openid", "--scope", "api:read",
		"--require-consent", "--default-resource-server", "https://api.example.com")
	id, _ := v["client_id"].(string)
	sec, _ := v["client_secret"].(string)
	if id == "" || v["id"] != id || len(sec) != 43 || len(v["redirect_uris"].([]any)) != 2 || v["require_consent"] != true {
		t.Fatalf("client create: %v", v)
	}
	for _, name := range []string{"authalla.db", "authalla.db-wal"} {
		raw, err := os.ReadFile(filepath.Join(h.dataDir, name))
		if err != nil {
			continue
		}
		if bytes.Contains(raw, []byte(sec)) {
			t.Fatalf("the client secret is stored in %s", name)
		}
	}
	got := h.okJSON("client", "get", "--tenant", "acme", id)
	if _, has := got["client_secret"]; has || got["default_resource_server"] != "https://api.example.com" {
		t.Fatalf("client get: %v", got)
	}
	// Positional argument before the flags works too.
	up := h.okJSON("client", "update", id, "--tenant", "acme", "--name", "Renamed",
		"--add-redirect-uri", "https://app.example.com/cb2", "--remove-redirect-uri", "http://localhost:3000/cb", "--require-consent=false")
	uris := up["redirect_uris"].([]any)
	if up["name"] != "Renamed" || len(uris) != 2 || uris[1] != "https://app.example.com/cb2" || up["require_consent"] != false {
		t.Fatalf("client update: %v", up)
	}
	s2 := h.okJSON("client", "add-secret", "--tenant", "acme", id)
	if s2["client_secret"] == sec || len(s2["client_secret"].(string)) != 43 {
		t.Fatalf("add-secret: %v", s2)
	}
	secrets := h.okJSON("client", "list-secrets", "--tenant", "acme", id)
	if secrets["total"].(float64) != 2 || strings.Contains(h.ok("client", "list-secrets", "--tenant", "acme", id), sec) {
		t.Fatalf("list-secrets: %v", secrets)
	}
	h.ok("client", "delete-secret", "--tenant", "acme", "--secret-id", s2["id"].(string), id)

	spa := h.okJSON("client", "create", "--tenant", "acme", "--name", "SPA", "--type", "spa", "--redirect-uri", "http://127.0.0.1:5173/cb", "--id", "my-spa")
	if spa["client_id"] != "my-spa" || spa["client_secret"] != nil {
		t.Fatalf("spa create: %v", spa)
	}
	list := h.okJSON("client", "list", "--tenant", "acme")
	if list["total"].(float64) != 2 {
		t.Fatalf("client list: %v", list)
	}
	h.ok("client", "delete", "--tenant", "acme", "my-spa")
	h.fails(1, "not found", "client", "get", "--tenant", "acme", "my-spa")

	h.fails(1, "invalid redirect_uris", "client", "create", "--tenant", "acme", "--name", "x", "--type", "web", "--redirect-uri", "https://app.example.com/cb#frag")
	h.fails(1, "invalid redirect_uris", "client", "create", "--tenant", "acme", "--name", "x", "--type", "backend", "--redirect-uri", "https://app.example.com/cb")
	h.fails(1, "invalid type", "client", "create", "--tenant", "acme", "--name", "x", "--type", "implicit")
	h.fails(2, "--tenant is required", "client", "list")
	h.fails(1, "not found", "client", "list", "--tenant", "nope")
}

func TestUserCommands(t *testing.T) {
	h := newHarness(t)
	h.ok("tenant", "create", "--id", "acme", "--name", "Acme")
	u := h.okJSON("user", "create", "--tenant", "acme", "--email", "Ada@Example.com", "--name", "Ada")
	id, _ := u["id"].(string)
	if id == "" || u["email"] != "ada@example.com" || u["status"] != "active" {
		t.Fatalf("user create: %v", u)
	}
	h.ok("user", "create", "--tenant", "acme", "--email", "alan@example.com", "--name", "Alan")
	list := h.okJSON("user", "list", "--tenant", "acme", "--search", "ADA")
	if list["total"].(float64) != 1 {
		t.Fatalf("user search: %v", list)
	}
	up := h.okJSON("user", "update", "--tenant", "acme", id, "--name", "Ada L.", "--email-verified")
	if up["name"] != "Ada L." || up["email_verified"] != true {
		t.Fatalf("user update: %v", up)
	}
	link := h.okJSON("user", "sign-in-link", "--tenant", "acme", id)
	if !strings.HasPrefix(link["sign_in_url"].(string), "http://localhost:8080/t/acme/oauth2/magic-link?token=") {
		t.Fatalf("sign-in-link: %v", link)
	}
	s := h.okJSON("user", "suspend", "--tenant", "acme", id)
	if s["status"] != "suspended" {
		t.Fatalf("user suspend: %v", s)
	}
	got := h.okJSON("user", "get", "--tenant", "acme", id)
	if got["status"] != "suspended" {
		t.Fatalf("user get: %v", got)
	}
	h.fails(1, "suspended", "user", "sign-in-link", "--tenant", "acme", id)
	h.fails(1, "conflict", "user", "create", "--tenant", "acme", "--email", "alan@example.com")
	h.fails(1, "invalid email", "user", "create", "--tenant", "acme", "--email", "not-an-email")
	h.ok("user", "delete", "--tenant", "acme", id)
	h.fails(1, "not found", "user", "get", "--tenant", "acme", id)
}

func TestResourceServerAndKeyCommands(t *testing.T) {
	h := newHarness(t)
	h.ok("tenant", "create", "--id", "acme", "--name", "Acme")
	r := h.okJSON("resource-server", "create", "--tenant", "acme", "--identifier", "https://api.example.com", "--name", "API", "--scope", "api:read")
	id, _ := r["id"].(string)
	if id == "" || r["scope_prefix"] != "api:" || len(r["scopes"].([]any)) != 1 {
		t.Fatalf("resource-server create: %v", r)
	}
	a := h.okJSON("resource-server", "add-scope", "--tenant", "acme", "--scope", "api:write", "--description", "Write", "https://api.example.com")
	if len(a["scopes"].([]any)) != 2 {
		t.Fatalf("add-scope: %v", a)
	}
	u := h.okJSON("resource-server", "update", "--tenant", "acme", id, "--name", "Orders API")
	if u["name"] != "Orders API" || len(u["scopes"].([]any)) != 2 {
		t.Fatalf("update: %v", u)
	}
	// The built-in management API (urn:authalla:management) is listed too.
	if l := h.okJSON("resource-server", "list", "--tenant", "acme"); l["total"].(float64) != 2 {
		t.Fatalf("list: %v", l)
	}
	h.fails(1, "invalid scopes", "resource-server", "add-scope", "--tenant", "acme", "--scope", "orders:read", id)
	h.fails(1, "invalid identifier", "resource-server", "create", "--tenant", "acme", "--identifier", "http://api.example.com", "--name", "x")
	h.ok("resource-server", "delete", "--tenant", "acme", id)
	h.fails(1, "not found", "resource-server", "get", "--tenant", "acme", id)

	keys := h.okJSON("keys", "list", "--tenant", "acme")
	items := keys["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["state"] != "active" || items[0].(map[string]any)["alg"] != "RS256" {
		t.Fatalf("keys list: %v", keys)
	}
	staged := h.okJSON("keys", "rotate", "--tenant", "acme")
	if staged["staged"] == nil || staged["activated"] != nil || staged["id"] != staged["staged"].(map[string]any)["id"] {
		t.Fatalf("keys rotate: %v", staged)
	}
	now := h.okJSON("keys", "rotate", "--tenant", "acme", "--now")
	if now["activated"] == nil || now["retired"] == nil {
		t.Fatalf("keys rotate --now: %v", now)
	}
	if items := h.okJSON("keys", "list", "--tenant", "acme")["items"].([]any); len(items) < 2 {
		t.Fatalf("after rotation the old key must stay published: %v", items)
	}

	// The explicit lifecycle: stage, activate (refused too early, then
	// forced), retire (a staged key is removed, the active one refused).
	st := h.okJSON("keys", "stage", "--tenant", "acme", "--alg", "ES256")
	kid, _ := st["id"].(string)
	if st["state"] != "staged" || st["alg"] != "ES256" || kid == "" {
		t.Fatalf("keys stage: %v", st)
	}
	h.fails(2, "--kid is required", "keys", "activate", "--tenant", "acme")
	h.fails(1, "not yet published long enough", "keys", "activate", "--tenant", "acme", "--kid", kid)
	act := h.okJSON("keys", "activate", "--tenant", "acme", "--kid", kid, "--force")
	if act["id"] != kid || act["activated"].(map[string]any)["state"] != "active" || act["retired"] == nil {
		t.Fatalf("keys activate --force: %v", act)
	}
	h.fails(1, "activate another key first", "keys", "retire", "--tenant", "acme", "--kid", kid)
	gone, _ := h.okJSON("keys", "stage", "--tenant", "acme")["id"].(string)
	if r := h.okJSON("keys", "retire", "--tenant", "acme", "--kid", gone); r["removed"] != true || r["id"] != gone {
		t.Fatalf("keys retire: %v", r)
	}
}

// TestBadConfiguration: bad settings fail with exit 2 and a message that
// names the setting.
func TestBadConfiguration(t *testing.T) {
	h := newHarness(t)
	h.fails(2, "smtp-tls", "tenant", "list", "--smtp-tls", "bogus")
	h.fails(2, "public-url", "tenant", "list", "--public-url", "ftp://x")
	h.fails(2, "public-url", "serve", "--public-url", "ftp://x")
	h.fails(2, "public-url", "--public-url", "ftp://x")
	h.fails(2, "log-level", "migrate", "--log-level", "loud")
	h.fails(2, "master-key", "tenant", "list", "--master-key", "too-short")
	h.fails(2, "master-key", "serve", "--database-url", "postgres://u:p@127.0.0.1:1/db", "--listen", "127.0.0.1:0")
	h.fails(2, "smtp-host", "serve", "--public-url", "https://login.example.com", "--listen", "127.0.0.1:0")
	h.fails(2, "flag provided but not defined", "tenant", "list", "--no-such-flag")
	h.fails(2, "unknown command", "frobnicate")
	h.fails(2, "unknown command", "tenant", "frobnicate")
	h.env["AUTHALLA_SMTP_TLS"] = "bogus"
	h.fails(2, "smtp-tls", "tenant", "list")
}

func TestVersionAndHelp(t *testing.T) {
	h := newHarness(t)
	var out, errOut bytes.Buffer
	e := &env{stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := run(context.Background(), e, []string{"version"}); code != 0 || !strings.HasPrefix(out.String(), "authalla dev") {
		t.Fatalf("version: %d %q", code, out.String())
	}
	out.Reset()
	if code := run(context.Background(), e, []string{"version", "--json"}); code != 0 {
		t.Fatal(code)
	}
	var v map[string]any
	if err := json.Unmarshal(out.Bytes(), &v); err != nil || v["version"] != "dev" || v["schema_version"].(float64) < 1 {
		t.Fatalf("version --json: %v %v", v, err)
	}
	out.Reset()
	if code := run(context.Background(), e, []string{"help"}); code != 0 || !strings.Contains(out.String(), "resource-server") {
		t.Fatalf("help: %q", out.String())
	}
	out.Reset()
	if code := run(context.Background(), e, []string{"client"}); code != 0 || !strings.Contains(out.String(), "client create --tenant") {
		t.Fatalf("client help: %q", out.String())
	}
	h.ok("migrate")
}
