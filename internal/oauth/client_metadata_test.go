package oauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// fakeRegistrar records what would be stored and refuses redirect URIs
// starting with "javascript:" the way the real registrar (manage) does.
type fakeRegistrar struct {
	mu    sync.Mutex
	calls []*idp.Client
}

func (f *fakeRegistrar) RegisterMetadataClient(_ context.Context, c *idp.Client, _ string) (*idp.Client, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	for _, u := range c.RedirectURIs {
		if strings.HasPrefix(u, "javascript:") {
			return nil, idp.Invalid("redirect_uris", "this scheme is not allowed")
		}
	}
	out := *c
	out.Type, out.Dynamic, out.ThirdParty, out.RequireConsent = idp.ClientNative, true, true, true
	return &out, nil
}

func (f *fakeRegistrar) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// docServer serves metadata documents over TLS on loopback and counts
// the requests per path.
type docServer struct {
	*httptest.Server
	mu    sync.Mutex
	hits  map[string]int
	pages map[string]func(w http.ResponseWriter, r *http.Request)
}

func newDocServer(t *testing.T) *docServer {
	t.Helper()
	d := &docServer{hits: map[string]int{}, pages: map[string]func(http.ResponseWriter, *http.Request){}}
	d.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d.mu.Lock()
		d.hits[r.URL.Path]++
		h := d.pages[r.URL.Path]
		d.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(d.Close)
	return d
}

// handle serves fn at path and returns the document's client id.
func (d *docServer) handle(path string, fn func(w http.ResponseWriter, r *http.Request)) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.pages[path] = fn
	return d.URL + path
}

// doc serves a JSON document (built from the client id) at path.
func (d *docServer) doc(path, cacheControl string, body func(id string) string) string {
	id := d.URL + path
	return d.handle(path, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if cacheControl != "" {
			w.Header().Set("Cache-Control", cacheControl)
		}
		fmt.Fprint(w, body(id))
	})
}

func (d *docServer) count(path string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.hits[path]
}

func goodDoc(id string) string {
	return `{"client_id":"` + id + `","client_name":"Test Agent","redirect_uris":["http://127.0.0.1/callback"],"token_endpoint_auth_method":"none"}`
}

// loopbackOnly is the test address policy: the documents are on loopback.
func loopbackOnly(a netip.Addr) bool { return a.Unmap().IsLoopback() }

type resolverEnv struct {
	docs  *ClientMetadataDocuments
	reg   *fakeRegistrar
	clock *idp.FakeClock
	srv   *docServer
	admin *tenant.Info
}

func newResolverEnv(t *testing.T, o ClientMetadataOptions) *resolverEnv {
	t.Helper()
	srv := newDocServer(t)
	pool := x509.NewCertPool()
	pool.AddCert(srv.Certificate())
	e := &resolverEnv{reg: &fakeRegistrar{}, clock: idp.NewFakeClock(time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)), srv: srv,
		admin: &tenant.Info{Tenant: &idp.Tenant{ID: "admin", Admin: true}, Issuer: "https://login.example.test"}}
	o.Registrar, o.Clock, o.RootCAs = e.reg, e.clock, pool
	if o.AllowAddress == nil {
		o.AllowAddress = loopbackOnly
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	e.docs = NewClientMetadataDocuments(o)
	return e
}

func (e *resolverEnv) resolve(t *testing.T, id string) (*idp.Client, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return e.docs.resolve(ctx, e.admin, id)
}

func TestClientMetadataFetch(t *testing.T) {
	e := newResolverEnv(t, ClientMetadataOptions{})
	var gotAccept, gotMethod string
	id := e.srv.handle("/agent.json", func(w http.ResponseWriter, r *http.Request) {
		gotAccept, gotMethod = r.Header.Get("Accept"), r.Method
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprint(w, goodDoc(e.srv.URL+"/agent.json"))
	})
	c, err := e.resolve(t, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != id || c.Name != "Test Agent" || len(c.RedirectURIs) != 1 || !c.Dynamic || !c.ThirdParty {
		t.Fatalf("client = %+v", c)
	}
	if gotAccept != "application/json" || gotMethod != http.MethodGet {
		t.Fatalf("request: %s with Accept %q", gotMethod, gotAccept)
	}
	if e.reg.count() != 1 || e.reg.calls[0].TenantID != "admin" {
		t.Fatalf("registrar calls = %+v", e.reg.calls)
	}
}

func TestClientMetadataRefusals(t *testing.T) {
	// Two resolvers: a short limit for the documents that never arrive, and
	// a generous one for the others, so that a loaded machine (a TLS
	// handshake under -race) cannot turn a refusal for size or content
	// into a timeout.
	e := newResolverEnv(t, ClientMetadataOptions{Timeout: 10 * time.Second})
	slow := newResolverEnv(t, ClientMetadataOptions{Timeout: 300 * time.Millisecond})
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	big := `{"client_id":"%s","redirect_uris":["http://127.0.0.1/cb"],"pad":"` + strings.Repeat("x", maxMetadataDocumentBytes) + `"}`

	cases := map[string]struct {
		id   string
		want string
	}{
		"too big": {e.srv.doc("/big.json", "", func(id string) string { return fmt.Sprintf(big, id) }), "larger than 5120 bytes"},
		"too big, no length": {e.srv.handle("/chunked.json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < 8; i++ { // flushed pieces: no Content-Length
				fmt.Fprint(w, strings.Repeat(" ", 1024))
				w.(http.Flusher).Flush()
			}
			fmt.Fprint(w, goodDoc(e.srv.URL+"/chunked.json"))
		}), "larger than 5120 bytes"},
		"slow": {slow.srv.handle("/slow.json", func(w http.ResponseWriter, r *http.Request) {
			select { // never answers within the 300 ms limit
			case <-release:
			case <-r.Context().Done():
			}
		}), "did not arrive within 300ms"},
		"slow body": {slow.srv.handle("/slow-body.json", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"client_id":`)
			w.(http.Flusher).Flush()
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}), "did not arrive within 300ms"},
		"redirect": {e.srv.handle("/moved.json", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/agent.json", http.StatusFound)
		}), "redirects are not followed"},
		"permanent redirect": {e.srv.handle("/moved2.json", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://169.254.169.254/latest/meta-data", http.StatusPermanentRedirect)
		}), "redirects are not followed"},
		"not found":       {e.srv.URL + "/missing.json", "HTTP 404"},
		"html":            {e.srv.handle("/page", func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, "<html>hi</html>") }), "application/json"},
		"mismatched id":   {e.srv.doc("/other.json", "", func(string) string { return goodDoc("https://evil.example/other.json") }), "not the URL it was fetched from"},
		"http scheme":     {"http://" + strings.TrimPrefix(e.srv.URL, "https://") + "/agent.json", "must use https"},
		"secret auth":     {e.srv.doc("/secret.json", "", func(id string) string { return strings.Replace(goodDoc(id), `"none"`, `"client_secret_basic"`, 1) }), "shared secret"},
		"private_key_jwt": {e.srv.doc("/pkjwt.json", "", func(id string) string { return strings.Replace(goodDoc(id), `"none"`, `"private_key_jwt"`, 1) }), "not supported"},
		"bad redirect URIs": {e.srv.doc("/js.json", "", func(id string) string {
			return strings.Replace(goodDoc(id), "http://127.0.0.1/callback", "javascript:alert(1)", 1)
		}), "redirect_uris: this scheme is not allowed"},
		"query": {e.srv.URL + "/agent.json?x=1", "query"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			env := e
			if strings.HasPrefix(name, "slow") { // served by the short-limit resolver
				env = slow
			}
			start := time.Now()
			_, err := env.resolve(t, tc.id)
			me := asClientMetadataError(err)
			if me == nil || !strings.Contains(me.reason, tc.want) {
				t.Fatalf("err = %v, want a refusal mentioning %q", err, tc.want)
			}
			if time.Since(start) > 5*time.Second {
				t.Fatalf("refusal took %s", time.Since(start))
			}
		})
	}
	// Only the redirect's own URL was requested: the target never was.
	if n := e.srv.count("/agent.json"); n != 0 {
		t.Fatalf("a redirect was followed (%d requests to its target)", n)
	}
	// Refused documents were never handed to the registrar, except the
	// one whose redirect URIs the registrar itself refused.
	if n := e.reg.count(); n != 1 {
		t.Fatalf("registrar called %d times, want 1", n)
	}
}

// TestClientMetadataPublicAddressesOnly uses the production address
// policy against the loopback document server: the fetch is refused at
// dial time and the server sees no request.
func TestClientMetadataPublicAddressesOnly(t *testing.T) {
	e := newResolverEnv(t, ClientMetadataOptions{AllowAddress: publicAddress})
	id := e.srv.doc("/agent.json", "", goodDoc)
	_, err := e.resolve(t, id)
	if me := asClientMetadataError(err); me == nil || !strings.Contains(me.reason, "not a public internet address") {
		t.Fatalf("err = %v", err)
	}
	if n := e.srv.count("/agent.json"); n != 0 {
		t.Fatalf("the loopback server got %d requests", n)
	}
	// A name that resolves to loopback is refused the same way.
	local := strings.Replace(id, "127.0.0.1", "localhost", 1)
	if _, err := e.resolve(t, local); asClientMetadataError(err) == nil || !strings.Contains(err.Error(), "not a public internet address") {
		t.Fatalf("localhost: %v", err)
	}
}

func TestClientMetadataCache(t *testing.T) {
	t.Run("a hit avoids a second fetch", func(t *testing.T) {
		e := newResolverEnv(t, ClientMetadataOptions{})
		id := e.srv.doc("/agent.json", "", goodDoc)
		for i := 0; i < 3; i++ {
			if _, err := e.resolve(t, id); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.srv.count("/agent.json"); n != 1 {
			t.Fatalf("%d fetches, want 1", n)
		}
		// The client is still stored (or brought up to date) each time.
		if n := e.reg.count(); n != 3 {
			t.Fatalf("registrar calls = %d, want 3", n)
		}
	})
	ttl := []struct {
		name         string
		cacheControl string
		fresh, stale time.Duration
	}{
		{"no Cache-Control: the floor", "", 4 * time.Minute, 6 * time.Minute},
		{"max-age honoured", "public, max-age=3600", 59 * time.Minute, 61 * time.Minute},
		{"short max-age raised to 5 min", "max-age=10", 4 * time.Minute, 6 * time.Minute},
		{"no-store raised to 5 min", "no-store", 4 * time.Minute, 6 * time.Minute},
		{"long max-age capped at 24 h", "max-age=31536000", 23 * time.Hour, 25 * time.Hour},
	}
	for _, tc := range ttl {
		t.Run(tc.name, func(t *testing.T) {
			e := newResolverEnv(t, ClientMetadataOptions{})
			id := e.srv.doc("/agent.json", tc.cacheControl, goodDoc)
			start := e.clock.Now()
			for _, step := range []struct {
				at   time.Duration
				want int
			}{{0, 1}, {tc.fresh, 1}, {tc.stale, 2}} {
				e.clock.Set(start.Add(step.at))
				if _, err := e.resolve(t, id); err != nil {
					t.Fatal(err)
				}
				if n := e.srv.count("/agent.json"); n != step.want {
					t.Fatalf("after %s: %d fetches, want %d", step.at, n, step.want)
				}
			}
		})
	}
	t.Run("a refusal is remembered for 30 s", func(t *testing.T) {
		e := newResolverEnv(t, ClientMetadataOptions{})
		id := e.srv.URL + "/missing.json"
		for i := 0; i < 3; i++ {
			if _, err := e.resolve(t, id); asClientMetadataError(err) == nil {
				t.Fatalf("err = %v", err)
			}
		}
		if n := e.srv.count("/missing.json"); n != 1 {
			t.Fatalf("%d fetches of a refused document, want 1", n)
		}
		// Fixed meanwhile; seen after the negative entry expires.
		e.srv.doc("/missing.json", "", goodDoc)
		e.clock.Advance(29 * time.Second)
		if _, err := e.resolve(t, id); err == nil {
			t.Fatal("negative entry expired early")
		}
		e.clock.Advance(2 * time.Second)
		if _, err := e.resolve(t, id); err != nil {
			t.Fatalf("after 31 s: %v", err)
		}
	})
	t.Run("bounded, oldest evicted", func(t *testing.T) {
		e := newResolverEnv(t, ClientMetadataOptions{MaxEntries: 2})
		a := e.srv.doc("/a.json", "", goodDoc)
		b := e.srv.doc("/b.json", "", goodDoc)
		c := e.srv.doc("/c.json", "", goodDoc)
		for _, id := range []string{a, b, c, c, b} {
			if _, err := e.resolve(t, id); err != nil {
				t.Fatal(err)
			}
		}
		if e.docs.cache.len() != 2 {
			t.Fatalf("cache holds %d entries, want 2", e.docs.cache.len())
		}
		if _, err := e.resolve(t, a); err != nil {
			t.Fatal(err)
		}
		if e.srv.count("/a.json") != 2 || e.srv.count("/b.json") != 1 || e.srv.count("/c.json") != 1 {
			t.Fatalf("fetches a=%d b=%d c=%d, want 2 1 1", e.srv.count("/a.json"), e.srv.count("/b.json"), e.srv.count("/c.json"))
		}
	})
	t.Run("concurrent first uses share one fetch", func(t *testing.T) {
		e := newResolverEnv(t, ClientMetadataOptions{})
		gate := make(chan struct{})
		var waiting atomic.Int32
		id := e.srv.handle("/agent.json", func(w http.ResponseWriter, r *http.Request) {
			waiting.Add(1)
			<-gate
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, goodDoc(e.srv.URL+"/agent.json"))
		})
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := 0; i < 8; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := e.docs.resolve(context.Background(), e.admin, id)
				errs <- err
			}()
		}
		for deadline := time.Now().Add(5 * time.Second); waiting.Load() == 0; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				close(gate)
				t.Fatal("the document was never requested")
			}
		}
		time.Sleep(20 * time.Millisecond) // let the others queue on the first fetch
		close(gate)
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := e.srv.count("/agent.json"); n != 1 {
			t.Fatalf("%d fetches, want 1", n)
		}
	})
}

func TestClientMetadataOnlyOnTheAdminTenant(t *testing.T) {
	var off *ClientMetadataDocuments
	admin := &tenant.Info{Tenant: &idp.Tenant{ID: "admin", Admin: true}}
	other := &tenant.Info{Tenant: &idp.Tenant{ID: "acme"}}
	if off.enabledFor(admin) {
		t.Fatal("a nil resolver (the default) resolves URL client ids")
	}
	e := newResolverEnv(t, ClientMetadataOptions{})
	if !e.docs.enabledFor(admin) || e.docs.enabledFor(other) {
		t.Fatal("URL client ids must be resolved on the admin tenant only")
	}
	// A store failure from the registrar is a server error, not a
	// refusal, and is not cached.
	failing := NewClientMetadataDocuments(ClientMetadataOptions{Registrar: registrarFunc(func() error { return errors.New("db down") }),
		AllowAddress: loopbackOnly, RootCAs: e.docs.fetcher.client.Transport.(*http.Transport).TLSClientConfig.RootCAs, Clock: e.clock})
	id := e.srv.doc("/agent.json", "", goodDoc)
	for i := 0; i < 2; i++ {
		_, err := failing.resolve(context.Background(), admin, id)
		if err == nil || asClientMetadataError(err) != nil || errors.Is(err, idp.ErrNotFound) {
			t.Fatalf("store failure = %v, want a plain server error", err)
		}
	}
	if n := e.srv.count("/agent.json"); n != 2 {
		t.Fatalf("%d fetches, want 2 (server errors are not cached)", n)
	}
}

// registrarFunc is a registrar that fails with its error.
type registrarFunc func() error

func (f registrarFunc) RegisterMetadataClient(context.Context, *idp.Client, string) (*idp.Client, error) {
	return nil, f()
}
