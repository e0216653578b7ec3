package server_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// clientCredentialsToken gets an access token for a backend client.
func clientCredentialsToken(t *testing.T, issuer, clientID, clientSecret string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, issuer+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {"client_credentials"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || resp.StatusCode != 200 {
		t.Fatalf("client_credentials: %d %v", resp.StatusCode, err)
	}
	return body.AccessToken
}

func jwksKids(t *testing.T, issuer string) []string {
	t.Helper()
	resp, body := get(t, http.DefaultClient, issuer+"/.well-known/jwks.json")
	if resp.StatusCode != 200 {
		t.Fatalf("jwks: %d", resp.StatusCode)
	}
	var set struct {
		Keys []struct {
			Kid string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(body), &set); err != nil {
		t.Fatal(err)
	}
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid)
	}
	return kids
}

func kidOf(t *testing.T, jwt string) string {
	t.Helper()
	var h struct {
		Kid string `json:"kid"`
	}
	raw, err := base64URLDecode(strings.Split(jwt, ".")[0])
	if err != nil || json.Unmarshal(raw, &h) != nil {
		t.Fatalf("bad JWT header")
	}
	return h.Kid
}

// TestSec10KeyRotationVisibleToRelyingParties: SECURITY-TESTS case 10.
// After an admin-triggered rotation the JWKS holds the new key and the old
// one; tokens signed before still verify (go-oidc's remote key set), and
// tokens signed after carry the new kid.
func TestSec10KeyRotationVisibleToRelyingParties(t *testing.T) {
	s := newStack(t)
	issuer, _ := s.tenantWithClient(t, "rotating")
	backend, err := s.manage.CreateClient(s.ctx, "rotating", manage.ClientInput{Name: "Worker", Type: idp.ClientBackend})
	if err != nil {
		t.Fatal(err)
	}
	before := clientCredentialsToken(t, issuer, backend.Client.ID, backend.Secret.Value)
	oldKids := jwksKids(t, issuer)
	if len(oldKids) != 1 || kidOf(t, before) != oldKids[0] {
		t.Fatalf("before rotation: JWKS %v, token kid %s", oldKids, kidOf(t, before))
	}

	if _, err := s.manage.RotateSigningKey(s.ctx, "rotating", true); err != nil {
		t.Fatal(err)
	}
	after := clientCredentialsToken(t, issuer, backend.Client.ID, backend.Secret.Value)
	newKids := jwksKids(t, issuer)
	if len(newKids) != 2 || !contains(newKids, oldKids[0]) {
		t.Fatalf("after rotation the JWKS must hold the old and the new key: %v", newKids)
	}
	if k := kidOf(t, after); k == oldKids[0] || !contains(newKids, k) {
		t.Fatalf("token after rotation has kid %s; JWKS %v", k, newKids)
	}
	ks := oidc.NewRemoteKeySet(context.Background(), issuer+"/.well-known/jwks.json")
	for name, tok := range map[string]string{"before": before, "after": after} {
		if _, err := ks.VerifySignature(context.Background(), tok); err != nil {
			t.Errorf("go-oidc rejected the token signed %s the rotation: %v", name, err)
		}
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// TestSec20NoOpenRedirectorInOurPages: SECURITY-TESTS case 20. The hosted
// pages take no return_to/next/redirect parameter: whatever is sent, a
// sign-in without an authorization request lands on the tenant's own start
// page and logout never redirects off-site without a registered URI.
func TestSec20NoOpenRedirectorInOurPages(t *testing.T) {
	s := newStack(t)
	issuer, _ := s.tenantWithClient(t, "redir")
	evil := []string{"//evil.example", "/\\evil.example", "https:evil.example", "javascript:alert(1)", "data:text/html,x", "%2F%2Fevil.example", "/%0d%0aLocation:%20https://evil.example", "https://evil.example"}
	for i, v := range evil {
		email := fmt.Sprintf("u%d@example.com", i) // one address each: sign-ins are rate-limited per address
		if _, err := s.manage.CreateUser(s.ctx, "redir", manage.UserInput{Email: email}); err != nil {
			t.Fatal(err)
		}
		q := "?return_to=" + url.QueryEscape(v) + "&next=" + url.QueryEscape(v) + "&redirect=" + url.QueryEscape(v) + "&redirect_uri=" + url.QueryEscape(v)
		c := browser(t)
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		// Login page → email → PIN, all carrying the parameters.
		resp, body := get(t, c, issuer+"/oauth2/login"+q)
		if resp.StatusCode != 200 {
			t.Fatalf("login page with %q: %d", v, resp.StatusCode)
		}
		form := formValues(t, body)
		form.Set("email", email)
		for _, k := range []string{"return_to", "next", "redirect"} {
			form.Set(k, v)
		}
		resp, _ = post(t, c, issuer+"/oauth2/login"+q, form, s.url)
		loc := resp.Header.Get("Location")
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("email step with %q: %d", v, resp.StatusCode)
		}
		assertLocal(t, v, loc, issuer)
		resp, body = get(t, c, s.url+loc)
		s.srv.Drain()
		msg, _ := s.outbox.Last(email)
		form = formValues(t, body)
		form.Set("pin", pinPattern.FindString(msg.Text))
		for _, k := range []string{"return_to", "next", "redirect"} {
			form.Set(k, v)
		}
		resp, _ = post(t, c, s.url+loc+"&"+strings.TrimPrefix(q, "?"), form, s.url)
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("PIN with %q: %d", v, resp.StatusCode)
		}
		assertLocal(t, v, resp.Header.Get("Location"), issuer)
		if got := resp.Header.Get("Location"); got != "/t/redir/" {
			t.Fatalf("sign-in without a request must land on the start page, got %q", got)
		}
		// Logout with an unregistered post_logout_redirect_uri never redirects.
		resp, _ = get(t, c, issuer+"/oauth2/logout?post_logout_redirect_uri="+url.QueryEscape(v)+"&client_id=shop-app")
		if l := resp.Header.Get("Location"); l != "" {
			t.Fatalf("logout redirected to %q for post_logout_redirect_uri %q", l, v)
		}
	}
}

// assertLocal fails unless loc is empty or a same-origin path of issuer.
func assertLocal(t *testing.T, sent, loc, issuer string) {
	t.Helper()
	if loc == "" {
		return
	}
	u, err := url.Parse(loc)
	if err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") {
		t.Fatalf("with %q the page redirected to %q", sent, loc)
	}
	_ = issuer
}
