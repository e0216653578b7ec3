package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestRegisterNativeClient: RFC 7591 §3.2.1 client information response
// for a public client, and what is stored.
func TestRegisterNativeClient(t *testing.T) {
	h := regHarness(t)
	iss := h.Issuer(oauthtest.AdminTenant)
	md := nativeMetadata("http://127.0.0.1:33418/callback", "http://localhost/cb")
	md["client_uri"], md["software_id"], md["software_version"], md["logo_uri"] = "https://claude.ai", "claude-code", "2.0", "https://claude.ai/logo.png"
	md["scope"], md["application_type"], md["client_id"] = "mcp:read offline_access", "native", "chosen-by-client"
	md["subject_type"], md["contacts"], md["client_name#ja"] = "public", []string{"dev@example.com"}, "クロード"
	r := wantRegistered(t, register(t, h, md))
	id := r.str("client_id")
	if id == "chosen-by-client" {
		t.Fatalf("the client chose its client_id (SECURITY-TESTS 46)")
	}
	if r.str("registration_client_uri") != iss+"/oauth2/register/"+id || r.header.Get("Location") != r.str("registration_client_uri") {
		t.Errorf("registration_client_uri %q, Location %q", r.str("registration_client_uri"), r.header.Get("Location"))
	}
	if got, _ := r.json["client_id_issued_at"].(float64); int64(got) != h.Clock.Now().Unix() {
		t.Errorf("client_id_issued_at = %v", r.json["client_id_issued_at"])
	}
	if _, ok := r.json["client_secret"]; ok {
		t.Errorf("a public client got a secret")
	}
	if _, ok := r.json["client_secret_expires_at"]; ok {
		t.Errorf("client_secret_expires_at without a secret")
	}
	want := map[string]string{"token_endpoint_auth_method": "none", "client_name": "Claude Code", "client_uri": "https://claude.ai", "application_type": "native"}
	for k, v := range want {
		if r.str(k) != v {
			t.Errorf("%s = %q, want %q", k, r.str(k), v)
		}
	}
	list := func(k string) []string {
		var out []string
		for _, v := range r.json[k].([]any) {
			out = append(out, v.(string))
		}
		return out
	}
	if got := list("redirect_uris"); !slices.Equal(got, []string{"http://127.0.0.1:33418/callback", "http://localhost/cb"}) {
		t.Errorf("redirect_uris = %q", got)
	}
	if got := list("grant_types"); !slices.Equal(got, []string{"authorization_code", "refresh_token"}) {
		t.Errorf("grant_types = %q", got)
	}
	if got := list("response_types"); !slices.Equal(got, []string{"code"}) {
		t.Errorf("response_types = %q", got)
	}
	if r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control = %q", r.header.Get("Cache-Control"))
	}
	c := h.Client(t, oauthtest.AdminTenant, id)
	if !c.Dynamic || !c.ThirdParty || !c.RequireConsent || c.RefreshGraceSeconds != 60 || c.Type != "native" || len(c.Scopes) != 0 {
		t.Errorf("stored client %+v", c)
	}
}

// TestRegisterConfidentialClient: client_secret_basic (the RFC 7591 §2
// default) and client_secret_post get a secret that authenticates at the
// token endpoint; client_credentials stays refused for such a client.
func TestRegisterConfidentialClient(t *testing.T) {
	h := regHarness(t)
	for _, method := range []string{"", "client_secret_basic", "client_secret_post"} {
		t.Run("method "+method, func(t *testing.T) {
			regNextWindow(h)
			md := map[string]any{"client_name": "Claude", "redirect_uris": []string{"https://claude.ai/api/mcp/auth_callback"}}
			if method != "" {
				md["token_endpoint_auth_method"] = method
			}
			r := wantRegistered(t, register(t, h, md))
			wantMethod := method
			if wantMethod == "" {
				wantMethod = "client_secret_basic"
			}
			if r.str("token_endpoint_auth_method") != wantMethod || r.str("application_type") != "web" {
				t.Errorf("method %q, application_type %q", r.str("token_endpoint_auth_method"), r.str("application_type"))
			}
			if exp, ok := r.json["client_secret_expires_at"].(float64); !ok || exp != 0 {
				t.Errorf("client_secret_expires_at = %v, want 0", r.json["client_secret_expires_at"])
			}
			id, sec := r.str("client_id"), r.str("client_secret")
			if sec == "" {
				t.Fatalf("no secret")
			}
			a := basicAuth(id, sec)
			if method == "client_secret_post" {
				a = postAuth(id, sec)
			}
			// The secret authenticates (not invalid_client), and the grant
			// is not the client's to use.
			cc := url.Values{"grant_type": {"client_credentials"}}
			wantError(t, tokenReq(t, h, oauthtest.AdminTenant, cc, a), http.StatusBadRequest, "unauthorized_client")
			wantError(t, tokenReq(t, h, oauthtest.AdminTenant, cc, basicAuth(id, sec+"x")), http.StatusUnauthorized, "invalid_client")
		})
	}
}

// TestSecRegisterRedirectURIs: SECURITY-TESTS 46. The redirect URIs real
// assistants register are accepted; dangerous or malformed ones are
// refused with invalid_redirect_uri (RFC 7591 §3.2.2) and nothing is
// stored.
func TestSecRegisterRedirectURIs(t *testing.T) {
	h := regHarness(t)
	for _, uri := range []string{
		"http://127.0.0.1:33418/callback",
		"http://localhost/cb",
		"http://[::1]:8080/cb",
		"cursor://anysphere.cursor-retrieval/oauth/callback",
		"vscode://vscode.github-authentication/did-authenticate",
		"https://vscode.dev/redirect",
		"https://claude.ai/api/mcp/auth_callback",
	} {
		t.Run("accept "+uri, func(t *testing.T) {
			regNextWindow(h)
			wantRegistered(t, register(t, h, nativeMetadata(uri)))
		})
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "http://127.0.0.1/cb" + strconv.Itoa(i)
	}
	refused := map[string][]string{
		"javascript":         {"javascript:alert(document.domain)"},
		"javascript slashes": {"javascript://claude.ai/%0aalert(1)"},
		"data":               {"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="},
		"file":               {"file:///etc/passwd"},
		"vbscript":           {"vbscript:msgbox(1)"},
		"about":              {"about:blank"},
		"blob":               {"blob:https://claude.ai/5f1c"},
		"fragment":           {"https://claude.ai/api/mcp/auth_callback#x"},
		"empty fragment":     {"http://127.0.0.1/cb#"},
		"userinfo":           {"https://claude.ai@evil.example/cb"},
		"userinfo loopback":  {"http://evil:x@127.0.0.1/cb"},
		"http":               {"http://claude.ai/api/mcp/auth_callback"},
		"http lookalike":     {"http://localhost.evil.example/cb"},
		"relative":           {"/api/mcp/auth_callback"},
		"scheme-relative":    {"//claude.ai/cb"},
		"too many":           eleven,
		"too long":           {"https://claude.ai/" + strings.Repeat("a", 600)},
		"missing":            nil,
		"bad among good":     {"http://127.0.0.1/cb", "data:,x"},
	}
	before := clientCount(t, h)
	for name, uris := range refused {
		t.Run("refuse "+name, func(t *testing.T) {
			regNextWindow(h)
			md := nativeMetadata(uris...)
			if uris == nil {
				delete(md, "redirect_uris")
			}
			r := register(t, h, md)
			wantError(t, r, http.StatusBadRequest, "invalid_redirect_uri")
			if strings.ContainsAny(r.str("error_description"), "\r\n\t") {
				t.Errorf("error_description with control characters: %q", r.str("error_description"))
			}
		})
	}
	if after := clientCount(t, h); after != before {
		t.Errorf("refused registrations stored %d clients", after-before)
	}
}

// clientCount is the number of clients of the admin tenant.
func clientCount(t *testing.T, h *oauthtest.Harness) int {
	t.Helper()
	_, n, err := h.Store.ListClients(context.Background(), oauthtest.AdminTenant, idp.Page{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRegisterMetadataRefused: metadata we do not support is refused with
// invalid_client_metadata (RFC 7591 §3.2.2), including a client that asks
// for client_credentials.
func TestRegisterMetadataRefused(t *testing.T) {
	h := regHarness(t)
	cases := map[string]func(map[string]any){
		"client_credentials":      func(m map[string]any) { m["grant_types"] = []string{"client_credentials"} },
		"code and cc":             func(m map[string]any) { m["grant_types"] = []string{"authorization_code", "client_credentials"} },
		"implicit":                func(m map[string]any) { m["grant_types"] = []string{"implicit"} },
		"password":                func(m map[string]any) { m["grant_types"] = []string{"authorization_code", "password"} },
		"refresh only":            func(m map[string]any) { m["grant_types"] = []string{"refresh_token"} },
		"token response":          func(m map[string]any) { m["response_types"] = []string{"token"} },
		"hybrid response":         func(m map[string]any) { m["response_types"] = []string{"code id_token"} },
		"private_key_jwt":         func(m map[string]any) { m["token_endpoint_auth_method"] = "private_key_jwt" },
		"application_type":        func(m map[string]any) { m["application_type"] = "service" },
		"pairwise":                func(m map[string]any) { m["subject_type"] = "pairwise" },
		"sector_identifier_uri":   func(m map[string]any) { m["sector_identifier_uri"] = "https://evil.example/sector.json" },
		"bad scope":               func(m map[string]any) { m["scope"] = "mcp:read \"x\"" },
		"redirect_uris as string": func(m map[string]any) { m["redirect_uris"] = "http://127.0.0.1/cb" },
		"client_name as number":   func(m map[string]any) { m["client_name"] = 7 },
		"long name":               func(m map[string]any) { m["client_name"] = strings.Repeat("n", 101) },
		"client_uri http":         func(m map[string]any) { m["client_uri"] = "http://claude.ai" },
		"client_uri javascript":   func(m map[string]any) { m["client_uri"] = "javascript:alert(1)" },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			regNextWindow(h)
			md := nativeMetadata("http://127.0.0.1/cb")
			mutate(md)
			wantError(t, register(t, h, md), http.StatusBadRequest, "invalid_client_metadata")
		})
	}
	for name, body := range map[string]string{"not JSON": "redirect_uris=x", "array": `["x"]`, "trailing": `{"redirect_uris":["http://127.0.0.1/cb"],"token_endpoint_auth_method":"none"} {}`} {
		t.Run(name, func(t *testing.T) {
			regNextWindow(h)
			wantError(t, regSend(t, h, oauthtest.AdminTenant, http.MethodPost, "/oauth2/register", "application/json", []byte(body), ""), http.StatusBadRequest, "invalid_client_metadata")
		})
	}
	t.Run("form content type", func(t *testing.T) {
		r := regSend(t, h, oauthtest.AdminTenant, http.MethodPost, "/oauth2/register", "application/x-www-form-urlencoded", []byte(`{"redirect_uris":["http://127.0.0.1/cb"]}`), "")
		wantError(t, r, http.StatusBadRequest, "invalid_client_metadata")
	})
}

// TestSecRegisterOnlyAdminTenant: registration exists on the admin tenant
// only, and only with a Registrar; elsewhere the endpoints are 404 and
// discovery names none.
func TestSecRegisterOnlyAdminTenant(t *testing.T) {
	h := regHarness(t)
	md := nativeMetadata("http://127.0.0.1/cb")
	for _, tid := range []string{oauthtest.TenantA, oauthtest.TenantB} {
		if r := registerAt(t, h, tid, md); r.status != http.StatusNotFound {
			t.Errorf("%s: POST register = %d %s, want 404", tid, r.status, r.raw)
		}
		for _, m := range []string{http.MethodGet, http.MethodDelete, http.MethodPut} {
			if r := regSend(t, h, tid, m, "/oauth2/register/"+oauthtest.NativeClient, "", nil, "x"); r.status != http.StatusNotFound {
				t.Errorf("%s: %s registration = %d, want 404", tid, m, r.status)
			}
		}
		if d := fetchDiscovery(t, h, h.Issuer(tid)+"/.well-known/openid-configuration"); d.RegistrationEndpoint != "" {
			t.Errorf("%s advertises registration_endpoint %q", tid, d.RegistrationEndpoint)
		}
	}
	// Without a Registrar there is no registration on the admin tenant.
	off := newDerivedHarness(t)
	if r := register(t, off, md); r.status != http.StatusNotFound {
		t.Errorf("admin without a Registrar: %d, want 404", r.status)
	}
	if d := fetchDiscovery(t, off, off.Issuer(oauthtest.AdminTenant)+"/.well-known/oauth-authorization-server"); d.RegistrationEndpoint != "" {
		t.Errorf("admin without a Registrar advertises %q", d.RegistrationEndpoint)
	}
}

// TestSecRegisterRateLimit: SECURITY-TESTS 46. Registration attempts
// from one address, refused ones included, are limited per window; the
// 429 carries Retry-After and the limit lifts when the window ends.
func TestSecRegisterRateLimit(t *testing.T) {
	h := regHarness(t)
	bad := nativeMetadata("javascript:alert(1)")
	for i := 0; i < 20; i++ {
		md := nativeMetadata("http://127.0.0.1/cb")
		if i%2 == 1 {
			md = bad
		}
		if r := register(t, h, md); r.status == http.StatusTooManyRequests {
			t.Fatalf("attempt %d throttled", i+1)
		}
	}
	r := register(t, h, nativeMetadata("http://127.0.0.1/cb"))
	if r.status != http.StatusTooManyRequests {
		t.Fatalf("21st attempt: %d %s, want 429", r.status, r.raw)
	}
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 600 {
		t.Errorf("Retry-After = %q", r.header.Get("Retry-After"))
	}
	h.Clock.Advance(time.Duration(secs) * time.Second)
	wantRegistered(t, register(t, h, nativeMetadata("http://127.0.0.1/cb")))
}

// TestSecRegisterBodyLimit: an oversized registration request is 413
// and stores nothing.
func TestSecRegisterBodyLimit(t *testing.T) {
	h := regHarness(t)
	before := clientCount(t, h)
	md := nativeMetadata("http://127.0.0.1/cb")
	md["client_name"] = "x"
	md["logo_uri"] = "https://claude.ai/" + strings.Repeat("a", 20<<10)
	r := register(t, h, md)
	if r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d %s, want 413", r.status, r.raw)
	}
	if clientCount(t, h) != before {
		t.Errorf("an oversized registration was stored")
	}
}

// TestSecRegistrationManagement: RFC 7592. Reading and deleting a
// registration needs its own registration access token; another
// client's token, a wrong or missing one, and an unknown client all get
// 401 (never 404), and updates are not supported.
func TestSecRegistrationManagement(t *testing.T) {
	h := regHarness(t)
	a := wantRegistered(t, register(t, h, nativeMetadata("http://127.0.0.1/a")))
	b := wantRegistered(t, register(t, h, map[string]any{"client_name": "Web", "redirect_uris": []string{"https://claude.ai/cb"}}))
	aID, aTok, bTok := a.str("client_id"), a.str("registration_access_token"), b.str("registration_access_token")
	path := "/oauth2/register/" + aID

	r := regSend(t, h, oauthtest.AdminTenant, http.MethodGet, path, "", nil, aTok)
	if r.status != http.StatusOK || r.str("client_id") != aID || r.str("registration_access_token") != aTok || r.str("registration_client_uri") != a.str("registration_client_uri") {
		t.Fatalf("read own registration: %d %s", r.status, r.raw)
	}
	rb := regSend(t, h, oauthtest.AdminTenant, http.MethodGet, "/oauth2/register/"+b.str("client_id"), "", nil, bTok)
	if rb.status != http.StatusOK || rb.str("token_endpoint_auth_method") != "client_secret_basic" || rb.str("client_secret") != "" {
		t.Errorf("read of a web client: %d %s (no secret: only its hash is kept)", rb.status, rb.raw)
	}

	unauthorized := func(name string, r *response) {
		t.Helper()
		if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
			t.Errorf("%s: %d %q %s, want 401 with a Bearer challenge", name, r.status, r.header.Get("WWW-Authenticate"), r.raw)
		}
		if strings.Contains(r.raw, "127.0.0.1/a") {
			t.Errorf("%s: the answer reveals the registration", name)
		}
	}
	for _, m := range []string{http.MethodGet, http.MethodDelete} {
		unauthorized(m+" with B's token", regSend(t, h, oauthtest.AdminTenant, m, path, "", nil, bTok))
		unauthorized(m+" with a wrong token", regSend(t, h, oauthtest.AdminTenant, m, path, "", nil, aTok[:len(aTok)-1]+"x"))
		unauthorized(m+" without a token", regSend(t, h, oauthtest.AdminTenant, m, path, "", nil, ""))
		unauthorized(m+" of an unknown client", regSend(t, h, oauthtest.AdminTenant, m, "/oauth2/register/nope", "", nil, aTok))
		unauthorized(m+" of a client registered by an administrator", regSend(t, h, oauthtest.AdminTenant, m, "/oauth2/register/"+oauthtest.NativeClient, "", nil, aTok))
	}
	req, _ := http.NewRequest(http.MethodGet, h.Issuer(oauthtest.AdminTenant)+path, nil)
	req.SetBasicAuth(aID, aTok)
	unauthorized("Basic scheme", send(t, req))

	if r := regSend(t, h, oauthtest.AdminTenant, http.MethodPut, path, "application/json", []byte(`{}`), aTok); r.status != http.StatusMethodNotAllowed || r.header.Get("Allow") != "GET, DELETE" {
		t.Errorf("PUT: %d Allow %q", r.status, r.header.Get("Allow"))
	}

	if r := regSend(t, h, oauthtest.AdminTenant, http.MethodDelete, path, "", nil, aTok); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	unauthorized("read after delete", regSend(t, h, oauthtest.AdminTenant, http.MethodGet, path, "", nil, aTok))
	// That was the tenth failure from this address (a missing token is
	// not one): it is blocked for a minute, even with a good token.
	if r := regSend(t, h, oauthtest.AdminTenant, http.MethodGet, "/oauth2/register/"+b.str("client_id"), "", nil, bTok); r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
		t.Errorf("after ten failures: %d, want 429 with Retry-After", r.status)
	}
	h.Clock.Advance(time.Minute)
	if r := regSend(t, h, oauthtest.AdminTenant, http.MethodGet, "/oauth2/register/"+b.str("client_id"), "", nil, bTok); r.status != http.StatusOK {
		t.Errorf("B went with A: %d", r.status)
	}
}
