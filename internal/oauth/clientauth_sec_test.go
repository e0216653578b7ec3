package oauth_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// TestSec25ClientAuthFailures covers RFC 6749 §2.3.1 and §5.2 as
// SECURITY-TESTS 25 lists them.
func TestSec25ClientAuthFailures(t *testing.T) {
	h := oauthtest.New(t)
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	sec := h.Secret(tid, cid)
	cc := url.Values{"grant_type": {"client_credentials"}}
	code := func() url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {"x"}, "redirect_uri": {h.RedirectURI(t, tid, cid)}}
	}

	t.Run("unknown client and wrong secret are identical", func(t *testing.T) {
		for _, method := range []struct {
			name string
			mk   func(id, sec string) auth
		}{{"basic", basicAuth}, {"post", postAuth}} {
			wrong := tokenReq(t, h, tid, code(), method.mk(cid, sec+"x"))
			unknown := tokenReq(t, h, tid, code(), method.mk("no-such-client", sec))
			for _, r := range []*response{wrong, unknown} {
				wantError(t, r, http.StatusUnauthorized, "invalid_client")
			}
			if wrong.raw != unknown.raw {
				t.Errorf("%s: bodies differ: %q vs %q", method.name, wrong.raw, unknown.raw)
			}
			wa, ua := wrong.header.Get("WWW-Authenticate"), unknown.header.Get("WWW-Authenticate")
			if wa != ua {
				t.Errorf("%s: challenges differ: %q vs %q", method.name, wa, ua)
			}
			if method.name == "basic" && wa != `Basic realm="`+h.Issuer(tid)+`"` {
				t.Errorf("Basic failure challenge = %q", wa)
			}
			if method.name == "post" && wa != "" {
				t.Errorf("post failure carries a challenge: %q", wa)
			}
		}
	})
	t.Run("other failures", func(t *testing.T) {
		both := func(r *http.Request, f url.Values) {
			basicAuth(cid, sec)(r, f)
			f.Set("client_secret", sec)
		}
		cases := map[string]*response{
			"missing authentication":      tokenReq(t, h, tid, code(), nil),
			"confidential client as none": tokenReq(t, h, tid, code(), publicAuth(cid)),
			"basic and post together":     tokenReq(t, h, tid, code(), both),
			"empty secret":                tokenReq(t, h, tid, code(), postAuth(cid, "")),
			"public client with a secret": tokenReq(t, h, tid, code(), basicAuth(oauthtest.SPAClient, "anything")),
			"client of another tenant":    tokenReq(t, h, oauthtest.TenantB, code(), basicAuth(cid, sec)),
			"body client_id differs": tokenReq(t, h, tid, code(), func(r *http.Request, f url.Values) {
				basicAuth(cid, sec)(r, f)
				f.Set("client_id", oauthtest.ConsentClient)
			}),
			"client assertion": tokenReq(t, h, tid, code(), func(_ *http.Request, f url.Values) { f.Set("client_id", cid); f.Set("client_assertion", "x.y.z") }),
		}
		for name, r := range cases {
			if r.status != http.StatusUnauthorized || r.str("error") != "invalid_client" {
				t.Errorf("%s: %d %s", name, r.status, r.raw)
			}
		}
		if got := cases["basic and post together"].header.Get("WWW-Authenticate"); !strings.HasPrefix(got, "Basic ") {
			t.Errorf("both methods: WWW-Authenticate = %q", got)
		}
	})
	t.Run("secret in the query string", func(t *testing.T) {
		body := strings.NewReader(cc.Encode())
		req, _ := http.NewRequest(http.MethodPost, h.Issuer(tid)+"/oauth2/token?client_id="+oauthtest.BackendClient+"&client_secret="+url.QueryEscape(h.Secret(tid, oauthtest.BackendClient)), body)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		wantError(t, send(t, req), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("form-urlencoded Basic credentials", func(t *testing.T) {
		// RFC 6749 §2.3.1: id and secret are form-urlencoded before Basic,
		// so a colon, a plus or a space survives.
		id, plain := "svc one:two", "p@ss:w+rd %é"
		now := h.Clock.Now()
		ctx := context.Background()
		if err := h.Store.CreateClient(ctx, tid, &idp.Client{TenantID: tid, ID: id, Name: "odd", Type: idp.ClientBackend, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := h.Store.AddClientSecret(ctx, tid, &idp.ClientSecret{TenantID: tid, ClientID: id, ID: "sec-odd", Hash: secret.HashBytes(plain), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		wantOK(t, tokenReq(t, h, tid, cc, basicAuth(id, plain)))
		wantOK(t, tokenReq(t, h, tid, cc, postAuth(id, plain)))
		raw := func(r *http.Request, _ url.Values) {
			r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(id+":"+plain)))
		}
		wantError(t, tokenReq(t, h, tid, cc, raw), http.StatusUnauthorized, "invalid_client")
	})
	t.Run("expired secret", func(t *testing.T) {
		id, plain := "svc-expiring", "expiring-secret-value"
		now := h.Clock.Now()
		exp := now.Add(time.Hour)
		ctx := context.Background()
		if err := h.Store.CreateClient(ctx, tid, &idp.Client{TenantID: tid, ID: id, Name: "exp", Type: idp.ClientBackend, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := h.Store.AddClientSecret(ctx, tid, &idp.ClientSecret{TenantID: tid, ClientID: id, ID: "sec-exp", Hash: secret.HashBytes(plain), CreatedAt: now, ExpiresAt: &exp}); err != nil {
			t.Fatal(err)
		}
		wantOK(t, tokenReq(t, h, tid, cc, basicAuth(id, plain)))
		h.Clock.Advance(time.Hour)
		wantError(t, tokenReq(t, h, tid, cc, basicAuth(id, plain)), http.StatusUnauthorized, "invalid_client")
	})
	db := harnessDB(t)
	t.Run("no plaintext secret in the database", func(t *testing.T) {
		// Scan every text and blob column of every table for the secrets.
		secrets := []string{h.Secret(tid, cid), h.Secret(tid, oauthtest.BackendClient), h.Secret(oauthtest.TenantB, cid)}
		tables := queryStrings(t, db, `SELECT name FROM sqlite_master WHERE type = 'table'`)
		scanned := 0
		for _, table := range tables {
			rows, err := db.Query(`SELECT * FROM "` + table + `"`)
			if err != nil {
				t.Fatal(err)
			}
			cols, _ := rows.Columns()
			for rows.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				scanned++
				for _, v := range vals {
					var b []byte
					switch x := v.(type) {
					case string:
						b = []byte(x)
					case []byte:
						b = x
					}
					for _, s := range secrets {
						if bytes.Contains(b, []byte(s)) {
							t.Errorf("table %s holds a plaintext client secret", table)
						}
					}
				}
			}
			rows.Close()
		}
		if scanned < 10 {
			t.Fatalf("scanned only %d rows of %v: not the harness database?", scanned, tables)
		}
	})
	t.Run("throttling", func(t *testing.T) {
		h := oauthtest.New(t)
		for range 10 {
			wantError(t, tokenReq(t, h, tid, cc, basicAuth(oauthtest.BackendClient, "wrong")), http.StatusUnauthorized, "invalid_client")
		}
		right := basicAuth(oauthtest.BackendClient, h.Secret(tid, oauthtest.BackendClient))
		r := tokenReq(t, h, tid, cc, right)
		if r.status != http.StatusTooManyRequests || r.str("error") != "invalid_client" || r.header.Get("Retry-After") != "60" {
			t.Fatalf("11th attempt: %d %q %s", r.status, r.header.Get("Retry-After"), r.raw)
		}
		// Another client, and the same client id in another tenant, are
		// not affected.
		wantOK(t, tokenReq(t, h, oauthtest.TenantB, cc, basicAuth(oauthtest.BackendClient, h.Secret(oauthtest.TenantB, oauthtest.BackendClient))))
		// An unknown client id is throttled the same way, so throttling
		// does not reveal which ids exist.
		for range 10 {
			wantError(t, tokenReq(t, h, tid, cc, basicAuth("ghost", "wrong")), http.StatusUnauthorized, "invalid_client")
		}
		if r := tokenReq(t, h, tid, cc, basicAuth("ghost", "wrong")); r.status != http.StatusTooManyRequests {
			t.Fatalf("unknown client not throttled: %d", r.status)
		}
		h.Clock.Advance(time.Minute)
		wantOK(t, tokenReq(t, h, tid, cc, right))
	})
}

// harnessDB opens the SQLite file of the harness that test t built (it
// lives in one of t's temp dirs) read-only.
func harnessDB(t *testing.T) *sql.DB {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(t.TempDir()), "*", "authalla.db"))
	if len(matches) != 1 {
		t.Fatalf("harness database: found %v", matches)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(matches[0])+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryStrings runs a query returning one text column.
func queryStrings(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// countingStore records which store methods client authentication calls.
type countingStore struct {
	store.Store
	mu    sync.Mutex
	calls []string
}

func (s *countingStore) note(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, name)
}

func (s *countingStore) GetClient(ctx context.Context, tenantID, clientID string) (*idp.Client, error) {
	s.note("GetClient")
	return s.Store.GetClient(ctx, tenantID, clientID)
}

func (s *countingStore) ListClientSecrets(ctx context.Context, tenantID, clientID string) ([]idp.ClientSecret, error) {
	s.note("ListClientSecrets")
	return s.Store.ListClientSecrets(ctx, tenantID, clientID)
}

// TestClientAuthSameWorkForUnknownClient: an unknown client and a wrong
// secret make the same store calls, so their timing differs only by the
// number of secrets compared (SECURITY-TESTS 25: "identical in timing").
func TestClientAuthSameWorkForUnknownClient(t *testing.T) {
	h := oauthtest.New(t)
	tid := oauthtest.TenantA
	cs := &countingStore{Store: h.Store}
	p := oauth.New(oauth.Options{Store: cs, Keys: h.Keys, Clock: h.Clock, Random: secret.Default})
	mux := http.NewServeMux()
	p.Routes(mux)
	tn, err := h.Store.GetTenant(context.Background(), tid)
	if err != nil {
		t.Fatal(err)
	}
	info := &tenant.Info{Tenant: tn, Issuer: h.Issuer(tid), BasePath: "/t/" + tid}
	try := func(id, sec string) ([]string, string) {
		cs.mu.Lock()
		cs.calls = nil
		cs.mu.Unlock()
		req := httptest.NewRequest(http.MethodPost, "/oauth2/token", strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, sec)
		req = req.WithContext(tenant.NewContext(req.Context(), info))
		w := httptest.NewRecorder()
		mux.ServeHTTP(w, req)
		if w.Code != http.StatusUnauthorized {
			t.Fatalf("%s: %d %s", id, w.Code, w.Body)
		}
		cs.mu.Lock()
		defer cs.mu.Unlock()
		return slices.Clone(cs.calls), w.Body.String()
	}
	wrongCalls, wrongBody := try(oauthtest.BackendClient, "wrong")
	unknownCalls, unknownBody := try("no-such-client", "wrong")
	if !slices.Equal(wrongCalls, unknownCalls) || len(wrongCalls) != 2 {
		t.Fatalf("store calls differ: wrong secret %v, unknown client %v", wrongCalls, unknownCalls)
	}
	if wrongBody != unknownBody {
		t.Fatalf("bodies differ: %q vs %q", wrongBody, unknownBody)
	}
}
