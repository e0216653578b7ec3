package app

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/pgtest"
	"github.com/authalla/authalla/internal/seed"
)

// TestSeed loads a small seed on SQLite and on PostgreSQL and checks the
// counts, that a seeded user is found by an email search (CLI and
// management API with the seeded backend client's token), that seeded
// tenants serve discovery and a JWKS with their key, and that a second
// run refuses.
func TestSeed(t *testing.T) {
	for _, db := range []string{"sqlite", "postgres"} {
		t.Run(db, func(t *testing.T) {
			h := newHarness(t)
			var extra []string
			if db == "postgres" {
				extra = []string{"--database-url", seedPostgresDB(t), "--master-key", testMasterKey(t)}
			}
			plan := seed.Plan{Tenants: 20, Users: 2000, LargeTenantUsers: 500}
			args := append([]string{"seed", "--tenants", "20", "--users", "2000", "--large-tenant-users", "500"}, extra...)
			res := h.okJSON(args...)
			rows, _ := res["rows"].(map[string]any)
			for table, want := range map[string]float64{"tenants": 20, "users": 2000, "signing_keys": 20,
				"resource_servers": 20, "clients": 40, "client_secrets": 20} {
				if rows[table] != want {
					t.Errorf("rows[%s] = %v, want %v (all: %v)", table, rows[table], want, rows)
				}
			}
			if res["users"] != float64(2000) || res["tenants"] != float64(20) {
				t.Errorf("seed result %v", res)
			}

			// The CLI finds seeded users by their whole address, in the
			// large tenant and in a small one.
			for _, c := range []struct {
				tenant int
				user   int
			}{{1, 499}, {7, plan.UsersIn(7) - 1}} {
				id := seed.TenantID(c.tenant)
				u := seed.UserAt(id, c.user)
				out := h.okJSON(append([]string{"user", "list", "--local", "--tenant", id, "--search", strings.ToUpper(u.Email)}, extra...)...)
				items, _ := out["items"].([]any)
				if len(items) != 1 || items[0].(map[string]any)["id"] != u.ID || items[0].(map[string]any)["email"] != u.Email {
					t.Errorf("search %s in %s: %v, want %s", u.Email, id, out, u.ID)
				}
			}

			creds := readSeedCredentials(t, filepath.Join(h.dataDir, "seed-credentials.jsonl"))
			if len(creds) != 20 || creds[0].Users != 500 || creds[6].Users != plan.UsersIn(7) {
				t.Fatalf("credentials file: %d lines, first %+v", len(creds), creds[0])
			}

			_, base, stop, stderr := startServe(t, h.dataDir, extra...)
			stopped := false
			defer func() {
				if !stopped {
					stop()
				}
			}()
			tenant := seed.TenantID(7)
			issuer := "http://localhost:8080/t/" + tenant
			var meta struct {
				Issuer  string   `json:"issuer"`
				JWKSURI string   `json:"jwks_uri"`
				Algs    []string `json:"id_token_signing_alg_values_supported"`
			}
			seedGet(t, base, "/t/"+tenant+"/.well-known/openid-configuration", "", &meta)
			if meta.Issuer != issuer || meta.JWKSURI != issuer+"/.well-known/jwks.json" {
				t.Errorf("discovery of %s: %+v", tenant, meta)
			}
			var jwks struct {
				Keys []struct {
					Kid, Alg, Kty string
				} `json:"keys"`
			}
			seedGet(t, base, "/t/"+tenant+"/.well-known/jwks.json", "", &jwks)
			if len(jwks.Keys) != 1 || jwks.Keys[0].Alg != "ES256" || jwks.Keys[0].Kty != "EC" || jwks.Keys[0].Kid == "" {
				t.Errorf("JWKS of %s: %+v", tenant, jwks)
			}

			// The seeded backend client gets a management token and finds
			// a user of its tenant by email through the API.
			c := creds[6]
			form := url.Values{"grant_type": {"client_credentials"}, "resource": {"urn:authalla:management"}, "scope": {"users:read"}}
			req, _ := http.NewRequest(http.MethodPost, base+"/t/"+tenant+"/oauth2/token", strings.NewReader(form.Encode()))
			req.Host = "localhost:8080"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.SetBasicAuth(c.ClientID, c.ClientSecret)
			var tok struct {
				AccessToken string `json:"access_token"`
			}
			seedDo(t, req, &tok)
			u := seed.UserAt(tenant, 3)
			var list struct {
				Items []struct{ ID, Email string } `json:"users"`
				Total int                          `json:"total"`
			}
			seedGet(t, base, "/t/"+tenant+"/api/v1/users?search="+url.QueryEscape(u.Email), tok.AccessToken, &list)
			if list.Total != 1 || len(list.Items) != 1 || list.Items[0].ID != u.ID {
				t.Errorf("API search for %s: %+v", u.Email, list)
			}

			// A second run refuses and changes nothing.
			stopped = true
			if code := stop(); code != 0 {
				t.Errorf("serve exited %d: %s", code, stderr.String())
			}
			code, _, errOut := h.run(args...)
			if code == 0 || !strings.Contains(errOut, "already seeded") {
				t.Errorf("second seed: exit %d, stderr %q; want a refusal", code, errOut)
			}
			out := h.okJSON(append([]string{"user", "list", "--local", "--tenant", seed.TenantID(2)}, extra...)...)
			if out["total"] != float64(plan.UsersIn(2)) {
				t.Errorf("after the refused run tenant 2 has %v users, want %d", out["total"], plan.UsersIn(2))
			}
		})
	}
}

func readSeedCredentials(t *testing.T, path string) []seedCredential {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("credentials file mode %v (%v), want 0600", fi.Mode().Perm(), err)
	}
	var out []seedCredential
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var c seedCredential
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("credentials line %q: %v", sc.Text(), err)
		}
		out = append(out, c)
	}
	return out
}

// seedGet GETs path on the server (as the public host, so that path
// issuers apply) with an optional bearer token and decodes the JSON.
func seedGet(t *testing.T, base, path, bearer string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+path, nil)
	req.Host = "localhost:8080"
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	seedDo(t, req, out)
}

func seedDo(t *testing.T, req *http.Request, out any) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s %s: %s: %s", req.Method, req.URL.Path, resp.Status, body)
	}
	if err := json.Unmarshal(body, out); err != nil {
		t.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, body)
	}
}

func testMasterKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// seedPostgresDB creates an empty database on AUTHALLA_TEST_POSTGRES_URL's
// server, dropped when the test ends; without the variable the test is
// skipped (and fails in CI, which must cover PostgreSQL).
func seedPostgresDB(t *testing.T) string {
	t.Helper()
	return pgtest.FreshDatabase(t, "app_seed_")
}
