package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

func TestFloorIssuesVerifiableTokens(t *testing.T) {
	for _, alg := range []string{"RS256", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			srv := httptest.NewUnstartedServer(nil)
			issuer := "http://" + srv.Listener.Addr().String() + "/t/bench"
			f, err := newFloor(issuer, options{alg: alg, tenant: "bench", clientID: "c1", clientSecret: "s3cret", accessTTL: 15 * time.Minute})
			if err != nil {
				t.Fatal(err)
			}
			f.now = func() time.Time { return time.Unix(1_800_000_000, 0) }
			srv.Config.Handler = f.routes()
			srv.Start()
			defer srv.Close()

			var jwks jose.JSONWebKeySet
			getJSON(t, issuer+"/.well-known/jwks.json", &jwks)
			var disc map[string]any
			getJSON(t, issuer+"/.well-known/openid-configuration", &disc)
			if disc["issuer"] != issuer || disc["jwks_uri"] != issuer+"/.well-known/jwks.json" {
				t.Fatalf("discovery: %v", disc)
			}

			status, body := postToken(t, issuer, "c1", "s3cret", "client_credentials")
			if status != http.StatusOK {
				t.Fatalf("token: %d %s", status, body)
			}
			var resp tokenResponse
			if err := json.Unmarshal([]byte(body), &resp); err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSignedCompact(resp.AccessToken, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			h := jws.Signatures[0].Header
			if h.ExtraHeaders[jose.HeaderType] != "at+jwt" || len(jwks.Keys) != 1 || h.KeyID != jwks.Keys[0].KeyID {
				t.Fatalf("header %+v, jwks %+v", h, jwks.Keys)
			}
			payload, err := jws.Verify(jwks.Keys[0].Key)
			if err != nil {
				t.Fatal(err)
			}
			var c accessClaims
			if err := json.Unmarshal(payload, &c); err != nil {
				t.Fatal(err)
			}
			if c.Issuer != issuer || c.Subject != "c1" || c.Audience != "c1" || c.ClientID != "c1" || c.TenantID != "bench" ||
				c.IssuedAt != 1_800_000_000 || c.Expiry != 1_800_000_900 || len(c.JTI) != 22 {
				t.Fatalf("claims %+v", c)
			}
		})
	}
}

func TestFloorRefuses(t *testing.T) {
	srv := httptest.NewUnstartedServer(nil)
	issuer := "http://" + srv.Listener.Addr().String() + "/t/bench"
	f, err := newFloor(issuer, options{alg: "ES256", tenant: "bench", clientID: "c1", clientSecret: "s3cret", accessTTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = f.routes()
	srv.Start()
	defer srv.Close()
	cases := []struct {
		name, id, secret, grant string
		want                    int
	}{
		{"wrong secret", "c1", "s3cre", "client_credentials", http.StatusUnauthorized},
		{"wrong client", "c2", "s3cret", "client_credentials", http.StatusUnauthorized},
		{"wrong grant", "c1", "s3cret", "password", http.StatusBadRequest},
	}
	for _, tc := range cases {
		if status, body := postToken(t, issuer, tc.id, tc.secret, tc.grant); status != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, status, body, tc.want)
		}
	}
}

func TestCheckLoopback(t *testing.T) {
	for addr, ok := range map[string]bool{
		"127.0.0.1:1": true, "[::1]:1": true, "localhost:1": true,
		"0.0.0.0:1": false, ":1": false, "192.0.2.1:1": false, "nonsense": false,
	} {
		if err := checkLoopback(addr); (err == nil) != ok {
			t.Errorf("checkLoopback(%q) = %v, want ok=%v", addr, err, ok)
		}
	}
}

func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", u, res.Status)
	}
	if err := json.NewDecoder(res.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

func postToken(t *testing.T, issuer, id, sec, grant string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, issuer+"/oauth2/token", strings.NewReader(url.Values{"grant_type": {grant}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(url.QueryEscape(id), url.QueryEscape(sec))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}
