package e2e

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/authalla/authalla/internal/mail/mailtest"
)

// apiIdentifier is the resource server (audience) the Express app's
// middleware accepts; both tenants register an API with this identifier.
const apiIdentifier = "https://api.example.com"

// TestEndToEnd runs the built binary and drives it the way people and apps
// do: headless Chromium signs in on the hosted pages (PIN, then magic link)
// for the integration guide's Express app, whose middleware then accepts the
// access token and refuses a tampered one and one from another tenant; and
// an oauth4webapi relying party completes code + PKCE, rotates its refresh
// token twice and sees a replay revoke the whole family. It runs once on
// SQLite (the default) and once on PostgreSQL.
func TestEndToEnd(t *testing.T) {
	requireE2E(t)
	ctx, cancel := context.WithTimeout(t.Context(), 15*time.Minute)
	defer cancel()
	bin := buildBinary(ctx, t)
	ensureNodeModules(ctx, t)

	t.Run("SQLite", func(t *testing.T) { endToEnd(ctx, t, bin, "") })
	t.Run("PostgreSQL", func(t *testing.T) { endToEnd(ctx, t, bin, freshPostgres(t)) })
}

// endToEnd is the whole scenario against one server; databaseURL empty
// means SQLite in the server's data directory.
func endToEnd(ctx context.Context, t *testing.T, bin, databaseURL string) {
	mails := mailtest.Start(t)
	smtpHost, smtpPort := mails.Addr()
	srv := startServer(ctx, t, bin, databaseURL, smtpHost, smtpPort)

	// The tenant of the apps, its API, and the Express app's client.
	shop := srv.cli(ctx, t, "tenant", "create", "--id", "e2e-shop", "--name", "Shop", "--allow-registration", "--json")
	if got := str(t, shop, "id"); got != "e2e-shop" {
		t.Fatalf("tenant create: id = %q, want e2e-shop", got)
	}
	issuer := srv.url + "/t/e2e-shop" // the path issuer (Node cannot resolve *.localhost)
	srv.cli(ctx, t, "resource-server", "create", "--tenant", "e2e-shop", "--identifier", apiIdentifier, "--name", "Example API", "--json")

	appPort := freePort(t)
	appURL := fmt.Sprintf("http://127.0.0.1:%d", appPort)
	expressClient := srv.cli(ctx, t, "client", "create", "--tenant", "e2e-shop", "--name", "Express",
		"--type", "spa", "--redirect-uri", appURL+"/oauth/callback", "--default-resource-server", apiIdentifier, "--json")
	expressClientID := str(t, expressClient, "client_id")

	discovery := getJSON(ctx, t, issuer+"/.well-known/openid-configuration", http.StatusOK)
	if got := discovery["issuer"]; got != issuer {
		t.Fatalf("discovery issuer = %v, want %s", got, issuer)
	}

	startNode(ctx, t, "express-app", "express-app/server.mjs",
		"ISSUER="+issuer,
		"CLIENT_ID="+expressClientID,
		"REDIRECT_URI="+appURL+"/oauth/callback",
		"AUDIENCE="+apiIdentifier,
		fmt.Sprintf("PORT=%d", appPort),
	)

	browser := newBrowser(ctx, t)

	var accessToken string
	ok := t.Run("express sign-in with PIN", func(t *testing.T) {
		f := newFlow(t, browser, "pin")
		email := "alice@e2e.test"
		f.do("open the app's /login", chromedp.Navigate(appURL+"/login"))
		loginURL := f.waitPath("/oauth2/login")
		if !strings.HasPrefix(loginURL, issuer+"/oauth2/login") {
			t.Fatalf("login page at %s, want under %s", loginURL, issuer)
		}
		enterEmail(f, email)
		f.waitPath("/oauth2/pin-code")
		msg := waitMail(ctx, t, mails, email)
		pin := mailtest.ExtractPIN(msg.Text)
		if len(pin) != 6 {
			t.Fatalf("no 6-digit PIN in the mail:\n%s", msg.Text)
		}
		f.do("type the PIN",
			chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
		)
		f.waitPath("/app")
		if got := f.text("#email"); got != email {
			t.Fatalf("the app shows email %q, want %q", got, email)
		}
		accessToken = f.fetchAccessToken()
		f.checkConsole()
	})
	if !ok {
		return
	}

	t.Run("protected route accepts the access token", func(t *testing.T) {
		header, claims := decodeJWT(t, accessToken)
		if header["typ"] != "at+jwt" {
			t.Errorf("access token typ = %v, want at+jwt (RFC 9068 §2.1)", header["typ"])
		}
		if claims["iss"] != issuer || claims["tid"] != "e2e-shop" || claims["client_id"] != expressClientID {
			t.Errorf("access token iss/tid/client_id = %v/%v/%v, want %s/e2e-shop/%s",
				claims["iss"], claims["tid"], claims["client_id"], issuer, expressClientID)
		}
		if !audienceHas(claims["aud"], apiIdentifier) {
			t.Errorf("access token aud = %v, want %s (the client's default resource server)", claims["aud"], apiIdentifier)
		}
		status, body := callProtected(ctx, t, appURL, accessToken)
		if status != http.StatusOK || body["ok"] != true || body["sub"] != claims["sub"] {
			t.Fatalf("GET /api/protected = %d %v, want 200 with sub %v", status, body, claims["sub"])
		}
	})

	t.Run("protected route refuses a tampered token", func(t *testing.T) {
		tampered := tamperJWT(t, accessToken, func(claims map[string]any) { claims["sub"] = "someone-else" })
		status, body := callProtected(ctx, t, appURL, tampered)
		if status != http.StatusUnauthorized || body["error"] != "invalid_token" {
			t.Fatalf("GET /api/protected with a tampered token = %d %v, want 401 invalid_token", status, body)
		}
	})

	t.Run("protected route refuses another tenant's token", func(t *testing.T) {
		srv.cli(ctx, t, "tenant", "create", "--id", "e2e-other", "--name", "Other", "--json")
		otherIssuer := srv.url + "/t/e2e-other"
		srv.cli(ctx, t, "resource-server", "create", "--tenant", "e2e-other", "--identifier", apiIdentifier, "--name", "Example API", "--json")
		backend := srv.cli(ctx, t, "client", "create", "--tenant", "e2e-other", "--name", "Backend",
			"--type", "backend", "--default-resource-server", apiIdentifier, "--json")
		token := clientCredentials(ctx, t, otherIssuer, str(t, backend, "client_id"), str(t, backend, "client_secret"))
		_, claims := decodeJWT(t, token)
		// The token is for the same API identifier, so only the issuer and
		// the signing keys tell the tenants apart.
		if claims["iss"] != otherIssuer || claims["tid"] != "e2e-other" || !audienceHas(claims["aud"], apiIdentifier) {
			t.Fatalf("other tenant's token iss/tid/aud = %v/%v/%v", claims["iss"], claims["tid"], claims["aud"])
		}
		status, body := callProtected(ctx, t, appURL, token)
		if status != http.StatusUnauthorized || body["error"] != "invalid_token" {
			t.Fatalf("GET /api/protected with another tenant's token = %d %v, want 401 invalid_token", status, body)
		}
	})

	t.Run("login pages load only same-origin content (SECURITY 29)", func(t *testing.T) {
		testNoThirdPartyContent(t, browser, srv.url, authorizeURL(issuer, expressClientID, appURL+"/oauth/callback"), "dave@e2e.test")
	})

	t.Run("a cross-origin page cannot frame the login page (SECURITY 28)", func(t *testing.T) {
		testLoginNotFramable(t, browser, authorizeURL(issuer, expressClientID, appURL+"/oauth/callback"))
	})

	t.Run("express sign-in with the magic link", func(t *testing.T) {
		f := newFlow(t, browser, "magic-link")
		email := "bob@e2e.test"
		f.do("open the app's /login", chromedp.Navigate(appURL+"/login"))
		f.waitPath("/oauth2/login")
		enterEmail(f, email)
		f.waitPath("/oauth2/pin-code")
		msg := waitMail(ctx, t, mails, email)
		link := mailtest.ExtractLink(msg.Text)
		if !strings.HasPrefix(link, issuer+"/oauth2/magic-link?") {
			t.Fatalf("magic link %q is not under %s/oauth2/magic-link:\n%s", link, issuer, msg.Text)
		}
		f.do("open the magic link", chromedp.Navigate(link))
		f.do("press Continue",
			chromedp.WaitVisible(`//button[contains(normalize-space(.), "Continue")]`),
			chromedp.Click(`//button[contains(normalize-space(.), "Continue")]`),
		)
		f.waitPath("/app")
		if got := f.text("#email"); got != email {
			t.Fatalf("the app shows email %q, want %q", got, email)
		}
		// The link works once (PRODUCT §2): afterwards it is refused.
		if status := getStatus(ctx, t, link); status != http.StatusBadRequest {
			t.Fatalf("GET the used magic link = %d, want 400", status)
		}
		f.checkConsole()
	})

	t.Run("oauth4webapi code + PKCE, rotation, replay revokes the family", func(t *testing.T) {
		rpPort := freePort(t)
		rpURL := fmt.Sprintf("http://127.0.0.1:%d", rpPort)
		rpClient := srv.cli(ctx, t, "client", "create", "--tenant", "e2e-shop", "--name", "oauth4webapi RP",
			"--type", "spa", "--redirect-uri", rpURL+"/callback", "--json")
		startNode(ctx, t, "oauth4webapi-rp", "oauth4webapi-rp.mjs",
			"ISSUER="+issuer,
			"CLIENT_ID="+str(t, rpClient, "client_id"),
			"REDIRECT_URI="+rpURL+"/callback",
			fmt.Sprintf("PORT=%d", rpPort),
		)
		f := newFlow(t, browser, "oauth4webapi")
		email := "carol@e2e.test"
		f.do("open the RP's /start", chromedp.Navigate(rpURL+"/start"))
		f.waitPath("/oauth2/login")
		enterEmail(f, email)
		f.waitPath("/oauth2/pin-code")
		pin := mailtest.ExtractPIN(waitMail(ctx, t, mails, email).Text)
		f.do("type the PIN",
			chromedp.WaitVisible(chromedp.CSS(`input[name="pin"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="pin"]`), pin+kb.Enter),
		)
		f.waitPath("/callback")
		result := getJSON(ctx, t, rpURL+"/result", http.StatusOK)
		if result["done"] != true || result["ok"] != true {
			t.Fatalf("oauth4webapi RP result: %v", result)
		}
		if result["email"] != email {
			t.Errorf("ID token email = %v, want %s", result["email"], email)
		}
		t.Logf("oauth4webapi RP steps: %v", result["steps"])
		f.checkConsole()
	})
}

// enterEmail types the address into the hosted login page and submits it.
func enterEmail(f *flow, email string) {
	f.t.Helper()
	f.do("enter the email",
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email+kb.Enter),
	)
}

// waitMail waits (bounded) for the next mail to the address.
func waitMail(ctx context.Context, t *testing.T, mails *mailtest.Server, to string) mailtest.Received {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	msg, err := mails.WaitFor(ctx, to)
	if err != nil {
		t.Fatalf("no mail to %s: %v", to, err)
	}
	return msg
}

// fetchAccessToken asks the Express app, from inside the signed-in tab (so
// with its session cookie), for the session's access token.
func (f *flow) fetchAccessToken() string {
	f.t.Helper()
	ctx, cancel := context.WithTimeout(f.ctx, stepTimeout)
	defer cancel()
	body, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`fetch('/debug/access-token').then(r => r.text())`, chromedp.EvalAwaitPromise))
	if err != nil {
		f.t.Fatalf("fetch /debug/access-token: %v", err)
	}
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal([]byte(body), &out); err != nil || out.AccessToken == "" {
		f.t.Fatalf("/debug/access-token answered %q", body)
	}
	return out.AccessToken
}

// callProtected calls the Express app's protected route with a bearer token.
func callProtected(ctx context.Context, t *testing.T, appURL, token string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, appURL+"/api/protected", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return doJSON(t, req)
}

// clientCredentials obtains an access token with the client_credentials
// grant at the tenant's token endpoint (from its discovery document),
// authenticating with client_secret_basic (RFC 6749 §2.3.1: form-encoded
// id and secret).
func clientCredentials(ctx context.Context, t *testing.T, issuer, clientID, clientSecret string) string {
	t.Helper()
	meta := getJSON(ctx, t, issuer+"/.well-known/openid-configuration", http.StatusOK)
	endpoint, _ := meta["token_endpoint"].(string)
	if !strings.HasPrefix(endpoint, issuer+"/") {
		t.Fatalf("token_endpoint %q is not under %s", endpoint, issuer)
	}
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(clientID), url.QueryEscape(clientSecret))
	status, body := doJSON(t, req)
	token, _ := body["access_token"].(string)
	if status != http.StatusOK || token == "" || body["token_type"] != "Bearer" {
		t.Fatalf("client_credentials at %s = %d %v", endpoint, status, body)
	}
	return token
}

// getJSON fetches a JSON object and checks the status.
func getJSON(ctx context.Context, t *testing.T, u string, want int) map[string]any {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, body := doJSON(t, req)
	if status != want {
		t.Fatalf("GET %s = %d %v, want %d", u, status, body, want)
	}
	return body
}

// getStatus fetches u without cookies and returns the status code.
func getStatus(ctx context.Context, t *testing.T, u string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode
}

var httpClient = &http.Client{Timeout: 20 * time.Second}

// doJSON sends req and decodes a JSON object answer.
func doJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	resp, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		t.Fatalf("%s %s: read body: %v", req.Method, req.URL, err)
	}
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("%s %s = %s: not a JSON object: %q", req.Method, req.URL, resp.Status, raw)
	}
	return resp.StatusCode, body
}

// decodeJWT returns a compact JWS's header and payload without verifying
// it (the relying parties under test do the verifying).
func decodeJWT(t *testing.T, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWS: %d parts", len(parts))
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("JWS part %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("JWS part %d: %v", i, err)
		}
	}
	return header, claims
}

// tamperJWT changes the payload of a signed token and keeps its signature.
func tamperJWT(t *testing.T, token string, change func(map[string]any)) string {
	t.Helper()
	_, claims := decodeJWT(t, token)
	change(claims)
	raw, err := json.Marshal(claims)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString(raw)
	return strings.Join(parts, ".")
}

// audienceHas reports whether a JWT aud claim (string or array) holds want.
func audienceHas(aud any, want string) bool {
	switch v := aud.(type) {
	case string:
		return v == want
	case []any:
		return slices.Contains(v, any(want))
	}
	return false
}
