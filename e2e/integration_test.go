package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authalla/authalla/internal/integration"
	"github.com/authalla/authalla/internal/mail/mailtest"
)

// TestGeneratedIntegrations runs what generate_integration writes, unedited:
// the express, express-api and react-spa-pkce apps are written to temporary
// folders, installed from npm and started with only their generated
// environment (plus secrets); headless Chromium signs a user in through
// each; the express-api middleware accepts the resulting access tokens (from
// its own session, from the SPA's in-memory token and from the m2m script)
// and refuses a tampered one; the SPA refreshes its tokens.
func TestGeneratedIntegrations(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, "", smtpHost, smtpPort)

	const tenantID = "e2e-gen"
	srv.cli(ctx, t, "tenant", "create", "--id", tenantID, "--name", "Generated", "--allow-registration", "--json")
	issuer := srv.url + "/t/" + tenantID // a path issuer: Node cannot resolve *.localhost
	srv.cli(ctx, t, "resource-server", "create", "--tenant", tenantID, "--identifier", apiIdentifier, "--name", "Example API", "--json")

	// Each app on its own loopback origin, registered exactly.
	expressURL := loopbackURL(t)
	apiURL := loopbackURL(t)
	spaURL := loopbackURL(t)
	nextURL := loopbackURL(t)
	goURL := loopbackURL(t)
	newClient := func(name, typ, appURL, callback string) (id, secret string) {
		args := []string{"client", "create", "--tenant", tenantID, "--name", name, "--type", typ, "--json"}
		if appURL != "" {
			args = append(args, "--redirect-uri", appURL+callback, "--post-logout-redirect-uri", appURL+"/")
		}
		c := srv.cli(ctx, t, args...)
		secret, _ = c["client_secret"].(string)
		return str(t, c, "client_id"), secret
	}
	expressID, expressSecret := newClient("Express", "web", expressURL, "/oauth/callback")
	apiID, _ := newClient("Express API", "spa", apiURL, "/oauth/callback")
	spaID, _ := newClient("React SPA", "spa", spaURL, "/callback")
	m2mID, m2mSecret := newClient("Worker", "backend", "", "")
	nextID, nextSecret := newClient("Next.js", "web", nextURL, "/api/auth/callback")
	goID, goSecret := newClient("Go", "web", goURL, "/callback")
	if expressSecret == "" || m2mSecret == "" || nextSecret == "" || goSecret == "" {
		t.Fatal("client create returned no client_secret for the web and backend clients")
	}
	srv.cli(ctx, t, "tenant", "update", tenantID, "--add-allowed-origin", spaURL, "--json")

	generate := func(r integration.Request) (string, *integration.Result) {
		r.Issuer, r.TenantID = issuer, tenantID
		res, err := integration.Generate(r)
		if err != nil {
			t.Fatalf("Generate %s: %v", r.Framework, err)
		}
		dir := t.TempDir()
		for _, f := range res.Files {
			path := filepath.Join(dir, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(f.Content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return dir, res
	}
	sessionSecret := strings.Repeat("e2e-session-secret-", 3)
	expressDir, expressRes := generate(integration.Request{Framework: "express", ClientID: expressID, ClientType: "web", AppURL: expressURL})
	setEnv(t, expressDir, ".env", map[string]string{"AUTHALLA_CLIENT_SECRET": expressSecret, "SESSION_SECRET": sessionSecret})
	apiDir, _ := generate(integration.Request{Framework: "express-api", ClientID: apiID, ClientType: "spa", AppURL: apiURL, Audience: apiIdentifier})
	setEnv(t, apiDir, ".env", map[string]string{"SESSION_SECRET": sessionSecret, "CORS_ORIGINS": spaURL})
	spaDir, spaRes := generate(integration.Request{Framework: "react-spa-pkce", ClientID: spaID, ClientType: "spa", AppURL: spaURL, Audience: apiIdentifier})
	setEnv(t, spaDir, ".env.local", map[string]string{"VITE_API_URL": apiURL + "/api/protected"})
	m2mDir, _ := generate(integration.Request{Framework: "m2m", ClientID: m2mID, ClientType: "backend", Audience: apiIdentifier})
	setEnv(t, m2mDir, ".env", map[string]string{"AUTHALLA_CLIENT_SECRET": m2mSecret, "API_URL": apiURL + "/api/protected"})
	nextDir, _ := generate(integration.Request{Framework: "nextjs-app-router", ClientID: nextID, ClientType: "web", AppURL: nextURL})
	setEnv(t, nextDir, ".env.local", map[string]string{"AUTHALLA_CLIENT_SECRET": nextSecret, "SESSION_SECRET": sessionSecret})
	goDir, _ := generate(integration.Request{Framework: "go", ClientID: goID, ClientType: "web", AppURL: goURL, Audience: apiIdentifier})
	setEnv(t, goDir, ".env", map[string]string{"AUTHALLA_CLIENT_SECRET": goSecret})

	if got := expressRes.RedirectURIs; len(got) != 1 || got[0] != expressURL+"/oauth/callback" {
		t.Fatalf("express RedirectURIs = %v", got)
	}
	if got := spaRes.AllowedOrigins; len(got) != 1 || got[0] != spaURL {
		t.Fatalf("react-spa-pkce AllowedOrigins = %v, want [%s]", got, spaURL)
	}

	goBuilt := make(chan error, 1)
	go func() { goBuilt <- buildGenerated(ctx, goDir) }()
	npmInstall(ctx, t, expressDir, apiDir, spaDir, nextDir)
	startGenerated(ctx, t, "express", expressDir, "node", "--env-file=.env", "server.mjs")
	startGenerated(ctx, t, "express-api", apiDir, "node", "--env-file=.env", "server.mjs")
	startGenerated(ctx, t, "react-spa", spaDir, "node", "node_modules/vite/bin/vite.js")
	if err := waitHTTP(ctx30(ctx, t), spaURL+"/", nil); err != nil {
		t.Fatalf("vite dev server: %v", err)
	}
	startGenerated(ctx, t, "nextjs", nextDir, "npm", "run", "dev")
	if err := <-goBuilt; err != nil {
		t.Fatal(err)
	}
	startGenerated(ctx, t, "go", goDir, append([]string{"env"}, append(readEnvFile(t, goDir, ".env"), "./app")...)...)

	browser := newBrowser(ctx, t)
	pinSignIn := func(f *flow, email string) {
		f.t.Helper()
		f.waitPath("/oauth2/login")
		enterEmail(f, email)
		f.waitPath("/oauth2/pin-code")
		pin := mailtest.ExtractPIN(waitMail(ctx, f.t, mails, email).Text)
		f.do("type the PIN",
			chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
		)
	}

	t.Run("express", func(t *testing.T) {
		f := newFlow(t, browser, "express")
		email := "erin@e2e.test"
		f.do("open /login", chromedp.Navigate(expressURL+"/login"))
		pinSignIn(f, email)
		f.waitPath("/app")
		if got := f.text("#email"); got != email {
			t.Fatalf("/app shows email %q, want %q", got, email)
		}
		f.do("sign out", chromedp.Click(chromedp.CSS("#logout")))
		waitJS(t, f, "back on the app's home page, signed out", fmt.Sprintf(
			`location.origin === %q && location.pathname === "/" && document.querySelector("#status")?.textContent.includes("Signed out")`, expressURL))
		f.checkConsole()
	})

	t.Run("express-api", func(t *testing.T) {
		f := newFlow(t, browser, "express-api")
		email := "frank@e2e.test"
		f.do("open /login", chromedp.Navigate(apiURL+"/login"))
		pinSignIn(f, email)
		f.waitPath("/app")
		if got := f.text("#email"); got != email {
			t.Fatalf("/app shows email %q, want %q", got, email)
		}
		// /app called /api/protected server-side with the session's token.
		sub := f.text("#sub")
		if got := f.text("#api"); !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"sub":"`+sub+`"`) {
			t.Fatalf("/app's API call = %q, want 200 with sub %s", got, sub)
		}
		f.checkConsole()

		token := clientCredentialsFor(ctx, t, issuer, m2mID, m2mSecret, apiIdentifier)
		status, body, challenge := callAPI(ctx, t, apiURL, token)
		if status != http.StatusOK || body["ok"] != true || body["sub"] != m2mID {
			t.Fatalf("a client-credentials token for the API = %d %v, want 200 with sub %s", status, body, m2mID)
		}
		tampered := tamperJWT(t, token, func(c map[string]any) { c["sub"] = "someone-else" })
		status, body, challenge = callAPI(ctx, t, apiURL, tampered)
		if status != http.StatusUnauthorized || body["error"] != "invalid_token" || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Fatalf("a tampered token = %d %v (WWW-Authenticate %q), want 401 invalid_token", status, body, challenge)
		}
		status, _, challenge = callAPI(ctx, t, apiURL, "")
		if status != http.StatusUnauthorized || !strings.HasPrefix(challenge, "Bearer") || strings.Contains(challenge, "error=") {
			t.Fatalf("no token = %d (WWW-Authenticate %q), want 401 with a bare Bearer challenge (RFC 6750 §3.1)", status, challenge)
		}
		// A token for another audience (the client itself) is refused.
		other := clientCredentialsFor(ctx, t, issuer, m2mID, m2mSecret, "")
		if status, _, _ := callAPI(ctx, t, apiURL, other); status != http.StatusUnauthorized {
			t.Fatalf("a token without the API audience = %d, want 401", status)
		}
	})

	t.Run("m2m", func(t *testing.T) {
		out := runGenerated(ctx, t, m2mDir, "node", "--env-file=.env", "m2m.mjs")
		if !strings.Contains(out, "access token obtained") || !strings.Contains(out, "API 200") || !strings.Contains(out, `"sub":"`+m2mID+`"`) {
			t.Fatalf("m2m.mjs output:\n%s", out)
		}
		if strings.Contains(out, m2mSecret) || regexp.MustCompile(`eyJ[\w-]+\.[\w-]+\.`).MatchString(out) {
			t.Fatalf("m2m.mjs printed a secret or a token:\n%s", out)
		}
		// token.sh: the same request with curl, reading the same .env.
		var resp struct {
			AccessToken string `json:"access_token"`
			TokenType   string `json:"token_type"`
		}
		if err := json.Unmarshal([]byte(runGenerated(ctx, t, m2mDir, "sh", "token.sh")), &resp); err != nil || resp.TokenType != "Bearer" {
			t.Fatalf("token.sh: %v, token_type %q", err, resp.TokenType)
		}
		if _, claims := decodeJWT(t, resp.AccessToken); !audienceHas(claims["aud"], apiIdentifier) {
			t.Fatalf("token.sh's token has aud %v, want %s", claims["aud"], apiIdentifier)
		}
	})

	t.Run("nextjs-app-router", func(t *testing.T) {
		f := newFlow(t, browser, "nextjs")
		email := "heidi@e2e.test"
		// The first request compiles the page: allow for it.
		compiled, cancel := context.WithTimeout(ctx, 90*time.Second)
		defer cancel()
		if err := waitHTTP(compiled, nextURL+"/", nil); err != nil {
			t.Fatalf("next dev: %v", err)
		}
		f.do("open the app", chromedp.Navigate(nextURL+"/"))
		f.do("press Sign in", chromedp.WaitVisible(chromedp.CSS("#login")), chromedp.Click(chromedp.CSS("#login")))
		pinSignIn(f, email)
		waitJS(t, f, "the server component shows the user", fmt.Sprintf(
			`location.origin === %q && document.querySelector("#user-email")?.textContent === %q`, nextURL, email))
		if cookies := evalJS[string](t, f, "read document.cookie", `document.cookie`); cookies != "" {
			t.Fatalf("scripts can read cookies %q; the session must be httpOnly", cookies)
		}
		f.do("sign out", chromedp.Click(chromedp.CSS("#logout")))
		waitJS(t, f, "back home, signed out", fmt.Sprintf(
			`location.origin === %q && document.querySelector("#status")?.textContent.includes("Signed out")`, nextURL))
	})

	t.Run("go", func(t *testing.T) {
		f := newFlow(t, browser, "go")
		email := "ivan@e2e.test"
		f.do("open /login", chromedp.Navigate(goURL+"/login"))
		pinSignIn(f, email)
		waitJS(t, f, "the Go app shows the user", fmt.Sprintf(
			`location.origin === %q && document.querySelector("#email")?.textContent === %q`, goURL, email))
		token := clientCredentialsFor(ctx, t, issuer, m2mID, m2mSecret, apiIdentifier)
		if status, body, _ := callAPI(ctx, t, goURL, token); status != http.StatusOK || body["sub"] != m2mID {
			t.Fatalf("Go bearer middleware with a valid token = %d %v", status, body)
		}
		tampered := tamperJWT(t, token, func(c map[string]any) { c["aud"] = "https://other.example.com" })
		if status, body, challenge := callAPI(ctx, t, goURL, tampered); status != http.StatusUnauthorized || !strings.Contains(challenge, `error="invalid_token"`) {
			t.Fatalf("Go bearer middleware with a tampered token = %d %v (%q)", status, body, challenge)
		}
		f.do("sign out", chromedp.Click(chromedp.CSS("#logout")))
		waitJS(t, f, "back home, signed out", fmt.Sprintf(
			`location.origin === %q && document.querySelector("#status")?.textContent.includes("Signed out")`, goURL))
	})

	t.Run("react-spa-pkce", func(t *testing.T) {
		f := newFlow(t, browser, "react-spa")
		email := "grace@e2e.test"
		f.do("open the SPA", chromedp.Navigate(spaURL+"/"))
		f.do("press Sign in", chromedp.WaitVisible(chromedp.CSS("#login")), chromedp.Click(chromedp.CSS("#login")))
		pinSignIn(f, email)
		waitJS(t, f, "the SPA shows the signed-in user", `!!document.querySelector("#user-email")`)
		if got := f.text("#user-email"); got != email {
			t.Fatalf("the SPA shows email %q, want %q", got, email)
		}
		// The code and state left the URL; no token is in web storage.
		storage := evalJS[string](t, f, "read the URL and web storage",
			`location.pathname + location.search + "|" + localStorage.length + "|" + sessionStorage.length + "|" + document.cookie`)
		if storage != "/|0|0|" {
			t.Fatalf("after sign-in: path+query|localStorage|sessionStorage|cookies = %q, want /|0|0|", storage)
		}
		sub := f.text("#user-sub")
		calls := 0
		callAPIFromSPA := func(what string) {
			t.Helper()
			f.do(what, chromedp.Click(chromedp.CSS("#call-api")))
			calls++
			waitJS(t, f, "the API answer is shown", fmt.Sprintf(`document.querySelector("#api-result")?.dataset.calls === "%d"`, calls))
			if got := f.text("#api-result"); !strings.HasPrefix(got, "200 ") || !strings.Contains(got, `"sub":"`+sub+`"`) {
				t.Fatalf("%s: the API answered %q, want 200 with sub %s", what, got, sub)
			}
		}
		callAPIFromSPA("call the API with the in-memory access token")
		f.do("refresh the tokens", chromedp.Click(chromedp.CSS("#refresh")))
		waitJS(t, f, "one refresh done", `document.querySelector("#refreshes")?.textContent === "1"`)
		f.do("refresh again (the rotated token)", chromedp.Click(chromedp.CSS("#refresh")))
		waitJS(t, f, "two refreshes done", `document.querySelector("#refreshes")?.textContent === "2"`)
		callAPIFromSPA("call the API with the refreshed access token")
		if got := f.text("body"); strings.Contains(got, "failed") {
			t.Fatalf("the SPA shows an error: %q", got)
		}
		// Sign out: the refresh token is revoked, the Authalla session ends,
		// and the browser comes back to the registered post-logout URI.
		f.requestsSeen() // forget the sign-in's requests
		f.do("sign out", chromedp.Click(chromedp.CSS("#logout")))
		var seen []string
		revoked, ended := false, false
		deadline := time.Now().Add(stepTimeout)
		for !(revoked && ended) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond) // requests are only observable by polling the recorder
			for _, u := range f.requestsSeen() {
				seen = append(seen, u)
				revoked = revoked || u == issuer+"/oauth2/revoke"
				ended = ended || strings.HasPrefix(u, issuer+"/oauth2/logout?")
			}
		}
		if !revoked || !ended {
			t.Fatalf("sign-out: revocation request %v, end-session redirect %v; want both (requests: %q)", revoked, ended, seen)
		}
		waitJS(t, f, "back in the SPA, signed out", fmt.Sprintf(
			`location.href === %q && document.readyState === "complete" && !!document.querySelector("#login")`, spaURL+"/"))
		f.checkConsole()
	})
}

// ctx30 bounds one wait of the test to 30 seconds.
func ctx30(ctx context.Context, t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// loopbackURL is a fresh origin on 127.0.0.1.
func loopbackURL(t *testing.T) string {
	t.Helper()
	return fmt.Sprintf("http://127.0.0.1:%d", freePort(t))
}

// setEnv fills in variables of a generated environment file (the secrets
// it leaves empty, and optional settings), keeping every other line.
func setEnv(t *testing.T, dir, name string, values map[string]string) {
	t.Helper()
	path := filepath.Join(dir, name)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(raw), "\n")
	for key, value := range values {
		found := false
		for i, line := range lines {
			if strings.HasPrefix(line, key+"=") {
				lines[i], found = key+"="+value, true
			}
		}
		if !found {
			t.Fatalf("%s has no %s line", name, key)
		}
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// npmInstall installs the generated package.json of each directory, in
// parallel, from the npm registry (the local cache first).
func npmInstall(ctx context.Context, t *testing.T, dirs ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]string, len(dirs))
	for i, dir := range dirs {
		wg.Go(func() {
			cmd := exec.CommandContext(ctx, "npm", "install", "--no-audit", "--no-fund", "--prefer-offline")
			cmd.Dir = dir
			cmd.WaitDelay = 10 * time.Second // npm's children may hold the output open
			if out, err := cmd.CombinedOutput(); err != nil {
				errs[i] = fmt.Sprintf("npm install in %s: %v\n%s", dir, err, tail(string(out), 4000))
			}
		})
	}
	wg.Wait()
	for _, e := range errs {
		if e != "" {
			t.Error(e)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// startGenerated starts a generated app in dir and waits until it says it
// listens (the Node apps) or is ready (Vite).
func startGenerated(ctx context.Context, t *testing.T, name, dir string, command ...string) *process {
	t.Helper()
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "BROWSER=none", "NEXT_TELEMETRY_DISABLED=1")
	marker := "listening on"
	switch name {
	case "react-spa":
		marker = "ready in"
	case "nextjs":
		marker = "Ready in"
	}
	// Dev servers (npm, next, vite) start children that inherit the output
	// pipes; the app gets its own process group so that all of them stop.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 5 * time.Second
	p := startProcess(t, name, cmd, marker)
	// Registered after startProcess's cleanup, so it runs first.
	t.Cleanup(func() {
		pgid := -cmd.Process.Pid
		_ = syscall.Kill(pgid, syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
		}
		_ = syscall.Kill(pgid, syscall.SIGKILL)
	})
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := p.waitMarker(ctx); err != nil {
		t.Fatal(err)
	}
	return p
}

// buildGenerated compiles a generated Go app into dir/app (resolving its
// modules through the module proxy or the local cache).
func buildGenerated(ctx context.Context, dir string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", "app", ".")
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build of the generated Go app: %v\n%s", err, out)
	}
	return nil
}

// readEnvFile returns a generated env file's assignments as NAME=value
// (quotes removed), the way `set -a; . ./.env` would export them.
func readEnvFile(t *testing.T, dir, name string) []string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(raw), "\n") {
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, k+"="+strings.Trim(v, `"`))
	}
	return out
}

// runGenerated runs a generated script to completion and returns its output.
func runGenerated(ctx context.Context, t *testing.T, dir string, command ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, command[0], command[1:]...)
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(command, " "), err, out)
	}
	return string(out)
}

// callAPI calls the express-api app's protected route, with a bearer token
// unless token is empty, and returns the status, the JSON body and the
// WWW-Authenticate header.
func callAPI(ctx context.Context, t *testing.T, apiURL, token string) (int, map[string]any, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, apiURL+"/api/protected", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&body); err != nil {
		t.Fatalf("GET %s = %s: not a JSON object: %v", req.URL, resp.Status, err)
	}
	return resp.StatusCode, body, resp.Header.Get("WWW-Authenticate")
}

// clientCredentialsFor is clientCredentials with an RFC 8707 resource
// (empty: none, so the token's audience is the client's default).
func clientCredentialsFor(ctx context.Context, t *testing.T, issuer, clientID, secret, resource string) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	if resource != "" {
		form.Set("resource", resource)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(secret))
	status, body := doJSON(t, req)
	token, _ := body["access_token"].(string)
	if status != http.StatusOK || token == "" {
		t.Fatalf("client_credentials (resource %q) = %d %v", resource, status, body)
	}
	return token
}
