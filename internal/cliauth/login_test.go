package cliauth

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestCheckCallback(t *testing.T) {
	const state, iss = "state-1", "https://auth.example.com"
	for _, tc := range []struct {
		name        string
		query       string
		issRequired bool
		wantCode    string
		wantErr     string
	}{
		{"good", "code=c1&state=state-1&iss=https%3A%2F%2Fauth.example.com", true, "c1", ""},
		{"good without iss when not promised", "code=c1&state=state-1", false, "c1", ""},
		{"state mismatch", "code=c1&state=other&iss=https%3A%2F%2Fauth.example.com", true, "", "state"},
		{"state missing", "code=c1&iss=https%3A%2F%2Fauth.example.com", true, "", "state"},
		{"state prefix", "code=c1&state=state-&iss=https%3A%2F%2Fauth.example.com", true, "", "state"},
		{"iss mismatch", "code=c1&state=state-1&iss=https%3A%2F%2Fevil.example.com", false, "", "issuer"},
		{"iss repeated", "code=c1&state=state-1&iss=https%3A%2F%2Fauth.example.com&iss=https%3A%2F%2Fauth.example.com", true, "", "issuer"},
		{"iss missing though promised", "code=c1&state=state-1", true, "", "RFC 9207"},
		{"error with bad state is a state error", "error=access_denied&state=x", true, "", "state"},
		{"error", "error=access_denied&error_description=no&state=state-1&iss=https%3A%2F%2Fauth.example.com", true, "", "access_denied: no"},
		{"no code", "state=state-1&iss=https%3A%2F%2Fauth.example.com", true, "", "no authorization code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			code, err := checkCallback(q, state, iss, tc.issRequired)
			if tc.wantErr == "" {
				if err != nil || code != tc.wantCode {
					t.Fatalf("= %q, %v; want %q", code, err, tc.wantCode)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || code != "" {
				t.Fatalf("= %q, %v; want an error about %q", code, err, tc.wantErr)
			}
		})
	}
}

func jwtWith(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return "eyJhbGciOiJFUzI1NiJ9." + base64.RawURLEncoding.EncodeToString(b) + ".c2ln"
}

func TestCheckIDToken(t *testing.T) {
	const iss, cid, nonce = "https://auth.example.com", "authalla-cli", "n-1"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	exp := now.Add(time.Minute).Unix()
	for _, tc := range []struct {
		name string
		raw  string
		ok   bool
	}{
		{"good", jwtWith(map[string]any{"iss": iss, "aud": cid, "nonce": nonce, "exp": exp}), true},
		{"aud array with azp", jwtWith(map[string]any{"iss": iss, "aud": []string{"x", cid}, "azp": cid, "nonce": nonce, "exp": exp}), true},
		{"aud array without azp", jwtWith(map[string]any{"iss": iss, "aud": []string{"x", cid}, "nonce": nonce, "exp": exp}), false},
		{"other azp", jwtWith(map[string]any{"iss": iss, "aud": cid, "azp": "x", "nonce": nonce, "exp": exp}), false},
		{"missing", "", false},
		{"not a JWT", "abc", false},
		{"other issuer", jwtWith(map[string]any{"iss": "https://evil", "aud": cid, "nonce": nonce, "exp": exp}), false},
		{"other audience", jwtWith(map[string]any{"iss": iss, "aud": "x", "nonce": nonce, "exp": exp}), false},
		{"other nonce", jwtWith(map[string]any{"iss": iss, "aud": cid, "nonce": "n-2", "exp": exp}), false},
		{"no nonce", jwtWith(map[string]any{"iss": iss, "aud": cid, "exp": exp}), false},
		{"no exp", jwtWith(map[string]any{"iss": iss, "aud": cid, "nonce": nonce}), false},
		{"expired", jwtWith(map[string]any{"iss": iss, "aud": cid, "nonce": nonce, "exp": now.Add(-idTokenLeeway - time.Second).Unix()}), false},
		{"expired within leeway", jwtWith(map[string]any{"iss": iss, "aud": cid, "nonce": nonce, "exp": now.Add(-time.Minute).Unix()}), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := checkIDToken(tc.raw, iss, cid, nonce, now); (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok=%v", err, tc.ok)
			}
		})
	}
}

// fakeAS is an authorization server on loopback: the authorize endpoint
// redirects straight back (the user "signs in" at once) with the
// response the test chooses; the token endpoint checks PKCE.
type fakeAS struct {
	srv       *httptest.Server
	challenge string
	nonce     string
	iss       string // the iss to put in the authorization response ("" = the real one)
	tampered  bool   // send a different state
	exchanged bool
}

func newFakeAS(t *testing.T) *fakeAS {
	f := &fakeAS{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": f.srv.URL, "authorization_endpoint": f.srv.URL + "/authorize", "token_endpoint": f.srv.URL + "/token",
			"revocation_endpoint": f.srv.URL + "/revoke", "code_challenge_methods_supported": []string{"S256"},
			"authorization_response_iss_parameter_supported": true,
		})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if q.Get("code_challenge_method") != "S256" || q.Get("resource") != "urn:test:api" || q.Get("client_id") != "authalla-cli" ||
			!strings.HasPrefix(q.Get("redirect_uri"), "http://127.0.0.1:") || q.Get("scope") != "openid offline_access a:read" {
			t.Errorf("authorization request: %v", q)
		}
		f.challenge, f.nonce = q.Get("code_challenge"), q.Get("nonce")
		iss, state := f.srv.URL, q.Get("state")
		if f.iss != "" {
			iss = f.iss
		}
		if f.tampered {
			state = "attacker"
		}
		back := q.Get("redirect_uri") + "?" + url.Values{"code": {"code-1"}, "state": {state}, "iss": {iss}}.Encode()
		http.Redirect(w, r, back, http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PostFormValue("code") != "code-1" || s256(r.PostFormValue("code_verifier")) != f.challenge ||
			r.PostFormValue("resource") != "urn:test:api" || r.PostFormValue("client_id") != "authalla-cli" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"invalid_grant"}`)
			return
		}
		f.exchanged = true
		json.NewEncoder(w).Encode(map[string]any{
			"access_token": "at-1", "token_type": "Bearer", "expires_in": 600, "refresh_token": "rt-1",
			"id_token": jwtWith(map[string]any{"iss": f.srv.URL, "aud": "authalla-cli", "nonce": f.nonce, "exp": time.Now().Add(time.Minute).Unix()}),
		})
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func TestLogin(t *testing.T) {
	for _, tc := range []struct {
		name     string
		iss      string
		tampered bool
		wantErr  string
	}{
		{"good", "", false, ""},
		{"mix-up: another issuer", "https://evil.example.com", false, "issuer"},
		{"forged state", "", true, "state"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as := newFakeAS(t)
			as.iss, as.tampered = tc.iss, tc.tampered
			hc := &http.Client{Timeout: 5 * time.Second}
			var out strings.Builder
			browserDone := make(chan int, 1)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c, err := Login(ctx, LoginOptions{
				Server: as.srv.URL, ClientID: "authalla-cli", Scopes: []string{"openid", "offline_access", "a:read"},
				Resource: "urn:test:api", HTTP: hc, Out: &out, Wait: 15 * time.Second,
				Open: func(u string) {
					go func() { // the "browser" follows the redirect to the loopback listener
						resp, err := hc.Get(u)
						if err != nil {
							browserDone <- -1
							return
						}
						resp.Body.Close()
						browserDone <- resp.StatusCode
					}()
				},
			})
			status := <-browserDone
			if !strings.Contains(out.String(), as.srv.URL+"/authorize?") {
				t.Errorf("the authorization URL was not printed:\n%s", out.String())
			}
			if tc.wantErr == "" {
				if err != nil || status != http.StatusOK {
					t.Fatalf("Login: %v (callback page %d)", err, status)
				}
				want := Credentials{Server: as.srv.URL, Issuer: as.srv.URL, ClientID: "authalla-cli", TokenEndpoint: as.srv.URL + "/token",
					RevocationEndpoint: as.srv.URL + "/revoke", AccessToken: "at-1", RefreshToken: "rt-1"}
				got := *c
				got.Expiry = time.Time{}
				if got != want || c.Expiry.IsZero() {
					t.Fatalf("credentials %+v", c)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || status != http.StatusBadRequest {
				t.Fatalf("Login: %v (callback page %d); want an error about %q", err, status, tc.wantErr)
			}
			if as.exchanged {
				t.Fatal("the code was exchanged despite a bad authorization response")
			}
		})
	}
}

func TestDiscoverRefusesAnotherIssuer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": "https://other.example.com", "authorization_endpoint": "https://other.example.com/a",
			"token_endpoint": "https://other.example.com/t", "code_challenge_methods_supported": []string{"S256"}})
	}))
	defer srv.Close()
	if _, err := Discover(context.Background(), &http.Client{Timeout: 5 * time.Second}, srv.URL); err == nil || !strings.Contains(err.Error(), "issuer") {
		t.Fatalf("Discover: %v", err)
	}
}

func TestNormalizeServer(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"https://auth.example.com/", "https://auth.example.com"},
		{"https://auth.example.com/base", "https://auth.example.com/base"},
		{"http://localhost:8080", "http://localhost:8080"},
		{"http://127.0.0.1:9000/", "http://127.0.0.1:9000"},
		{"http://auth.example.com", ""},
		{"ftp://auth.example.com", ""},
		{"auth.example.com", ""},
		{"https://u:p@auth.example.com", ""},
		{"https://auth.example.com?x=1", ""},
	} {
		got, err := NormalizeServer(tc.in)
		if got != tc.want || (err == nil) != (tc.want != "") {
			t.Errorf("NormalizeServer(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
