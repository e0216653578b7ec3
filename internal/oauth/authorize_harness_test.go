package oauth_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

// Helpers shared by the authorize-half protocol tests (prefix az).

// azVerifier is a fixed PKCE verifier; azChallenge is its S256 challenge.
const azVerifier = "authalla-test-verifier-0123456789abcdefghijklmnopqrstuvwxyz"

var azChallenge = func() string {
	sum := sha256.Sum256([]byte(azVerifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}()

// azParams is a valid authorization request for clientID at tenantID; a
// public client gets a PKCE challenge.
func azParams(t testing.TB, h *oauthtest.Harness, tenantID, clientID string) url.Values {
	t.Helper()
	c := h.Client(t, tenantID, clientID)
	v := url.Values{
		"client_id":     {clientID},
		"response_type": {"code"},
		"scope":         {"openid profile email"},
		"state":         {"state-" + tenantID + "-" + clientID},
		"nonce":         {"nonce-123"},
		"redirect_uri":  {c.RedirectURIs[0]},
	}
	if c.Public() {
		v.Set("code_challenge", azChallenge)
		v.Set("code_challenge_method", "S256")
	}
	return v
}

// azWith returns a copy of v with the given keys replaced (an empty value
// deletes the key).
func azWith(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			out.Del(kv[i])
		} else {
			out.Set(kv[i], kv[i+1])
		}
	}
	return out
}

// azGet sends an authorization request as a GET.
func azGet(t testing.TB, h *oauthtest.Harness, b *http.Client, tenantID string, v url.Values) (*http.Response, string) {
	t.Helper()
	return h.Get(t, b, h.AuthorizeURL(tenantID, v))
}

// azCallback checks that res is a 303 to redirectURI with iss = issuer and
// returns the parameters of the response (the registered query included).
func azCallback(t testing.TB, res *http.Response, redirectURI, issuer string) url.Values {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303 to the client", res.StatusCode)
	}
	loc := res.Header.Get("Location")
	base, query, _ := strings.Cut(loc, "?")
	want, _, _ := strings.Cut(redirectURI, "?")
	if base != want {
		t.Fatalf("Location = %q, want a redirect to %q", loc, redirectURI)
	}
	q, err := url.ParseQuery(query)
	if err != nil {
		t.Fatalf("Location query: %v", err)
	}
	if got := q["iss"]; len(got) != 1 || got[0] != issuer {
		t.Fatalf("iss = %q, want %q (RFC 9207)", got, issuer)
	}
	return q
}

// azError checks an error redirect: error code, state echoed, iss.
func azError(t testing.TB, res *http.Response, redirectURI, issuer, code, state string) url.Values {
	t.Helper()
	q := azCallback(t, res, redirectURI, issuer)
	if q.Get("error") != code {
		t.Fatalf("error = %q (%s), want %q", q.Get("error"), q.Get("error_description"), code)
	}
	if q.Has("code") {
		t.Fatalf("an error response carries a code")
	}
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	return q
}

// azCode checks a successful response and returns the code's stored record.
func azCode(t testing.TB, h *oauthtest.Harness, res *http.Response, tenantID, redirectURI, state string) (string, *idp.AuthCode) {
	t.Helper()
	q := azCallback(t, res, redirectURI, h.Issuer(tenantID))
	code := q.Get("code")
	if code == "" || q.Has("error") {
		t.Fatalf("no code: error=%q %q", q.Get("error"), q.Get("error_description"))
	}
	if q.Get("state") != state {
		t.Fatalf("state = %q, want %q", q.Get("state"), state)
	}
	ac, err := h.Store.GetAuthCode(context.Background(), tenantID, secret.Hash(code))
	if err != nil {
		t.Fatalf("stored code: %v", err)
	}
	return code, ac
}

// azPage checks that res is an error page: 400, no Location.
func azPage(t testing.TB, res *http.Response, body string) {
	t.Helper()
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status = %d, want 400 error page (body %q)", res.StatusCode, body)
	}
	if loc := res.Header.Get("Location"); loc != "" {
		t.Fatalf("error page carries Location %q", loc)
	}
}

// azParked checks a 303 to a hosted page (login or consent) of tenantID
// and returns the parked request id.
func azParked(t testing.TB, h *oauthtest.Harness, res *http.Response, tenantID, page string) string {
	t.Helper()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("status = %d, want 303 to %s", res.StatusCode, page)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil || loc.IsAbs() || loc.Path != "/t/"+tenantID+page {
		t.Fatalf("Location = %q, want %s of %s", res.Header.Get("Location"), page, tenantID)
	}
	id := loc.Query().Get("request")
	ar, err := h.Store.GetAuthRequest(context.Background(), tenantID, id, h.Clock.Now())
	if err != nil {
		t.Fatalf("parked request %q: %v", id, err)
	}
	if ar.Issuer != h.Issuer(tenantID) {
		t.Fatalf("parked issuer = %q", ar.Issuer)
	}
	return id
}

// azGone checks that a parked request no longer exists.
func azGone(t testing.TB, h *oauthtest.Harness, tenantID, id string) {
	t.Helper()
	_, err := h.Store.GetAuthRequest(context.Background(), tenantID, id, h.Clock.Now())
	if !errors.Is(err, idp.ErrNotFound) && !errors.Is(err, idp.ErrExpired) {
		t.Fatalf("parked request %q still there (err %v)", id, err)
	}
}

// azSign signs claims with tenantID's active key, as the token endpoint
// signs ID tokens.
func azSign(t testing.TB, h *oauthtest.Harness, tenantID, typ string, claims map[string]any) string {
	t.Helper()
	tok, err := h.Keys.Sign(context.Background(), tenantID, typ, claims)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return tok
}

// azDenyRoute adds a stand-in for the consent page's Deny button.
func azDenyRoute(h *oauthtest.Harness) {
	h.Mux.HandleFunc("POST /test/deny", func(w http.ResponseWriter, r *http.Request) {
		if err := h.Provider.Deny(w, r, r.FormValue("request")); err != nil {
			httpx.WriteError(w, r, err)
		}
	})
}
