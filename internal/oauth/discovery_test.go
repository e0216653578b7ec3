package oauth_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// discoveryDoc is the part of the metadata the tests look at.
type discoveryDoc struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	RegistrationEndpoint              string   `json:"registration_endpoint"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgs                []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	IssParameterSupported             *bool    `json:"authorization_response_iss_parameter_supported"`
	RequestParameterSupported         *bool    `json:"request_parameter_supported"`
	RequestURIParameterSupported      *bool    `json:"request_uri_parameter_supported"`
	ClaimsParameterSupported          *bool    `json:"claims_parameter_supported"`
}

type jwk struct {
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Kty string `json:"kty"`
	D   string `json:"d"`
}

type jwkSet struct {
	Keys []jwk `json:"keys"`
}

// getWithHost sends a GET to the harness with an explicit Host header.
func getWithHost(t *testing.T, h *oauthtest.Harness, host, path string, hdr http.Header) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.Server.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	b := h.Browser(t)
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(body)
}

func fetchDiscovery(t *testing.T, h *oauthtest.Harness, url string) discoveryDoc {
	t.Helper()
	res, body := h.Get(t, h.Browser(t), url)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, res.StatusCode, body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("Cache-Control = %q", cc)
	}
	var d discoveryDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatalf("discovery JSON: %v", err)
	}
	return d
}

func checkDiscovery(t *testing.T, d discoveryDoc, issuer, alg string) {
	t.Helper()
	if d.Issuer != issuer {
		t.Errorf("issuer = %q, want %q", d.Issuer, issuer)
	}
	endpoints := map[string]string{
		d.AuthorizationEndpoint: "/oauth2/authorize", d.TokenEndpoint: "/oauth2/token",
		d.UserinfoEndpoint: "/oauth2/userinfo", d.JWKSURI: "/.well-known/jwks.json",
		d.EndSessionEndpoint: "/oauth2/logout", d.IntrospectionEndpoint: "/oauth2/introspect",
		d.RevocationEndpoint: "/oauth2/revoke",
	}
	if len(endpoints) != 7 {
		t.Errorf("endpoints are not distinct: %v", endpoints)
	}
	for got, path := range endpoints {
		if got != issuer+path {
			t.Errorf("endpoint %q, want %q", got, issuer+path)
		}
	}
	eq := func(name string, got, want []string) {
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	eq("response_types_supported", d.ResponseTypesSupported, []string{"code"})
	eq("response_modes_supported", d.ResponseModesSupported, []string{"query"})
	eq("code_challenge_methods_supported", d.CodeChallengeMethodsSupported, []string{"S256"})
	eq("subject_types_supported", d.SubjectTypesSupported, []string{"public"})
	eq("id_token_signing_alg_values_supported", d.IDTokenSigningAlgs, []string{alg})
	eq("grant_types_supported", d.GrantTypesSupported, []string{"authorization_code", "refresh_token", "client_credentials"})
	eq("token_endpoint_auth_methods_supported", d.TokenEndpointAuthMethodsSupported, []string{"client_secret_basic", "client_secret_post", "none"})
	for _, s := range []string{"openid", "profile", "email", "offline_access"} {
		if !slices.Contains(d.ScopesSupported, s) {
			t.Errorf("scopes_supported lacks %s", s)
		}
	}
	for _, p := range []string{"none", "login", "consent"} {
		if !slices.Contains(d.PromptValuesSupported, p) {
			t.Errorf("prompt_values_supported lacks %s", p)
		}
	}
	for _, c := range []string{"sub", "iss", "auth_time", "nonce", "email", "email_verified", "name", "picture", "sid"} {
		if !slices.Contains(d.ClaimsSupported, c) {
			t.Errorf("claims_supported lacks %s", c)
		}
	}
	flag := func(name string, got *bool, want bool) {
		if got == nil || *got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	flag("authorization_response_iss_parameter_supported", d.IssParameterSupported, true)
	flag("request_parameter_supported", d.RequestParameterSupported, false)
	flag("request_uri_parameter_supported", d.RequestURIParameterSupported, false)
	flag("claims_parameter_supported", d.ClaimsParameterSupported, false)
}

func fetchJWKS(t *testing.T, h *oauthtest.Harness, url string) jwkSet {
	t.Helper()
	res, body := h.Get(t, h.Browser(t), url)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", url, res.StatusCode)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("JWKS Content-Type = %q", ct)
	}
	if cc := res.Header.Get("Cache-Control"); cc != "public, max-age=300" {
		t.Errorf("JWKS Cache-Control = %q", cc)
	}
	var set jwkSet
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatalf("JWKS JSON: %v", err)
	}
	return set
}

// TestSec01DiscoveryPerTenant: SECURITY-TESTS case 1. Each tenant's
// discovery document (at both well-known names and at both its path and
// host issuer) names exactly that issuer, puts every endpoint under it and
// advertises code + S256 + iss only; each JWKS is non-empty with distinct
// kids, and the tenants share no key.
func TestSec01DiscoveryPerTenant(t *testing.T) {
	h := oauthtest.New(t)
	algs := map[string]string{oauthtest.TenantA: idp.AlgRS256, oauthtest.TenantB: idp.AlgES256}
	kids := map[string]string{}
	for _, tid := range []string{oauthtest.TenantA, oauthtest.TenantB} {
		iss := h.Issuer(tid)
		for _, name := range []string{"openid-configuration", "oauth-authorization-server"} {
			d := fetchDiscovery(t, h, iss+"/.well-known/"+name)
			checkDiscovery(t, d, iss, algs[tid])
			if slices.Contains(d.GrantTypesSupported, "implicit") || slices.Contains(d.GrantTypesSupported, "password") {
				t.Errorf("%s advertises a removed grant", tid)
			}
		}
		set := fetchJWKS(t, h, iss+"/.well-known/jwks.json")
		if len(set.Keys) == 0 {
			t.Fatalf("%s: empty JWKS", tid)
		}
		for _, k := range set.Keys {
			if k.Kid == "" || k.D != "" {
				t.Errorf("%s: key %q without kid or with private part", tid, k.Kid)
			}
			if other, dup := kids[k.Kid]; dup {
				t.Errorf("kid %q in %s and %s", k.Kid, other, tid)
			}
			kids[k.Kid] = tid
		}
		if tid == oauthtest.TenantA && !slices.ContainsFunc(set.Keys, func(k jwk) bool { return k.Alg == "RS256" }) {
			t.Errorf("tenant-a JWKS has no RS256 key")
		}
	}

	// Host issuer: the same tenant reached at tenant-a.localhost:PORT
	// describes itself with that host and nothing else.
	port := h.Server.Listener.Addr().String()[strings.LastIndex(h.Server.Listener.Addr().String(), ":"):]
	host := oauthtest.TenantA + ".localhost" + port
	res, body := getWithHost(t, h, host, "/.well-known/openid-configuration", nil)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("host issuer discovery: %d %s", res.StatusCode, body)
	}
	var d discoveryDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil {
		t.Fatal(err)
	}
	checkDiscovery(t, d, "http://"+host, idp.AlgRS256)

	// The cached document follows the tenant's settings.
	ctx := context.Background()
	tn, err := h.Store.GetTenant(ctx, oauthtest.TenantA)
	if err != nil {
		t.Fatal(err)
	}
	h.Clock.Advance(3 * time.Second)
	tn.SigningAlg, tn.UpdatedAt = idp.AlgES256, h.Clock.Now()
	if err := h.Store.UpdateTenant(ctx, tn); err != nil {
		t.Fatal(err)
	}
	h.Resolver.Invalidate(idp.Change{Kind: idp.ChangeTenant, TenantID: oauthtest.TenantA})
	d = fetchDiscovery(t, h, h.Issuer(oauthtest.TenantA)+"/.well-known/openid-configuration")
	if !slices.Equal(d.IDTokenSigningAlgs, []string{idp.AlgES256}) {
		t.Errorf("after the tenant changed its algorithm: %q", d.IDTokenSigningAlgs)
	}
}

// TestDiscoveryCORS: discovery and JWKS answer browser apps from the
// tenant's allowed origins only (PRODUCT §3).
func TestDiscoveryCORS(t *testing.T) {
	h := oauthtest.New(t)
	for _, path := range []string{"/.well-known/openid-configuration", "/.well-known/jwks.json"} {
		for origin, want := range map[string]string{
			"https://spa.tenant-a.example": "https://spa.tenant-a.example",
			"https://spa.tenant-b.example": "",
			"https://evil.example":         "",
		} {
			req, _ := http.NewRequest(http.MethodGet, h.Issuer(oauthtest.TenantA)+path, nil)
			req.Header.Set("Origin", origin)
			res, err := h.Browser(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != want {
				t.Errorf("%s from %s: Access-Control-Allow-Origin = %q, want %q", path, origin, got, want)
			}
		}
	}
	// Never on authorize (a top-level navigation).
	b := h.Browser(t)
	req, _ := http.NewRequest(http.MethodGet, h.AuthorizeURL(oauthtest.TenantA, azParams(t, h, oauthtest.TenantA, oauthtest.WebClient)), nil)
	req.Header.Set("Origin", "https://spa.tenant-a.example")
	res, err := b.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if got := res.Header.Get("Access-Control-Allow-Origin"); got != "" {
		t.Errorf("authorize sent Access-Control-Allow-Origin %q", got)
	}
}

// TestSec42UnknownHost404: SECURITY-TESTS case 42. Unknown hosts and
// tenants get 404, never another tenant; X-Forwarded-Host from an
// untrusted peer is ignored.
func TestSec42UnknownHost404(t *testing.T) {
	h := oauthtest.New(t)
	addr := h.Server.Listener.Addr().String()
	port := addr[strings.LastIndex(addr, ":"):]
	for _, tc := range []struct{ host, path string }{
		{"evil.example", "/.well-known/openid-configuration"},
		{"evil.example" + port, "/t/tenant-a/.well-known/openid-configuration"},
		{"nope-tenant.localhost" + port, "/.well-known/openid-configuration"},
		{"tenant-a.localhost.evil.example" + port, "/.well-known/openid-configuration"},
		{"x.tenant-a.localhost" + port, "/.well-known/openid-configuration"},
		{addr, "/t/unknown-tenant/.well-known/openid-configuration"},
		{addr, "/t/UPPER/.well-known/openid-configuration"},
		{addr, "/t/tenant-a/.well-known/nope"},
		{addr, "/.well-known/openid-configuration"}, // no admin tenant in the harness
		{addr, "/t/unknown-tenant/oauth2/authorize?client_id=app-web"},
	} {
		res, body := getWithHost(t, h, tc.host, tc.path, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Errorf("Host %s %s: %d, want 404", tc.host, tc.path, res.StatusCode)
		}
		if strings.Contains(body, "issuer") {
			t.Errorf("Host %s %s leaked a document", tc.host, tc.path)
		}
	}
	// X-Forwarded-Host from an untrusted peer does not pick the tenant.
	res, body := getWithHost(t, h, addr, "/t/tenant-a/.well-known/openid-configuration",
		http.Header{"X-Forwarded-Host": {"tenant-b.localhost" + port}, "X-Forwarded-Proto": {"https"}})
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var d discoveryDoc
	if err := json.Unmarshal([]byte(body), &d); err != nil || d.Issuer != h.Issuer(oauthtest.TenantA) {
		t.Errorf("issuer = %q, want %q (forwarded headers must be ignored)", d.Issuer, h.Issuer(oauthtest.TenantA))
	}
}

// updateGolden rewrites testdata/*.golden from the current output.
var updateGolden = flag.Bool("update", false, "rewrite testdata/*.golden")

// TestDiscoveryGolden pins the whole discovery document (with the issuer
// replaced by a placeholder), so that any change to it is deliberate.
// Regenerate with: go test ./internal/oauth -run TestDiscoveryGolden -update
func TestDiscoveryGolden(t *testing.T) {
	h := oauthtest.New(t)
	res, body := h.Get(t, h.Browser(t), h.Issuer(tA)+"/.well-known/openid-configuration")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("status %d", res.StatusCode)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(body), "", "  "); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(pretty.String(), h.Issuer(tA), "{issuer}")
	path := filepath.Join("testdata", "discovery.golden")
	if *updateGolden {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("discovery document changed; diff against %s:\n%s", path, got)
	}
}

// TestDiscoveryAdminTenant: the admin tenant, as the MCP authorization
// server, serves one document at both well-known names (RFC 8414 §3,
// OIDC Discovery §4) naming its registration endpoint (RFC 7591 §3) and
// the derived MCP scopes besides the usual ones, with S256 only and RFC
// 9207 iss; pinned in testdata/discovery_admin.golden.
func TestDiscoveryAdminTenant(t *testing.T) {
	h := regHarness(t)
	iss := h.Issuer(oauthtest.AdminTenant)
	var docs []string
	for _, name := range []string{"openid-configuration", "oauth-authorization-server"} {
		d := fetchDiscovery(t, h, iss+"/.well-known/"+name)
		checkDiscovery(t, d, iss, idp.AlgES256)
		if d.RegistrationEndpoint != iss+"/oauth2/register" {
			t.Errorf("%s: registration_endpoint = %q", name, d.RegistrationEndpoint)
		}
		if want := []string{"openid", "profile", "email", "offline_access", "mcp:read", "mcp:write", "mcp:admin"}; !slices.Equal(d.ScopesSupported, want) {
			t.Errorf("%s: scopes_supported = %q, want %q", name, d.ScopesSupported, want)
		}
		_, body := h.Get(t, h.Browser(t), iss+"/.well-known/"+name)
		docs = append(docs, body)
	}
	if docs[0] != docs[1] {
		t.Errorf("the two well-known names serve different documents")
	}
	// Other tenants list no MCP scopes.
	if d := fetchDiscovery(t, h, h.Issuer(tA)+"/.well-known/openid-configuration"); slices.Contains(d.ScopesSupported, "mcp:read") {
		t.Errorf("tenant-a advertises the MCP scopes")
	}

	var pretty bytes.Buffer
	if err := json.Indent(&pretty, []byte(docs[0]), "", "  "); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(pretty.String(), iss, "{issuer}")
	path := filepath.Join("testdata", "discovery_admin.golden")
	if *updateGolden {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("admin discovery document changed; diff against %s:\n%s", path, got)
	}
}
