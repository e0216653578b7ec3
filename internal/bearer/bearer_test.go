package bearer

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/tenant"
)

// fakeKeys stands in for the tenant's key set: a token "h.<claims>.sig-<tenant>"
// verifies for that tenant with typ taken from the header part; anything
// else is keys.ErrInvalidToken. The real signature checks are package
// keys' tests; these are about the claims.
type fakeKeys struct{ err error }

func (f fakeKeys) Verify(_ context.Context, tenantID, raw string) (*keys.Verified, error) {
	if f.err != nil {
		return nil, f.err
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 || parts[2] != "sig-"+tenantID {
		return nil, keys.ErrInvalidToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, keys.ErrInvalidToken
	}
	return &keys.Verified{KeyID: "k1", Alg: "RS256", Type: parts[0], Payload: payload}, nil
}

type fakeStatus struct {
	revoked map[string]bool
	err     error
}

func (f fakeStatus) AccessTokenActive(_ context.Context, _, jti string) (bool, error) {
	return !f.revoked[jti], f.err
}

func token(typ, tenantID string, claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return typ + "." + base64.RawURLEncoding.EncodeToString(b) + ".sig-" + tenantID
}

func TestVerify(t *testing.T) {
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "admin", Admin: true}, Issuer: "https://login.example.com"}
	const aud = "https://login.example.com/mcp"
	good := func() map[string]any {
		return map[string]any{
			"iss": info.Issuer, "sub": "usr_1", "aud": []string{aud, "https://other.example"},
			"exp": now.Add(time.Minute).Unix(), "nbf": now.Add(-time.Minute).Unix(), "iat": now.Add(-time.Minute).Unix(),
			"jti": "j1", "tid": "admin", "client_id": "c1", "scope": "mcp:read mcp:write", "auth_time": now.Add(-time.Hour).Unix(),
		}
	}
	with := func(k string, v any) string {
		c := good()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return token("at+jwt", "admin", c)
	}
	cases := []struct {
		name     string
		raw      string
		audience string
		keys     fakeKeys
		status   fakeStatus
		want     error // nil: accepted
	}{
		{"valid", token("at+jwt", "admin", good()), aud, fakeKeys{}, fakeStatus{}, nil},
		{"valid with media type typ", token("application/at+jwt", "admin", good()), aud, fakeKeys{}, fakeStatus{}, nil},
		{"single audience string", with("aud", aud), aud, fakeKeys{}, fakeStatus{}, nil},
		{"not a JWS", "opaque-token", aud, fakeKeys{}, fakeStatus{}, ErrForged},
		{"another tenant's signature", token("at+jwt", "acme", good()), aud, fakeKeys{}, fakeStatus{}, ErrForged},
		{"ID token (typ JWT)", token("JWT", "admin", good()), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"wrong issuer", with("iss", "https://acme.example.com"), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"wrong tenant claim", with("tid", "acme"), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"management audience at MCP", with("aud", "urn:authalla:management"), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"MCP audience with a trailing slash", with("aud", aud+"/"), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"audience differs in case", with("aud", strings.ToUpper(aud)), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"no audience required is refused", token("at+jwt", "admin", good()), "", fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"expired", with("exp", now.Unix()), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"not yet valid", with("nbf", now.Add(time.Second).Unix()), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"no exp", with("exp", nil), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"no jti", with("jti", nil), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"no sub", with("sub", nil), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"no client_id", with("client_id", nil), aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"claims not JSON", "at+jwt." + base64.RawURLEncoding.EncodeToString([]byte("{")) + ".sig-admin", aud, fakeKeys{}, fakeStatus{}, ErrInvalidToken},
		{"revoked", token("at+jwt", "admin", good()), aud, fakeKeys{}, fakeStatus{revoked: map[string]bool{"j1": true}}, ErrInvalidToken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := &Verifier{Keys: c.keys, Tokens: c.status, Clock: idp.NewFakeClock(now)}
			got, err := v.Verify(context.Background(), info, c.audience, c.raw)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if got.Subject != "usr_1" || !got.HasScope("mcp:write") || got.HasScope("mcp:admin") || !got.IsUser() {
					t.Fatalf("claims = %+v", got)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v, want %v", err, c.want)
			}
			if c.want == ErrInvalidToken && errors.Is(err, ErrForged) {
				t.Fatalf("a token of ours counted as forged: %v", err)
			}
		})
	}
}

func TestVerifyInfrastructureErrors(t *testing.T) {
	info := &tenant.Info{Tenant: &idp.Tenant{ID: "admin"}, Issuer: "https://login.example.com"}
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	raw := token("at+jwt", "admin", map[string]any{"iss": info.Issuer, "sub": "u", "aud": "a", "exp": now.Add(time.Minute).Unix(), "jti": "j", "tid": "admin", "client_id": "c"})
	down := errors.New("database down")
	for name, v := range map[string]*Verifier{
		"keys":   {Keys: fakeKeys{err: down}, Tokens: fakeStatus{}, Clock: idp.NewFakeClock(now)},
		"status": {Keys: fakeKeys{}, Tokens: fakeStatus{err: down}, Clock: idp.NewFakeClock(now)},
	} {
		_, err := v.Verify(context.Background(), info, "a", raw)
		if !errors.Is(err, down) || errors.Is(err, ErrInvalidToken) {
			t.Errorf("%s failure: %v, want a server error (not invalid_token)", name, err)
		}
	}
}

func TestFromRequest(t *testing.T) {
	cases := []struct {
		name      string
		headers   []string
		wantToken string
		wantSent  bool
	}{
		{"none", nil, "", false},
		{"bearer", []string{"Bearer abc.def.ghi"}, "abc.def.ghi", true},
		{"scheme is case-insensitive", []string{"bearer abc"}, "abc", true},
		{"basic", []string{"Basic dXNlcjpwYXNz"}, "", true},
		{"empty bearer", []string{"Bearer "}, "", true},
		{"two headers", []string{"Bearer a", "Bearer b"}, "", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "/mcp?access_token=from-query", nil)
			for _, h := range c.headers {
				r.Header.Add("Authorization", h)
			}
			tok, sent := FromRequest(r)
			if tok != c.wantToken || sent != c.wantSent {
				t.Fatalf("FromRequest = %q, %v; want %q, %v", tok, sent, c.wantToken, c.wantSent)
			}
		})
	}
}

func TestClaimsIsUser(t *testing.T) {
	for _, c := range []struct {
		claims Claims
		want   bool
	}{
		{Claims{Subject: "usr_1", ClientID: "c1", AuthTime: 1}, true},
		{Claims{Subject: "c1", ClientID: "c1", AuthTime: 0}, false},
		{Claims{Subject: "usr_1", ClientID: "c1", AuthTime: 0}, false},
		{Claims{Subject: "c1", ClientID: "c1", AuthTime: 1}, false},
	} {
		if got := c.claims.IsUser(); got != c.want {
			t.Errorf("%+v.IsUser() = %v", c.claims, got)
		}
	}
}
