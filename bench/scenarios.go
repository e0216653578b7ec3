package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
)

// bench holds what the scenarios share: endpoints from discovery, the
// signed-in session, and tokens obtained during setup.
type bench struct {
	o      options
	http   *http.Client
	stderr io.Writer

	discoveryURL   string
	jwksURL        string
	tokenURL       string
	introspectURL  string
	sink           *smtpSink
	browser        *browser
	introspectWhat string // the token introspection asks about

	mu    sync.Mutex
	codes []mintedCode // minted by prepare, consumed by the code exchange
	// refresh holds each worker's current refresh token (its own family,
	// since a family rotates strictly one request at a time).
	refresh []string
}

// mintedCode is an authorization code with the verifier that redeems it.
type mintedCode struct {
	code     string
	verifier string
}

func newBench(ctx context.Context, o options, stderr io.Writer) (*bench, error) {
	b := &bench{o: o, http: newHTTPClient(o.workers), stderr: stderr}
	b.discoveryURL = o.issuer + "/.well-known/openid-configuration"
	var meta struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
		Introspection string `json:"introspection_endpoint"`
		JWKSURI       string `json:"jwks_uri"`
	}
	if err := b.getJSON(ctx, b.discoveryURL, &meta); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	if meta.Issuer != o.issuer {
		return nil, fmt.Errorf("discovery: issuer %q, want %q", meta.Issuer, o.issuer)
	}
	for _, u := range []string{meta.TokenEndpoint, meta.JWKSURI} {
		if err := checkLoopback(u); err != nil {
			return nil, fmt.Errorf("discovery: %w", err)
		}
	}
	b.tokenURL, b.jwksURL, b.introspectURL = meta.TokenEndpoint, meta.JWKSURI, meta.Introspection
	if b.introspectURL == "" {
		b.introspectURL = o.issuer + "/oauth2/introspect"
	}

	if o.spaClientID != "" && b.wantsSession() {
		sink, err := listenSMTP(o.smtpListen)
		if err != nil {
			return nil, err
		}
		b.sink = sink
		br, err := newBrowser(o.issuer, o.spaClientID, o.redirectURI)
		if err != nil {
			return nil, err
		}
		b.browser = br
		p := newPKCE()
		code, err := br.signIn(ctx, sink, o.email, p, "openid email offline_access")
		if err != nil {
			return nil, fmt.Errorf("hosted sign-in (is the server's mail going to %s with --smtp-tls none?): %w", o.smtpListen, err)
		}
		tokens, err := b.exchange(ctx, mintedCode{code: code, verifier: p.verifier})
		if err != nil {
			return nil, fmt.Errorf("first code exchange: %w", err)
		}
		b.introspectWhat = tokens.AccessToken
		fmt.Fprintf(stderr, "signed in %s through the hosted pages\n", o.email)
	}
	if b.introspectWhat == "" && o.clientID != "" {
		tok, err := b.clientCredentials(ctx)
		if err != nil {
			return nil, fmt.Errorf("client_credentials: %w", err)
		}
		b.introspectWhat = tok
	}
	return b, nil
}

func (b *bench) close() {
	if b.sink != nil {
		_ = b.sink.Close()
	}
}

func (b *bench) wantsSession() bool {
	for _, s := range []string{"code_exchange", "authorize", "refresh"} {
		if b.wants(s) {
			return true
		}
	}
	return false
}

func (b *bench) wants(name string) bool {
	if b.o.scenarios == "all" {
		return true
	}
	for _, s := range strings.Split(b.o.scenarios, ",") {
		if strings.TrimSpace(s) == name {
			return true
		}
	}
	return false
}

// selected lists the scenarios to run: the chosen ones whose credentials
// were given.
func (b *bench) selected() []scenario {
	var out []scenario
	add := func(name string, ok bool, why string, sc scenario) {
		if !b.wants(name) {
			return
		}
		if !ok {
			fmt.Fprintf(b.stderr, "%s: skipped (%s)\n", name, why)
			return
		}
		sc.name = name
		out = append(out, sc)
	}
	confidential := b.o.clientID != "" && b.o.clientSecret != ""
	session := b.browser != nil
	add("discovery", true, "", scenario{op: func(ctx context.Context, _, _ int) error {
		return b.get(ctx, b.discoveryURL)
	}})
	add("jwks", true, "", scenario{op: func(ctx context.Context, _, _ int) error {
		return b.get(ctx, b.jwksURL)
	}})
	add("client_credentials", confidential, "needs -client-id and -client-secret", scenario{op: func(ctx context.Context, _, _ int) error {
		_, err := b.clientCredentials(ctx)
		return err
	}})
	add("introspect", confidential && b.introspectWhat != "", "needs -client-id and -client-secret", b.introspectScenario())
	add("authorize", session, "needs -spa-client-id", scenario{op: func(ctx context.Context, _, _ int) error {
		_, err := b.browser.code(ctx, newPKCE(), "openid email")
		return err
	}})
	add("code_exchange", session, "needs -spa-client-id", scenario{
		prepare: b.mintCodes,
		op: func(ctx context.Context, _, i int) error {
			b.mu.Lock()
			c := b.codes[i]
			b.mu.Unlock()
			_, err := b.exchange(ctx, c)
			return err
		},
	})
	add("refresh", session, "needs -spa-client-id", scenario{
		prepare: b.startFamilies,
		op: func(ctx context.Context, w, _ int) error {
			tokens, err := b.refreshOnce(ctx, b.refresh[w])
			if err != nil {
				return err
			}
			b.refresh[w] = tokens.RefreshToken
			return nil
		},
	})
	return out
}

// mintCodes obtains n authorization codes with the signed-in session,
// before the timed run, using the run's workers.
func (b *bench) mintCodes(ctx context.Context, n int) (int, error) {
	codes := make([]mintedCode, n)
	errs := make([]error, b.o.workers)
	var wg sync.WaitGroup
	for w := range b.o.workers {
		wg.Go(func() {
			for i := w; i < n; i += b.o.workers {
				p := newPKCE()
				code, err := b.browser.code(ctx, p, "openid email")
				if err != nil {
					errs[w] = err
					return
				}
				codes[i] = mintedCode{code: code, verifier: p.verifier}
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return 0, fmt.Errorf("minting codes: %w", err)
	}
	b.mu.Lock()
	b.codes = codes
	b.mu.Unlock()
	return n, nil
}

// startFamilies gives every worker a fresh refresh token (a new grant per
// worker) before each run.
func (b *bench) startFamilies(ctx context.Context, n int) (int, error) {
	b.refresh = make([]string, b.o.workers)
	for w := range b.refresh {
		p := newPKCE()
		code, err := b.browser.code(ctx, p, "openid email offline_access")
		if err != nil {
			return 0, err
		}
		tokens, err := b.exchange(ctx, mintedCode{code: code, verifier: p.verifier})
		if err != nil {
			return 0, err
		}
		if tokens.RefreshToken == "" {
			return 0, errors.New("no refresh token (offline_access not granted?)")
		}
		b.refresh[w] = tokens.RefreshToken
	}
	return n, nil
}

// tokenResponse is the part of a token response the benchmark reads.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

func (b *bench) exchange(ctx context.Context, c mintedCode) (tokenResponse, error) {
	return b.token(ctx, url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {c.code},
		"redirect_uri":  {b.o.redirectURI},
		"client_id":     {b.o.spaClientID},
		"code_verifier": {c.verifier},
	}, false)
}

func (b *bench) refreshOnce(ctx context.Context, rt string) (tokenResponse, error) {
	return b.token(ctx, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {rt},
		"client_id":     {b.o.spaClientID},
	}, false)
}

func (b *bench) clientCredentials(ctx context.Context) (string, error) {
	t, err := b.token(ctx, url.Values{"grant_type": {"client_credentials"}}, true)
	return t.AccessToken, err
}

// token posts to the token endpoint; basic authenticates the backend
// client with client_secret_basic (RFC 6749 §2.3.1).
func (b *bench) token(ctx context.Context, form url.Values, basic bool) (tokenResponse, error) {
	var out tokenResponse
	req, err := b.formRequest(ctx, b.tokenURL, form, basic)
	if err != nil {
		return out, err
	}
	if err := b.doJSON(req, &out); err != nil {
		return out, err
	}
	if out.AccessToken == "" {
		return out, errors.New("token response without access_token")
	}
	return out, nil
}

func (b *bench) introspectToken(ctx context.Context, token string) error {
	req, err := b.formRequest(ctx, b.introspectURL, url.Values{"token": {token}}, true)
	if err != nil {
		return err
	}
	var out struct {
		Active bool `json:"active"`
	}
	if err := b.doJSON(req, &out); err != nil {
		return err
	}
	if !out.Active {
		return errors.New("introspection: token not active")
	}
	return nil
}

func (b *bench) formRequest(ctx context.Context, endpoint string, form url.Values, basic bool) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(b.o.clientID), url.QueryEscape(b.o.clientSecret))
	}
	return req, nil
}

func (b *bench) get(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return nil
}

func (b *bench) getJSON(ctx context.Context, u string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	return b.doJSON(req, out)
}

// doJSON sends req, requires 200 and decodes the JSON answer. Error bodies
// are OAuth errors, which carry no secrets.
func (b *bench) doJSON(req *http.Request, out any) error {
	resp, err := b.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %.200s", req.Method, req.URL.Path, resp.Status, body)
	}
	return json.Unmarshal(body, out)
}
