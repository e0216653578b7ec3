package app

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/cliauth"
)

func TestSelectTarget(t *testing.T) {
	cfg := t.TempDir()
	loggedIn := &env{getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}}
	if err := cliauth.Save(filepath.Join(cfg, "authalla", "credentials.json"), sampleCredentials("https://a.example.com")); err != nil {
		t.Fatal(err)
	}
	noConfig := &env{getenv: func(string) string { return "" }}
	for _, tc := range []struct {
		name       string
		e          *env
		args       []string
		wantRemote bool
		wantRest   []string
		wantErr    bool
	}{
		{"logged in", loggedIn, []string{"--json"}, true, []string{"--json"}, false},
		{"logged in, --local", loggedIn, []string{"--local", "--json"}, false, []string{"--json"}, false},
		{"logged in, -local=true", loggedIn, []string{"-local=true"}, false, nil, false},
		{"not logged in", noConfig, []string{"x"}, false, []string{"x"}, false},
		{"--server", noConfig, []string{"--server", "https://a"}, true, []string{"--server", "https://a"}, false},
		{"--server=URL", noConfig, []string{"--server=https://a"}, true, []string{"--server=https://a"}, false},
		{"both", loggedIn, []string{"--server=https://a", "--local"}, false, nil, true},
		{"after --", loggedIn, []string{"--", "--local"}, true, []string{"--", "--local"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			remote, rest, err := selectTarget(tc.e, tc.args)
			if (err != nil) != tc.wantErr || (err == nil && (remote != tc.wantRemote || !slices.Equal(rest, tc.wantRest))) {
				t.Fatalf("= %v %q %v; want %v %q (error %v)", remote, rest, err, tc.wantRemote, tc.wantRest, tc.wantErr)
			}
		})
	}
}

func sampleCredentials(server string) *cliauth.Credentials {
	return &cliauth.Credentials{Server: server, Issuer: server, ClientID: "authalla-cli", TokenEndpoint: server + "/oauth2/token",
		AccessToken: "at-1", RefreshToken: "rt-1", Expiry: time.Now().Add(time.Hour), DefaultTenant: "acme"}
}

// TestAPIClientCall: the bearer token and X-Tenant-ID are sent; a 401
// is retried once after a refresh (with the rotated tokens saved); an
// error answer becomes its error_description with the field details.
func TestAPIClientCall(t *testing.T) {
	var seen []string
	mux := http.NewServeMux()
	mux.HandleFunc("POST /oauth2/token", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.PostFormValue("refresh_token") != "rt-1" {
			w.WriteHeader(http.StatusBadRequest)
			w.Write([]byte(`{"error":"invalid_grant"}`))
			return
		}
		w.Write([]byte(`{"access_token":"at-2","token_type":"Bearer","expires_in":900,"refresh_token":"rt-2"}`))
	})
	mux.HandleFunc("GET /api/v1/things", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.Header.Get("Authorization")+"|"+r.Header.Get("X-Tenant-ID"))
		if r.Header.Get("Authorization") != "Bearer at-2" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"things": []string{"a"}, "total": 7})
	})
	mux.HandleFunc("POST /api/v1/things", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		w.Write([]byte(`{"error":"invalid_request","error_description":"invalid name: too long","fields":{"name":"too long","b":"x"}}`))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	path := filepath.Join(t.TempDir(), "authalla", "credentials.json")
	creds := sampleCredentials(srv.URL)
	if err := cliauth.Save(path, creds); err != nil {
		t.Fatal(err)
	}
	hc := &http.Client{Timeout: 5 * time.Second}
	api := &apiClient{http: hc, base: srv.URL, tenant: "acme", tokens: &cliauth.Tokens{Path: path, Creds: creds, HTTP: hc}}
	tenant, err := api.tenantFor("")
	if err != nil || tenant != "acme" {
		t.Fatalf("tenantFor: %q %v", tenant, err)
	}
	items, total, err := list[string](context.Background(), api, "/api/v1/things", tenant, "things", nil)
	if err != nil || total != 7 || !slices.Equal(items, []string{"a"}) {
		t.Fatalf("list: %v %d %v", items, total, err)
	}
	if !slices.Equal(seen, []string{"Bearer at-1|acme", "Bearer at-2|acme"}) {
		t.Fatalf("requests %v", seen)
	}
	if saved, err := cliauth.Load(path); err != nil || saved.RefreshToken != "rt-2" || saved.AccessToken != "at-2" {
		t.Fatalf("the rotated tokens were not saved: %+v %v", saved, err)
	}

	err = api.call(context.Background(), http.MethodPost, "/api/v1/things", tenant, body{"name": "x"}, nil)
	var re *remoteError
	if !errors.As(err, &re) || re.Status != 400 || err.Error() != "invalid name: too long (b: x; name: too long)" {
		t.Fatalf("error answer: %v", err)
	}

	// The refresh token is refused: the operator is told to log in again.
	api.tokens.Creds.AccessToken, api.tokens.Creds.RefreshToken = "at-old", "rt-old"
	if err := cliauth.Save(path, api.tokens.Creds); err != nil {
		t.Fatal(err)
	}
	_, _, err = list[string](context.Background(), api, "/api/v1/things", tenant, "things", nil)
	if !errors.Is(err, cliauth.ErrSessionExpired) || !strings.Contains(describe(err), "authalla login") {
		t.Fatalf("refused refresh: %v", err)
	}

	api.tenant = ""
	if _, err := api.tenantFor(""); !isUsage(err) {
		t.Fatalf("no tenant: %v", err)
	}
}
