package oauth

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
)

func TestCheckClientIDURL(t *testing.T) {
	ok := []string{
		"https://app.example.com/client.json",
		"https://app.example.com/",
		"https://app.example.com:8443/oauth/client-metadata",
		"https://127.0.0.1:4443/c", // the address policy, not the grammar, decides on hosts
		"https://[2001:db8::1]/c",
		"https://app.example.com/a%20b/c",
	}
	for _, id := range ok {
		if err := checkClientIDURL(id); err != nil {
			t.Errorf("checkClientIDURL(%q) = %v, want ok", id, err)
		}
	}
	bad := map[string]string{
		"http://app.example.com/client.json":                  "https",
		"HTTPS://app.example.com/client.json":                 "https",
		"https://app.example.com":                             "path",
		"https:///client.json":                                "host",
		"https://app.example.com:/client.json":                "host",
		"https://user:pw@app.example.com/c":                   "user information",
		"https://user@app.example.com/c":                      "user information",
		"https://app.example.com/c#frag":                      "fragment",
		"https://app.example.com/c#":                          "fragment",
		"https://app.example.com/c?v=1":                       "query",
		"https://app.example.com/a/../c":                      ". or ..",
		"https://app.example.com/./c":                         ". or ..",
		"https://app.example.com/a/%2E%2e/c":                  ". or ..",
		"https://app.example.com/a b":                         "characters",
		"https://app.example.com/a\\b":                        "characters",
		"https://app.example.com/ä":                           "characters",
		"https://app.example.com/" + strings.Repeat("a", 250): "too long",
	}
	for id, want := range bad {
		err := checkClientIDURL(id)
		me := asClientMetadataError(err)
		if me == nil || !strings.Contains(me.reason, want) {
			t.Errorf("checkClientIDURL(%q) = %v, want a refusal mentioning %q", id, err, want)
		}
		if !errors.Is(err, idp.ErrNotFound) {
			t.Errorf("checkClientIDURL(%q): a refusal must read as no such client", id)
		}
	}
}

func TestLooksLikeURLClientID(t *testing.T) {
	for id, want := range map[string]bool{
		"https://a.example/c": true, "HTTP://a.example/c": true, "http://a.example/c": true,
		"app": false, "authalla-admin": false, "Xy7kP2": false, "urn:x": false, "": false,
	} {
		if got := looksLikeURLClientID(id); got != want {
			t.Errorf("looksLikeURLClientID(%q) = %v, want %v", id, got, want)
		}
	}
}

func TestParseClientMetadata(t *testing.T) {
	const id = "https://app.example.com/client.json"
	good := `{"client_id":"` + id + `","client_name":"Example Agent","client_uri":"https://app.example.com",
		"redirect_uris":["http://127.0.0.1/callback","https://app.example.com/cb"],
		"token_endpoint_auth_method":"none","grant_types":["authorization_code","refresh_token"],
		"response_types":["code"],"logo_uri":"https://app.example.com/logo.png","software_id":"x"}`
	c, err := parseClientMetadata(id, []byte(good))
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != id || c.Name != "Example Agent" || c.ClientURI != "https://app.example.com" ||
		!slices.Equal(c.RedirectURIs, []string{"http://127.0.0.1/callback", "https://app.example.com/cb"}) {
		t.Fatalf("client = %+v", c)
	}
	minimal := `{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"]}`
	if _, err := parseClientMetadata(id, []byte(minimal)); err != nil {
		t.Fatalf("minimal document refused: %v", err)
	}

	bad := map[string]struct{ doc, want string }{
		"not JSON":            {`<html>`, "not a JSON object"},
		"array":               {`[{"client_id":"` + id + `"}]`, "not a JSON object"},
		"null":                {`null`, "not a JSON object"},
		"string":              {`"` + id + `"`, "not a JSON object"},
		"trailing content":    {minimal + `{}`, "after its JSON object"},
		"no client_id":        {`{"redirect_uris":["http://localhost/cb"]}`, "no client_id"},
		"other client_id":     {`{"client_id":"https://evil.example/client.json","redirect_uris":["http://localhost/cb"]}`, "not the URL"},
		"client_id differs":   {`{"client_id":"` + id + `/","redirect_uris":["http://localhost/cb"]}`, "not the URL"},
		"client_id case":      {`{"client_id":"https://APP.example.com/client.json","redirect_uris":["http://localhost/cb"]}`, "not the URL"},
		"client_id not text":  {`{"client_id":42,"redirect_uris":["http://localhost/cb"]}`, "wrong type"},
		"redirects not list":  {`{"client_id":"` + id + `","redirect_uris":"http://localhost/cb"}`, "wrong type"},
		"no redirect_uris":    {`{"client_id":"` + id + `"}`, "no redirect_uris"},
		"empty redirect_uris": {`{"client_id":"` + id + `","redirect_uris":[]}`, "no redirect_uris"},
		"client_secret_basic": {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"client_secret_basic"}`, "shared secret"},
		"client_secret_post":  {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"client_secret_post"}`, "shared secret"},
		"client_secret_jwt":   {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"client_secret_jwt"}`, "shared secret"},
		"private_key_jwt":     {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"private_key_jwt"}`, `"private_key_jwt" is not supported`},
		"odd method quoted":   {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"token_endpoint_auth_method":"<b>\n"}`, `"<b>?" is not supported`},
		"client_secret":       {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"client_secret":"s3cret"}`, "client_secret"},
		"secret expiry":       {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"client_secret_expires_at":0}`, "client_secret_expires_at"},
		"implicit grant":      {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"grant_types":["implicit"]}`, "grant_types"},
		"client credentials":  {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"grant_types":["authorization_code","client_credentials"]}`, "grant_types"},
		"refresh only":        {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"grant_types":["refresh_token"]}`, "must include authorization_code"},
		"token response":      {`{"client_id":"` + id + `","redirect_uris":["http://localhost/cb"],"response_types":["code","token"]}`, "response_types"},
	}
	for name, tc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := parseClientMetadata(id, []byte(tc.doc))
			me := asClientMetadataError(err)
			if me == nil || !strings.Contains(me.reason, tc.want) {
				t.Fatalf("err = %v, want a refusal mentioning %q", err, tc.want)
			}
			if strings.Contains(me.reason, "s3cret") {
				t.Fatal("the refusal quotes the document's secret")
			}
		})
	}
}
