package server_test

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/server"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// The relying party of these tests is a native app on loopback (RFC 8252
// §7.3): its registered redirect URI has no port, the one it sends has.
const (
	nativeRedirect = "http://localhost/callback"
	nativeSent     = "http://localhost:5555/callback"
	adminEmail     = "admin@example.com"
)

// docHost serves Client ID Metadata Documents over TLS on loopback and
// counts the requests.
type docHost struct {
	*httptest.Server
	mu   sync.Mutex
	hits int
	body func(id string) string
}

func newDocHost(t *testing.T) *docHost {
	d := &docHost{body: func(id string) string {
		return `{"client_id":"` + id + `","client_name":"Helper Agent","client_uri":"https://agent.example.org",
			"redirect_uris":["` + nativeRedirect + `"],"token_endpoint_auth_method":"none",
			"grant_types":["authorization_code","refresh_token"],"response_types":["code"]}`
	}}
	d.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits++
		body := d.body
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body("https://"+r.Host+r.URL.Path))
	}))
	t.Cleanup(d.Close)
	return d
}

func (d *docHost) count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits
}

// cimdStack is the whole server in-process with the metadata document
// setting on or off, documents fetched from docs (loopback allowed).
type cimdStack struct {
	url    string
	srv    *server.Server
	outbox *mail.Outbox
	manage *manage.Service
	ctx    context.Context
}

func newCIMDStack(t *testing.T, enabled bool, docs *docHost) *cimdStack {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := secret.NewSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	km := keys.New(keys.Options{Store: db, Sealer: sealer, Clock: idp.SystemClock{}})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"--public-url", "http://" + ln.Addr().String(), "--data-dir", t.TempDir()}
	if enabled {
		args = append(args, "--client-id-metadata-documents")
	}
	cfg, err := config.Load("serve", args, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	outbox := mail.NewOutbox(log)
	var srv *server.Server
	m := manage.New(manage.Options{Store: db, Keys: km, OnChange: func(ch idp.Change) {
		km.Invalidate(ch)
		if srv != nil {
			srv.Invalidate(ch)
		}
	}})
	pool := x509.NewCertPool()
	pool.AddCert(docs.Certificate())
	srv, err = server.New(server.Options{Config: cfg, Store: db, Keys: km, Mail: outbox, Log: log, Manage: m, Sealer: sealer,
		MetadataAddressPolicy: func(a netip.Addr) bool { return a.Unmap().IsLoopback() }, MetadataRootCAs: pool})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	hs.Listener.Close()
	hs.Listener = ln
	hs.Start()
	t.Cleanup(hs.Close)
	actx := manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	if _, err := m.Bootstrap(actx, manage.BootstrapInput{AdminEmail: adminEmail}); err != nil {
		t.Fatal(err)
	}
	return &cimdStack{url: hs.URL, srv: srv, outbox: outbox, manage: m, ctx: actx}
}

// nativeBrowser keeps cookies and stops at the native app's callback.
func nativeBrowser() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, Timeout: 10 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if req.URL.Hostname() == "localhost" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
}

// pkcePair returns a verifier and its S256 challenge (RFC 7636 §4.2).
func pkcePair() (verifier, challenge string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	verifier = base64.RawURLEncoding.EncodeToString(b)
	sum := sha256.Sum256([]byte(verifier))
	return verifier, base64.RawURLEncoding.EncodeToString(sum[:])
}

var checkedScopeRe = regexp.MustCompile(`<input type="checkbox" id="[^"]*" name="scope" value="([^"]+)" checked>`)

// authorizeToConsent signs email in from the authorization URL and returns
// the consent page.
func (s *cimdStack) authorizeToConsent(t *testing.T, c *http.Client, issuer, authURL, email string) (*http.Response, string) {
	t.Helper()
	resp, body := get(t, c, authURL)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/oauth2/login") {
		t.Fatalf("authorize did not lead to the login page: %d %s\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	v := formValues(t, body)
	v.Set("email", email)
	resp, body = post(t, c, resp.Request.URL.String(), v, s.url)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/oauth2/pin-code") {
		t.Fatalf("email step: %d %s", resp.StatusCode, resp.Request.URL)
	}
	s.srv.Drain()
	msg, ok := s.outbox.Last(email)
	if !ok {
		t.Fatal("no sign-in mail")
	}
	v = formValues(t, body)
	v.Set("pin", pinPattern.FindString(msg.Text))
	resp, body = post(t, c, resp.Request.URL.String(), v, s.url)
	if resp.StatusCode != 200 || !strings.Contains(resp.Request.URL.Path, "/oauth2/consent") {
		t.Fatalf("PIN step ended with %d at %s, want the consent page", resp.StatusCode, resp.Request.URL)
	}
	return resp, body
}

// approve posts the consent form with the given scopes checked and
// returns the code from the callback.
func (s *cimdStack) approve(t *testing.T, c *http.Client, consent *http.Response, body string, scopes []string) url.Values {
	t.Helper()
	v := formValues(t, body)
	v.Set("action", "approve")
	v["scope"] = scopes
	resp, _ := post(t, c, consent.Request.URL.String(), v, s.url)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve ended with %d at %s, want a 303 to the app", resp.StatusCode, resp.Request.URL)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Hostname() != "localhost" || loc.Query().Get("code") == "" {
		t.Fatalf("final redirect %q", resp.Header.Get("Location"))
	}
	return loc.Query()
}

// token posts to the token endpoint and decodes the JSON answer.
func token(t *testing.T, endpoint string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, out
}

func authorizeURL(issuer, clientID, scope, challenge string, extra url.Values) string {
	v := url.Values{"client_id": {clientID}, "redirect_uri": {nativeSent}, "response_type": {"code"},
		"scope": {scope}, "state": {"st-1"}, "code_challenge": {challenge}, "code_challenge_method": {"S256"}}
	for k, x := range extra {
		v[k] = x
	}
	return issuer + "/oauth2/authorize?" + v.Encode()
}

// TestClientIDMetadataDocumentFlow: with the setting on, an MCP-style
// client whose client_id is the URL of its metadata document signs a
// user in on the admin tenant, gets tokens and refreshes them, without
// registering; the document is fetched once.
func TestClientIDMetadataDocumentFlow(t *testing.T) {
	docs := newDocHost(t)
	s := newCIMDStack(t, true, docs)
	clientID := docs.URL + "/agent/client.json"

	_, disc := get(t, http.DefaultClient, s.url+"/.well-known/oauth-authorization-server")
	if !strings.Contains(disc, `"client_id_metadata_document_supported":true`) {
		t.Fatalf("admin discovery does not advertise metadata documents: %s", disc)
	}

	c := nativeBrowser()
	verifier, challenge := pkcePair()
	consent, body := s.authorizeToConsent(t, c, s.url, authorizeURL(s.url, clientID, "openid profile offline_access", challenge, nil), adminEmail)
	for _, want := range []string{"Helper Agent wants to access your account", "Helper Agent registered itself",
		"Its details are published by <strong>" + strings.TrimPrefix(docs.URL, "https://") + "</strong>",
		"It says its website is <strong>agent.example.org</strong>", "<strong>localhost:5555</strong>"} {
		if !strings.Contains(body, want) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	q := s.approve(t, c, consent, body, []string{"offline_access"}) // profile cleared
	if q.Get("state") != "st-1" || q.Get("iss") != s.url {
		t.Fatalf("callback = %v", q)
	}

	status, tok := token(t, s.url+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {nativeSent}, "client_id": {clientID}, "code_verifier": {verifier}})
	if status != 200 || tok["access_token"] == nil || tok["refresh_token"] == nil || tok["id_token"] == nil {
		t.Fatalf("token = %d, error %v %v", status, tok["error"], tok["error_description"])
	}
	if tok["scope"] != "openid offline_access" {
		t.Fatalf("token scope = %v, want the narrowed openid offline_access", tok["scope"])
	}
	claims := jwtClaims(t, tok["access_token"].(string))
	if claims["client_id"] != clientID {
		t.Fatalf("access token client_id = %v", claims["client_id"])
	}
	status, ref := token(t, s.url+"/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {tok["refresh_token"].(string)}, "client_id": {clientID}})
	if status != 200 || ref["access_token"] == nil || ref["refresh_token"] == nil || ref["refresh_token"] == tok["refresh_token"] {
		t.Fatalf("refresh = %d, error %v %v (a new refresh token is required)", status, ref["error"], ref["error_description"])
	}
	if n := docs.count(); n != 1 {
		t.Fatalf("the document was fetched %d times, want 1 (cached)", n)
	}
	// The client is an ordinary stored client now: listed, revocable.
	stored, err := s.manage.GetClient(s.ctx, manage.AdminTenantID, clientID)
	if err != nil || !stored.Dynamic || !stored.ThirdParty || stored.Type != idp.ClientNative || stored.RefreshGraceSeconds != 60 {
		t.Fatalf("stored client = %+v, %v", stored, err)
	}
	if err := s.manage.DeleteClient(s.ctx, manage.AdminTenantID, clientID); err != nil {
		t.Fatal(err)
	}
	status, _ = token(t, s.url+"/oauth2/token", url.Values{"grant_type": {"refresh_token"},
		"refresh_token": {ref["refresh_token"].(string)}, "client_id": {clientID}})
	if status != http.StatusBadRequest {
		t.Fatalf("refresh after the client was deleted = %d, want 400", status)
	}
}

// TestClientIDMetadataDocumentRefusedClearly: a document that breaks a
// rule stops the authorization request on an error page that says why
// (never a redirect to its unverified redirect URI), and the token
// endpoint answers invalid_client.
func TestClientIDMetadataDocumentRefusedClearly(t *testing.T) {
	docs := newDocHost(t)
	docs.body = func(id string) string {
		return `{"client_id":"` + id + `","redirect_uris":["` + nativeRedirect + `"],"token_endpoint_auth_method":"client_secret_basic"}`
	}
	s := newCIMDStack(t, true, docs)
	clientID := docs.URL + "/client.json"
	_, challenge := pkcePair()
	resp, body := get(t, nativeBrowser(), authorizeURL(s.url, clientID, "openid", challenge, nil))
	if resp.StatusCode != http.StatusBadRequest || resp.Request.URL.Hostname() == "localhost" ||
		!strings.Contains(body, "cannot use a shared secret") {
		t.Fatalf("authorize = %d at %s:\n%s", resp.StatusCode, resp.Request.URL, body)
	}
	status, out := token(t, s.url+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {"x"},
		"redirect_uri": {nativeSent}, "client_id": {clientID}, "code_verifier": {strings.Repeat("v", 43)}})
	if status != http.StatusUnauthorized || out["error"] != "invalid_client" || !strings.Contains(fmt.Sprint(out["error_description"]), "shared secret") {
		t.Fatalf("token = %d %v", status, out)
	}
	// Bad redirect URIs are refused by the registration rules.
	docs.mu.Lock()
	docs.body = func(id string) string {
		return `{"client_id":"` + id + `","redirect_uris":["javascript:alert(1)"]}`
	}
	docs.mu.Unlock()
	resp, body = get(t, nativeBrowser(), authorizeURL(s.url, docs.URL+"/js.json", "openid", challenge, url.Values{"redirect_uri": {"javascript:alert(1)"}}))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "redirect_uris") {
		t.Fatalf("bad redirect URIs: %d\n%s", resp.StatusCode, body)
	}
	if _, err := s.manage.GetClient(s.ctx, manage.AdminTenantID, docs.URL+"/js.json"); err == nil {
		t.Fatal("a client with a javascript: redirect URI was stored")
	}
}

// TestClientIDMetadataDocumentsOffByDefault: without the setting a URL
// client id is just an unknown client, nothing is fetched, and discovery
// does not advertise the feature; with it, customer tenants still do not
// resolve URL client ids.
func TestClientIDMetadataDocumentsOffByDefault(t *testing.T) {
	docs := newDocHost(t)
	_, challenge := pkcePair()
	off := newCIMDStack(t, false, docs)
	resp, body := get(t, nativeBrowser(), authorizeURL(off.url, docs.URL+"/client.json", "openid", challenge, nil))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is not registered") {
		t.Fatalf("authorize with the setting off = %d\n%s", resp.StatusCode, body)
	}
	if _, disc := get(t, http.DefaultClient, off.url+"/.well-known/openid-configuration"); strings.Contains(disc, "client_id_metadata_document") {
		t.Fatalf("discovery advertises metadata documents with the setting off: %s", disc)
	}

	on := newCIMDStack(t, true, docs)
	if _, err := on.manage.CreateTenant(on.ctx, manage.TenantInput{ID: "shop", Name: "Shop"}); err != nil {
		t.Fatal(err)
	}
	resp, body = get(t, nativeBrowser(), authorizeURL(on.url+"/t/shop", docs.URL+"/client.json", "openid", challenge, nil))
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "is not registered") {
		t.Fatalf("authorize on a customer tenant = %d\n%s", resp.StatusCode, body)
	}
	if _, disc := get(t, http.DefaultClient, on.url+"/t/shop/.well-known/openid-configuration"); strings.Contains(disc, "client_id_metadata_document") {
		t.Fatalf("a customer tenant advertises metadata documents: %s", disc)
	}
	if n := docs.count(); n != 0 {
		t.Fatalf("%d documents fetched, want none", n)
	}
}

// TestConsentNarrowsIssuedScopes: the user clears one of the requested
// API scopes on the consent page; the code and the tokens carry only what
// was left checked.
func TestConsentNarrowsIssuedScopes(t *testing.T) {
	docs := newDocHost(t)
	s := newCIMDStack(t, false, docs)
	if _, err := s.manage.CreateTenant(s.ctx, manage.TenantInput{ID: "shop", Name: "Shop", AllowRegistration: true}); err != nil {
		t.Fatal(err)
	}
	const api = "https://mcp.shop.example"
	if _, err := s.manage.CreateResourceServer(s.ctx, "shop", manage.ResourceServerInput{Identifier: api, Name: "Shop MCP", ScopePrefix: "mcp:",
		Scopes: []idp.ResourceScope{{Value: "mcp:read", Description: "Read your shop", GrantedToAll: true},
			{Value: "mcp:write", Description: "Change your shop", GrantedToAll: true}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.manage.CreateClient(s.ctx, "shop", manage.ClientInput{ID: "assistant", Name: "Assistant", Type: idp.ClientNative,
		RedirectURIs: []string{nativeRedirect}, RequireConsent: true}); err != nil {
		t.Fatal(err)
	}
	issuer := s.url + "/t/shop"
	c := nativeBrowser()
	verifier, challenge := pkcePair()
	consent, body := s.authorizeToConsent(t, c, issuer,
		authorizeURL(issuer, "assistant", "openid mcp:read mcp:write", challenge, url.Values{"resource": {api}}), "pat@shop.example")
	var offered []string
	for _, m := range checkedScopeRe.FindAllStringSubmatch(body, -1) {
		offered = append(offered, m[1])
	}
	if strings.Join(offered, " ") != "mcp:read mcp:write" || !strings.Contains(body, "Change your shop (Shop MCP)") {
		t.Fatalf("consent offers %v:\n%s", offered, body)
	}
	q := s.approve(t, c, consent, body, []string{"mcp:read"}) // mcp:write cleared
	status, tok := token(t, issuer+"/oauth2/token", url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")},
		"redirect_uri": {nativeSent}, "client_id": {"assistant"}, "code_verifier": {verifier}})
	if status != 200 || tok["scope"] != "openid mcp:read" {
		t.Fatalf("token = %d, scope %v, error %v; want scope openid mcp:read", status, tok["scope"], tok["error"])
	}
	claims := jwtClaims(t, tok["access_token"].(string))
	if claims["scope"] != "openid mcp:read" || claims["aud"] != api {
		t.Fatalf("access token claims = %v", claims)
	}
}

// jwtClaims decodes a JWT's payload without verifying it (the token
// endpoint just issued it; other tests verify signatures).
func jwtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	return out
}
