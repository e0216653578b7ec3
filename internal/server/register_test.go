package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestDynamicRegistrationWired: through the production wiring, the admin
// tenant at the public URL advertises and serves RFC 7591 registration
// (manage stores the client), and a tenant's issuer does not.
func TestDynamicRegistrationWired(t *testing.T) {
	s := newStack(t)
	c := &http.Client{Timeout: 10 * time.Second}
	var meta struct {
		RegistrationEndpoint string   `json:"registration_endpoint"`
		ScopesSupported      []string `json:"scopes_supported"`
	}
	res, body := get(t, c, s.url+"/.well-known/oauth-authorization-server")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("discovery: %d", res.StatusCode)
	}
	if err := json.Unmarshal([]byte(body), &meta); err != nil {
		t.Fatal(err)
	}
	if meta.RegistrationEndpoint != s.url+"/oauth2/register" {
		t.Fatalf("registration_endpoint = %q", meta.RegistrationEndpoint)
	}

	regBody := `{"client_name":"Claude Code","redirect_uris":["http://127.0.0.1:33418/callback"],"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"]}`
	res, err := c.Post(meta.RegistrationEndpoint, "application/json", strings.NewReader(regBody))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var reg struct {
		ClientID              string `json:"client_id"`
		RegistrationClientURI string `json:"registration_client_uri"`
		RegistrationToken     string `json:"registration_access_token"`
	}
	if err := json.NewDecoder(res.Body).Decode(&reg); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %v", res.StatusCode, err)
	}
	if reg.RegistrationClientURI != s.url+"/oauth2/register/"+reg.ClientID || reg.RegistrationToken == "" {
		t.Fatalf("registration answer %+v", reg)
	}
	got, err := s.manage.GetClient(s.ctx, "admin", reg.ClientID)
	if err != nil || !got.Dynamic || !got.ThirdParty {
		t.Fatalf("stored client %+v, %v", got, err)
	}

	issuer, _ := s.tenantWithClient(t, "shop")
	res, err = c.Post(issuer+"/oauth2/register", "application/json", strings.NewReader(regBody))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Fatalf("registration on a tenant: %d, want 404", res.StatusCode)
	}
}
