package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// browser signs in once on the hosted pages like a person would (email,
// then the PIN from the mail the sink caught) and then keeps the session
// cookie, so that later authorization requests answer with a code at once.
type browser struct {
	client      *http.Client
	issuer      string
	origin      string // scheme://host of the issuer, sent as Origin on POSTs
	clientID    string
	redirectURI string
}

func newBrowser(issuer, clientID, redirectURI string) (*browser, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return nil, err
	}
	u, err := url.Parse(issuer)
	if err != nil {
		return nil, err
	}
	b := &browser{issuer: issuer, origin: u.Scheme + "://" + u.Host, clientID: clientID, redirectURI: redirectURI}
	b.client = &http.Client{
		Jar:     jar,
		Timeout: 30 * time.Second,
		// Follow redirects within Authalla; stop at the client's redirect
		// URI, which nobody serves.
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if strings.HasPrefix(req.URL.String(), redirectURI) {
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	return b, nil
}

// pkce is one authorization request's secrets (RFC 7636).
type pkce struct {
	verifier, state string
}

func newPKCE() pkce {
	return pkce{verifier: randomString(32), state: randomString(16)}
}

func (p pkce) challenge() string {
	sum := sha256.Sum256([]byte(p.verifier))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func randomString(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// authorizeURL builds a code + PKCE S256 authorization request.
func (b *browser) authorizeURL(p pkce, scope string) string {
	q := url.Values{
		"response_type":         {"code"},
		"client_id":             {b.clientID},
		"redirect_uri":          {b.redirectURI},
		"scope":                 {scope},
		"state":                 {p.state},
		"code_challenge":        {p.challenge()},
		"code_challenge_method": {"S256"},
	}
	return b.issuer + "/oauth2/authorize?" + q.Encode()
}

// codeFrom reads the code of a redirect to the client, checking state and
// the RFC 9207 iss parameter.
func (b *browser) codeFrom(resp *http.Response, p pkce) (string, error) {
	if resp.StatusCode != http.StatusFound && resp.StatusCode != http.StatusSeeOther {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return "", fmt.Errorf("authorize: %s at %s: %q", resp.Status, resp.Request.URL.Path, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		return "", err
	}
	q := loc.Query()
	if e := q.Get("error"); e != "" {
		return "", fmt.Errorf("authorize: %s: %s", e, q.Get("error_description"))
	}
	if q.Get("state") != p.state || q.Get("iss") != b.issuer || q.Get("code") == "" {
		return "", fmt.Errorf("authorize: bad redirect %s", loc.Redacted())
	}
	return q.Get("code"), nil
}

// code runs an authorization request with the existing session.
func (b *browser) code(ctx context.Context, p pkce, scope string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.authorizeURL(p, scope), nil)
	if err != nil {
		return "", err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return b.codeFrom(resp, p)
}

// signIn performs the hosted sign-in with email and PIN and returns the
// code of that first authorization request.
func (b *browser) signIn(ctx context.Context, sink *smtpSink, email string, p pkce, scope string) (string, error) {
	return b.signInWith(ctx, email, p, scope, func(ctx context.Context) (string, error) {
		waitCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		msg, err := sink.waitFor(waitCtx, email, 0)
		if err != nil {
			return "", err
		}
		pin := extractPIN(msg.text)
		if pin == "" {
			return "", errors.New("no PIN in the sign-in mail")
		}
		return pin, nil
	})
}

// signInWith is signIn with the PIN read by pinFor (which waits for the
// mail).
func (b *browser) signInWith(ctx context.Context, email string, p pkce, scope string, pinFor func(context.Context) (string, error)) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.authorizeURL(p, scope), nil)
	if err != nil {
		return "", err
	}
	resp, err := b.client.Do(req)
	if err != nil {
		return "", err
	}
	page, err := readPage(resp)
	if err != nil {
		return "", err
	}
	action, fields, err := formWith(page, "email")
	if err != nil {
		return "", fmt.Errorf("login page %s: %w", resp.Request.URL.Path, err)
	}
	fields.Set("email", email)
	resp, err = b.post(ctx, resp.Request.URL, action, fields)
	if err != nil {
		return "", err
	}
	page, err = readPage(resp)
	if err != nil {
		return "", err
	}
	action, fields, err = formWith(page, "pin")
	if err != nil {
		return "", fmt.Errorf("PIN page %s: %w", resp.Request.URL.Path, err)
	}
	pin, err := pinFor(ctx)
	if err != nil {
		return "", err
	}
	fields.Set("pin", pin)
	resp, err = b.post(ctx, resp.Request.URL, action, fields)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	return b.codeFrom(resp, p)
}

// post submits a form as a browser does (same-origin Origin header).
func (b *browser) post(ctx context.Context, base *url.URL, action string, fields url.Values) (*http.Response, error) {
	target, err := base.Parse(action)
	if err != nil {
		return nil, fmt.Errorf("form action %q: %w", action, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(fields.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.origin)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return b.client.Do(req)
}

func readPage(resp *http.Response) (string, error) {
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%s %s: %s", resp.Request.Method, resp.Request.URL.Path, resp.Status)
	}
	return string(body), nil
}

var (
	formPattern  = regexp.MustCompile(`(?is)<form\b([^>]*)>(.*?)</form>`)
	inputPattern = regexp.MustCompile(`(?is)<input\b([^>]*)>`)
	attrPattern  = regexp.MustCompile(`(?is)([a-z-]+)\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)`)
)

// formWith finds the form that has an input named field and returns its
// action and its inputs' current values (hidden CSRF fields included).
// It reads only Authalla's own pages, whose markup it knows.
func formWith(page, field string) (string, url.Values, error) {
	for _, f := range formPattern.FindAllStringSubmatch(page, -1) {
		formAttrs := attrs(f[1])
		values := url.Values{}
		has := false
		for _, in := range inputPattern.FindAllStringSubmatch(f[2], -1) {
			a := attrs(in[1])
			name := a["name"]
			if name == "" {
				continue
			}
			if name == field {
				has = true
			}
			values.Set(name, a["value"])
		}
		if has {
			return formAttrs["action"], values, nil
		}
	}
	return "", nil, fmt.Errorf("no form with an input named %q", field)
}

func attrs(s string) map[string]string {
	out := map[string]string{}
	for _, m := range attrPattern.FindAllStringSubmatch(s, -1) {
		v := m[2]
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') {
			v = v[1 : len(v)-1]
		}
		out[strings.ToLower(m[1])] = html.UnescapeString(v)
	}
	return out
}
