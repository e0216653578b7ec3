package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// regFlow is a registered native client's authorization as an MCP client
// runs it: authorize with PKCE for the MCP scopes, consent (always asked:
// the client is third-party), code, tokens.
type regFlow struct {
	h           *oauthtest.Harness
	b           *http.Client
	clientID    string
	redirectURI string // the one sent, which may differ from the registered one in its loopback port
}

// newRegFlow registers a native client with registered as its redirect
// URI and signs Alice in to the admin tenant.
func newRegFlow(t *testing.T, h *oauthtest.Harness, registered, sent string) *regFlow {
	t.Helper()
	regNextWindow(h)
	r := wantRegistered(t, register(t, h, nativeMetadata(registered)))
	f := &regFlow{h: h, b: h.Browser(t), clientID: r.str("client_id"), redirectURI: sent}
	h.Login(t, f.b, oauthtest.AdminTenant, oauthtest.Alice)
	return f
}

// params is the authorization request for scope, with PKCE.
func (f *regFlow) params(scope string) url.Values {
	return url.Values{
		"client_id": {f.clientID}, "response_type": {"code"}, "scope": {scope}, "state": {"st-reg"},
		"redirect_uri": {f.redirectURI}, "code_challenge": {azChallenge}, "code_challenge_method": {"S256"},
		"resource": {f.h.Issuer(oauthtest.AdminTenant) + "/mcp"},
	}
}

// consent checks that v is parked at the consent page, approves it as the
// consent page would, and returns the redirect the resumed request answers.
func (f *regFlow) consent(t *testing.T, v url.Values) *http.Response {
	t.Helper()
	res, body := azGet(t, f.h, f.b, oauthtest.AdminTenant, v)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("authorize: %d %s, want 303 to consent", res.StatusCode, body)
	}
	loc := oauthtest.Location(t, res)
	if loc.Path != "/oauth2/consent" {
		t.Fatalf("authorize went to %s, want the consent page (a registered client is third-party)", loc)
	}
	id := loc.Query().Get("request")
	if err := f.h.Store.SetAuthRequestConsent(context.Background(), oauthtest.AdminTenant, id, nil); err != nil {
		t.Fatal(err)
	}
	res, _ = f.h.Get(t, f.b, f.h.ResumeURL(oauthtest.AdminTenant, id))
	return res
}

// tokens runs the flow for scope and returns the token response.
func (f *regFlow) tokens(t *testing.T, scope string) *response {
	t.Helper()
	q := azCallback(t, f.consent(t, f.params(scope)), f.redirectURI, f.h.Issuer(oauthtest.AdminTenant))
	if q.Get("code") == "" {
		t.Fatalf("no code: %v", q)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {q.Get("code")}, "code_verifier": {azVerifier}, "redirect_uri": {f.redirectURI}}
	return wantOK(t, tokenReq(t, f.h, oauthtest.AdminTenant, form, publicAuth(f.clientID)))
}

// TestSecRegisteredClientAuthorize: SECURITY-TESTS 46. A registered
// client must use PKCE, always goes through consent, may change the port
// of its loopback redirect URI (RFC 8252 §7.3) but nothing else, and its
// token is for the MCP resource exactly.
func TestSecRegisteredClientAuthorize(t *testing.T) {
	h := regHarness(t)
	f := newRegFlow(t, h, "http://127.0.0.1:33418/callback", "http://127.0.0.1:51234/callback")
	mcp := h.Issuer(oauthtest.AdminTenant) + "/mcp"

	// No PKCE: an error response (the client and redirect URI are valid),
	// shown on the interstitial because the client is third-party
	// (SECURITY-TESTS 18).
	v := f.params("mcp:read")
	v.Del("code_challenge")
	v.Del("code_challenge_method")
	res, body := azGet(t, h, f.b, oauthtest.AdminTenant, v)
	target := ipPage(t, res, body, "invalid_request")
	ipTarget(t, target, f.redirectURI, h.Issuer(oauthtest.AdminTenant), "invalid_request", "st-reg")

	// A redirect URI that differs in more than the loopback port is an
	// error page, never a redirect.
	for _, bad := range []string{"http://127.0.0.1:51234/other", "http://localhost:33418/callback", "https://127.0.0.1:33418/callback"} {
		res, body := azGet(t, h, f.b, oauthtest.AdminTenant, azWith(f.params("mcp:read"), "redirect_uri", bad))
		azPage(t, res, body)
	}

	r := f.tokens(t, "mcp:read mcp:write offline_access")
	wantAudience(t, r, mcp)
	if r.str("scope") != "mcp:read mcp:write offline_access" || r.str("refresh_token") == "" {
		t.Errorf("scope %q, refresh token present %v", r.str("scope"), r.str("refresh_token") != "")
	}
	// prompt=consent asks again even after an approval.
	res, _ = azGet(t, h, f.b, oauthtest.AdminTenant, azWith(f.params("mcp:read"), "prompt", "consent"))
	if loc := oauthtest.Location(t, res); loc.Path != "/oauth2/consent" {
		t.Errorf("prompt=consent went to %s", loc)
	}
}

// TestRegisteredClientRefreshGrace: a registered client has a 60 s
// refresh-token grace window, so two sessions of one assistant that race
// the same refresh token both get working tokens and the same successor
// refresh token (one lineage); a reuse after the window revokes the whole
// family. A client with the
// default strict policy still loses its family on the first reuse.
func TestRegisteredClientRefreshGrace(t *testing.T) {
	h := regHarness(t)
	f := newRegFlow(t, h, "http://127.0.0.1/callback", "http://127.0.0.1:40000/callback")
	first := f.tokens(t, "mcp:read offline_access")
	rt := first.str("refresh_token")

	var wg sync.WaitGroup
	results := make([]*response, 2)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = refresh(t, h, oauthtest.AdminTenant, f.clientID, rt, nil)
		}()
	}
	wg.Wait()
	for i, r := range results {
		if r.status != http.StatusOK {
			t.Fatalf("parallel refresh %d: %d %s, want 200 within the grace window", i, r.status, r.raw)
		}
		if !active(t, h, oauthtest.AdminTenant, r.str("access_token")) {
			t.Errorf("parallel refresh %d: access token not active", i)
		}
		wantAudience(t, r, h.Issuer(oauthtest.AdminTenant)+"/mcp")
	}
	// Both get the same successor: one lineage, not two (refresh_successor.go).
	successor := results[0].str("refresh_token")
	if successor == "" || results[1].str("refresh_token") != successor {
		t.Fatalf("the parallel refreshes returned different refresh tokens")
	}
	if results[0].str("access_token") == results[1].str("access_token") {
		t.Fatalf("the parallel refreshes returned the same access token")
	}
	// The successor works; a late racer presenting the first token or the
	// successor again within its window converges on the same lineage.
	next := wantOK(t, refresh(t, h, oauthtest.AdminTenant, f.clientID, successor, nil))
	h.Clock.Advance(10 * time.Second)
	if late := wantOK(t, refresh(t, h, oauthtest.AdminTenant, f.clientID, rt, nil)); late.str("refresh_token") != successor {
		t.Fatalf("a late racer on the first token got another successor")
	}
	if late := wantOK(t, refresh(t, h, oauthtest.AdminTenant, f.clientID, successor, nil)); late.str("refresh_token") != next.str("refresh_token") {
		t.Fatalf("a late racer on the successor got another successor")
	}

	// After the window, the original token's reuse revokes the family.
	h.Clock.Advance(61 * time.Second)
	wantError(t, refresh(t, h, oauthtest.AdminTenant, f.clientID, rt, nil), http.StatusBadRequest, "invalid_grant")
	for _, tok := range []string{successor, next.str("refresh_token")} {
		wantError(t, refresh(t, h, oauthtest.AdminTenant, f.clientID, tok, nil), http.StatusBadRequest, "invalid_grant")
	}
	if active(t, h, oauthtest.AdminTenant, next.str("access_token")) {
		t.Errorf("an access token of the revoked family is still active")
	}

	// The strict native client of the harness (grace 0): one reuse, even
	// at once, revokes the family.
	code := mintCode(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, oauthtest.Alice, codeOpts{challenge: azChallenge})
	strict := wantOK(t, redeem(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, code, azVerifier))
	succ := wantOK(t, refresh(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, strict.str("refresh_token"), nil))
	wantError(t, refresh(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, strict.str("refresh_token"), nil), http.StatusBadRequest, "invalid_grant")
	wantError(t, refresh(t, h, oauthtest.AdminTenant, oauthtest.NativeClient, succ.str("refresh_token"), nil), http.StatusBadRequest, "invalid_grant")
}
