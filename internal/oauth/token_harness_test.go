package oauth_test

import (
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

// Helpers shared by the token-half protocol tests. They talk HTTP to the
// harness's server, as a client would; codes are minted straight into the
// store exactly as the authorize endpoint stores them, so that each test
// controls every field of the code it redeems.

// codeOpts describe an authorization code to mint.
type codeOpts struct {
	scope     []string // default: openid profile email offline_access
	audience  []string
	nonce     string
	challenge string // S256 challenge; empty for none
	noRedir   bool   // store no redirect_uri (none was sent at authorization)
	session   string
}

// mintCode stores a fresh code for the user with email at tenantID and
// returns its plaintext.
func mintCode(t testing.TB, h *oauthtest.Harness, tenantID, clientID, email string, o codeOpts) string {
	t.Helper()
	if o.scope == nil {
		o.scope = []string{"openid", "profile", "email", "offline_access"}
	}
	plain, err := secret.Default.Token(32)
	if err != nil {
		t.Fatal(err)
	}
	now := h.Clock.Now()
	c := &idp.AuthCode{
		TenantID: tenantID, Hash: secret.Hash(plain), ClientID: clientID, UserID: h.User(t, tenantID, email).ID,
		SessionID: o.session, Scope: o.scope, Audience: o.audience, Nonce: o.nonce, AuthTime: now.Add(-time.Minute),
		AMR: []string{"email"}, CreatedAt: now, ExpiresAt: now.Add(idp.AuthCodeLifetime),
	}
	if !o.noRedir {
		c.RedirectURI = h.RedirectURI(t, tenantID, clientID)
	}
	if o.challenge != "" {
		c.CodeChallenge, c.CodeChallengeMethod = o.challenge, "S256"
	}
	if err := h.Store.CreateAuthCode(context.Background(), tenantID, c); err != nil {
		t.Fatalf("create code: %v", err)
	}
	return plain
}

// pkcePair returns a verifier and its S256 challenge (RFC 7636 §4.1–4.2).
func pkcePair(t testing.TB) (verifier, challenge string) {
	t.Helper()
	v, err := secret.Default.Token(32)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(v))
	return v, base64.RawURLEncoding.EncodeToString(sum[:])
}

// response is a decoded HTTP answer.
type response struct {
	status int
	header http.Header
	raw    string
	json   map[string]any
}

// str returns a string member of the JSON body.
func (r *response) str(name string) string {
	s, _ := r.json[name].(string)
	return s
}

// auth decorates a request with client credentials.
type auth func(r *http.Request, form url.Values)

// basicAuth is client_secret_basic, form-urlencoding both parts
// (RFC 6749 §2.3.1).
func basicAuth(id, sec string) auth {
	return func(r *http.Request, _ url.Values) {
		r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id)+":"+url.QueryEscape(sec))))
	}
}

// postAuth is client_secret_post.
func postAuth(id, sec string) auth {
	return func(_ *http.Request, f url.Values) { f.Set("client_id", id); f.Set("client_secret", sec) }
}

// publicAuth is a public client naming itself (method none).
func publicAuth(id string) auth {
	return func(_ *http.Request, f url.Values) { f.Set("client_id", id) }
}

// clientAuth returns the right credentials of a harness client.
func clientAuth(h *oauthtest.Harness, tenantID, clientID string) auth {
	if s := h.Secret(tenantID, clientID); s != "" {
		return basicAuth(clientID, s)
	}
	return publicAuth(clientID)
}

// post sends a form POST to path under tenantID's issuer.
func post(t testing.TB, h *oauthtest.Harness, tenantID, path string, form url.Values, a auth) *response {
	t.Helper()
	form = cloneValues(form) // auth adds credentials to its own copy
	req, err := http.NewRequest(http.MethodPost, h.Issuer(tenantID)+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a != nil {
		a(req, form)
	}
	body := form.Encode()
	req.Body = io.NopCloser(strings.NewReader(body))
	req.ContentLength = int64(len(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return send(t, req)
}

// cloneValues returns a deep copy of v (never nil).
func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// send does req and decodes a JSON answer. It reports transport and
// decoding failures with t.Errorf (status 0), so that it may run on other
// goroutines than the test's.
func send(t testing.TB, req *http.Request) *response {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", req.Method, req.URL.Path, err)
		return &response{header: http.Header{}}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		t.Errorf("%s %s: read body: %v", req.Method, req.URL.Path, err)
		return &response{header: http.Header{}}
	}
	r := &response{status: res.StatusCode, header: res.Header, raw: string(b)}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(b, &r.json); err != nil {
			t.Errorf("%s %s: bad JSON %q: %v", req.Method, req.URL.Path, b, err)
		}
	}
	return r
}

// tokenReq posts to the token endpoint.
func tokenReq(t testing.TB, h *oauthtest.Harness, tenantID string, form url.Values, a auth) *response {
	t.Helper()
	return post(t, h, tenantID, "/oauth2/token", form, a)
}

// redeem exchanges a code minted for clientID's first redirect URI.
func redeem(t testing.TB, h *oauthtest.Harness, tenantID, clientID, code, verifier string) *response {
	t.Helper()
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {h.RedirectURI(t, tenantID, clientID)}}
	if verifier != "" {
		f.Set("code_verifier", verifier)
	}
	return tokenReq(t, h, tenantID, f, clientAuth(h, tenantID, clientID))
}

// refresh exchanges a refresh token.
func refresh(t testing.TB, h *oauthtest.Harness, tenantID, clientID, rt string, extra url.Values) *response {
	t.Helper()
	f := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {rt}}
	for k, v := range extra {
		f[k] = v
	}
	return tokenReq(t, h, tenantID, f, clientAuth(h, tenantID, clientID))
}

// userInfo calls GET /oauth2/userinfo with a Bearer token.
func userInfo(t testing.TB, h *oauthtest.Harness, tenantID, token string) *response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.Issuer(tenantID)+"/oauth2/userinfo", nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return send(t, req)
}

// introspect asks the tenant's web client to introspect token and
// returns whether it is active.
func introspect(t testing.TB, h *oauthtest.Harness, tenantID, token string) *response {
	t.Helper()
	r := post(t, h, tenantID, "/oauth2/introspect", url.Values{"token": {token}}, clientAuth(h, tenantID, oauthtest.BackendClient))
	if r.status != http.StatusOK {
		t.Fatalf("introspect: %d %s", r.status, r.raw)
	}
	return r
}

// active reports whether introspection says token is active.
func active(t testing.TB, h *oauthtest.Harness, tenantID, token string) bool {
	t.Helper()
	r := introspect(t, h, tenantID, token)
	a, _ := r.json["active"].(bool)
	if !a && len(r.json) != 1 {
		t.Fatalf("inactive introspection carries more than active: %s", r.raw)
	}
	return a
}

// wantError checks an OAuth error response.
func wantError(t testing.TB, r *response, status int, code string) {
	t.Helper()
	if r.status != status || r.str("error") != code {
		t.Fatalf("got %d %s, want %d %s", r.status, r.raw, status, code)
	}
}

// wantOK checks a 200 token response and returns it.
func wantOK(t testing.TB, r *response) *response {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("got %d %s, want 200", r.status, r.raw)
	}
	return r
}

// jwtParts decodes the header and claims of a compact JWS without
// verifying it.
func jwtParts(t testing.TB, token string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", token)
	}
	for i, dst := range []*map[string]any{&header, &claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, dst); err != nil {
			t.Fatal(err)
		}
	}
	return header, claims
}

// activeKey returns the unsealed private key and kid of tenantID's active
// signing key, for tests that forge tokens signed by a genuine key. The
// harness seals keys with an all-zero master key; the additional data is
// the keys package's binding of a sealed key to its tenant and kid.
func activeKey(t testing.TB, h *oauthtest.Harness, tenantID string) (crypto.Signer, string, string) {
	t.Helper()
	ks, err := h.Store.ListSigningKeys(context.Background(), tenantID)
	if err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.State != idp.KeyActive {
			continue
		}
		ad := "authalla/signing-key/v1:" + strconv.Itoa(len(tenantID)) + ":" + tenantID + ":" + strconv.Itoa(len(k.ID)) + ":" + k.ID
		der, err := sealer.Open(k.PrivateEnc, []byte(ad))
		if err != nil {
			t.Fatalf("unseal key: %v", err)
		}
		priv, err := x509.ParsePKCS8PrivateKey(der)
		if err != nil {
			t.Fatal(err)
		}
		return priv.(crypto.Signer), k.ID, k.Alg
	}
	t.Fatalf("tenant %s has no active key", tenantID)
	return nil, "", ""
}
