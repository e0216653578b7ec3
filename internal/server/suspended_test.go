package server_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// suspendedCall is one request on a tenant's issuer.
type suspendedCall struct {
	name         string
	method, path string
	form         url.Values
	basic        bool   // client_secret_basic as shop-app
	bearer       string // Authorization: Bearer
	// wantStatus and what the body must hold once the tenant is suspended.
	wantStatus int
	wantJSON   map[string]any // exact members of a JSON body (nil: an HTML page)
	// liveStatus is the status while the tenant is active (0: not checked).
	liveStatus int
}

// TestSuspendedTenantRefusesEveryEndpoint: once a tenant is suspended, every
// endpoint family of its issuer, in host and path form, refuses — JSON
// endpoints with 403 access_denied, introspection with active=false,
// userinfo with 401 invalid_token, hosted pages with an HTML 403 — while the
// admin tenant and other tenants serve; resume brings back the same tokens.
func TestSuspendedTenantRefusesEveryEndpoint(t *testing.T) {
	s := newStack(t)
	issuer, secret := s.tenantWithClient(t, "paused")
	s.tenantWithClient(t, "neighbour")
	robot, err := s.manage.CreateClient(s.ctx, "paused", manage.ClientInput{ID: "robot", Name: "Robot", Type: idp.ClientBackend, DefaultResourceServer: manage.ManagementAPI})
	if err != nil {
		t.Fatal(err)
	}
	machine := formToken(t, issuer+"/oauth2/token", url.Values{"grant_type": {"client_credentials"}, "resource": {manage.ManagementAPI}}, "robot", robot.Secret.Value)

	// A user's access token, through the hosted pages.
	conf := oauth2.Config{ClientID: "shop-app", ClientSecret: secret, RedirectURL: rpCallback, Scopes: []string{"openid", "email"},
		Endpoint: oauth2.Endpoint{AuthURL: issuer + "/oauth2/authorize", TokenURL: issuer + "/oauth2/token", AuthStyle: oauth2.AuthStyleInHeader}}
	verifier := oauth2.GenerateVerifier()
	authURL := conf.AuthCodeURL("st", oauth2.S256ChallengeOption(verifier))
	cb := s.signIn(t, browser(t), authURL, "person@example.com")
	tok, err := conf.Exchange(s.ctx, cb.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	userToken := tok.AccessToken

	denied := map[string]any{"error": "access_denied", "error_description": "tenant is suspended"}
	calls := []suspendedCall{
		{name: "discovery", method: "GET", path: "/.well-known/openid-configuration", wantStatus: 403, wantJSON: denied, liveStatus: 200},
		{name: "RFC 8414 metadata", method: "GET", path: "/.well-known/oauth-authorization-server", wantStatus: 403, wantJSON: denied, liveStatus: 200},
		{name: "JWKS", method: "GET", path: "/.well-known/jwks.json", wantStatus: 403, wantJSON: denied, liveStatus: 200},
		{name: "authorize", method: "GET", path: "/oauth2/authorize?" + strings.SplitN(authURL, "?", 2)[1], wantStatus: 403},
		{name: "token", method: "POST", path: "/oauth2/token", form: url.Values{"grant_type": {"client_credentials"}}, basic: true, wantStatus: 403, wantJSON: denied},
		{name: "introspect", method: "POST", path: "/oauth2/introspect", form: url.Values{"token": {userToken}}, basic: true,
			wantStatus: 200, wantJSON: map[string]any{"active": false}, liveStatus: 200},
		{name: "userinfo", method: "GET", path: "/oauth2/userinfo", bearer: userToken,
			wantStatus: 401, wantJSON: map[string]any{"error": "invalid_token", "error_description": "tenant is suspended"}, liveStatus: 200},
		{name: "revoke", method: "POST", path: "/oauth2/revoke", form: url.Values{"token": {"x"}}, basic: true, wantStatus: 403, wantJSON: denied},
		{name: "login page", method: "GET", path: "/oauth2/login", wantStatus: 403},
		{name: "start page", method: "GET", path: "/", wantStatus: 403},
		{name: "management API with a machine token", method: "GET", path: "/api/v1/users", bearer: machine, wantStatus: 403, wantJSON: denied, liveStatus: 200},
	}
	hostIssuer, err := url.Parse(s.srv.Resolver().HostIssuer("paused"))
	if err != nil {
		t.Fatal(err)
	}
	forms := []struct {
		name, base, host string
	}{
		{"path issuer", issuer, ""},
		{"host issuer", s.url, hostIssuer.Host},
	}
	run := func(t *testing.T, c suspendedCall, base, host string) (*http.Response, []byte) {
		t.Helper()
		var body io.Reader
		if c.form != nil {
			body = strings.NewReader(c.form.Encode())
		}
		req, err := http.NewRequest(c.method, base+c.path, body)
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		if c.form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if c.basic {
			req.SetBasicAuth("shop-app", secret)
		}
		if c.bearer != "" {
			req.Header.Set("Authorization", "Bearer "+c.bearer)
		}
		resp, err := noFollow.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	live := func(t *testing.T, when string) {
		for _, f := range forms {
			for _, c := range calls {
				// Tokens are bound to the (path) issuer that issued them.
				tokenBound := c.bearer != "" || c.name == "introspect"
				if c.liveStatus == 0 || (tokenBound && f.host != "") {
					continue
				}
				resp, b := run(t, c, f.base, f.host)
				if resp.StatusCode != c.liveStatus || (c.name == "introspect" && !strings.Contains(string(b), `"active":true`)) {
					t.Fatalf("%s, %s, %s: %d %s", when, f.name, c.name, resp.StatusCode, b)
				}
			}
		}
	}
	live(t, "before the suspension")

	if _, err := s.manage.SuspendTenant(s.ctx, "paused"); err != nil {
		t.Fatal(err)
	}
	for _, f := range forms {
		for _, c := range calls {
			t.Run(f.name+"/"+c.name, func(t *testing.T) {
				resp, b := run(t, c, f.base, f.host)
				if resp.StatusCode != c.wantStatus {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.wantStatus, b)
				}
				if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
					t.Errorf("Cache-Control %q", cc)
				}
				if c.wantJSON == nil {
					if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(b), "suspended") {
						t.Fatalf("want an HTML page that says so: %s\n%.500s", ct, b)
					}
					return
				}
				var got map[string]any
				if err := json.Unmarshal(b, &got); err != nil {
					t.Fatalf("not JSON: %s", b)
				}
				if len(got) != len(c.wantJSON) {
					t.Fatalf("body %v, want %v", got, c.wantJSON)
				}
				for k, v := range c.wantJSON {
					if got[k] != v {
						t.Fatalf("body %v, want %v", got, c.wantJSON)
					}
				}
				if c.wantStatus == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `error="invalid_token"`) {
					t.Fatalf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
				}
			})
		}
	}
	// RFC 8414 §3.1's location of a path issuer's metadata.
	if resp, _ := get(t, noFollow, s.url+"/.well-known/oauth-authorization-server/t/paused"); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("RFC 8414 §3.1 location: %d", resp.StatusCode)
	}
	// The control plane and other tenants serve.
	for _, u := range []string{s.url + "/.well-known/openid-configuration", s.url + "/t/neighbour/.well-known/jwks.json"} {
		if resp, _ := get(t, noFollow, u); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s while another tenant is suspended: %d", u, resp.StatusCode)
		}
	}

	if _, err := s.manage.ResumeTenant(s.ctx, "paused"); err != nil {
		t.Fatal(err)
	}
	live(t, "after the resumption") // the same tokens are active again
}

// noFollow shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// formToken runs a token request with client_secret_basic and returns the
// access token.
func formToken(t *testing.T, endpoint string, v url.Values, id, secret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(secret))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != http.StatusOK || body.AccessToken == "" {
		t.Fatalf("token at %s: %d %v", endpoint, resp.StatusCode, err)
	}
	return body.AccessToken
}
