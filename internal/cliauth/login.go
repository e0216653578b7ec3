package cliauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// LoginOptions configure Login.
type LoginOptions struct {
	// Server is the server URL (see NormalizeServer); its discovery
	// document names the endpoints.
	Server string
	// ClientID is the CLI's public native client at the server.
	ClientID string
	// Scopes are requested; Resource is the RFC 8707 resource indicator
	// of the API the access token is for.
	Scopes   []string
	Resource string
	// HTTP calls the server (it must have a timeout).
	HTTP *http.Client
	// Open tries to show the authorization URL in a browser; failures are
	// ignored (the URL is printed to Out as well).
	Open func(authURL string)
	// Out receives the instructions and the authorization URL.
	Out io.Writer
	// Wait bounds how long the browser may take (default 5 minutes).
	Wait time.Duration
	// Random defaults to crypto/rand; Clock to idp.SystemClock.
	Random io.Reader
	Clock  idp.Clock
}

// defaultWait is how long Login waits for the browser by default.
const defaultWait = 5 * time.Minute

// callbackPath is the loopback redirect's path; it matches the CLI
// client's registered redirect URI http://127.0.0.1/callback.
const callbackPath = "/callback"

// Login signs the operator in with the authorization code flow for
// native apps (RFC 8252): a loopback listener on 127.0.0.1 and a port the
// system picks (§7.3; the IP literal rather than "localhost", §8.3),
// PKCE S256 (RFC 7636), state (RFC 6749 §10.12) and nonce (OpenID Connect
// Core §3.1.2.1). The callback's state and, when present or promised, iss
// (RFC 9207) are checked before the code is exchanged; the ID token's
// iss, aud and nonce are checked after. It returns the credentials
// without saving them.
func Login(ctx context.Context, o LoginOptions) (*Credentials, error) {
	if o.Random == nil {
		o.Random = rand.Reader
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Wait <= 0 {
		o.Wait = defaultWait
	}
	m, err := Discover(ctx, o.HTTP, o.Server)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("cliauth: loopback listener: %w", err)
	}
	redirectURI := fmt.Sprintf("http://127.0.0.1:%d%s", ln.Addr().(*net.TCPAddr).Port, callbackPath)
	state, err1 := randomString(o.Random)
	nonce, err2 := randomString(o.Random)
	verifier, err3 := randomString(o.Random) // 43 characters: RFC 7636 §4.1
	if err := errors.Join(err1, err2, err3); err != nil {
		ln.Close()
		return nil, fmt.Errorf("cliauth: random: %w", err)
	}
	authURL, err := authorizationURL(m.AuthorizationEndpoint, url.Values{
		"response_type":         {"code"},
		"client_id":             {o.ClientID},
		"redirect_uri":          {redirectURI},
		"scope":                 {strings.Join(o.Scopes, " ")},
		"state":                 {state},
		"nonce":                 {nonce},
		"code_challenge":        {s256(verifier)},
		"code_challenge_method": {"S256"},
		"resource":              {o.Resource},
	})
	if err != nil {
		ln.Close()
		return nil, err
	}

	results := make(chan callbackResult, 1)
	srv := &http.Server{
		Handler:           callbackHandler(state, m.Issuer, m.IssParameterSupported, results),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
	}
	go srv.Serve(ln)
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()

	if o.Open != nil {
		fmt.Fprintf(o.Out, "Opening the browser to sign in. If it does not open, visit:\n\n  %s\n\nWaiting for the sign-in to finish...\n", authURL)
		o.Open(authURL)
	} else {
		fmt.Fprintf(o.Out, "To sign in, open this URL in a browser on this machine:\n\n  %s\n\nWaiting for the sign-in to finish...\n", authURL)
	}
	var res callbackResult
	wait := time.NewTimer(o.Wait)
	defer wait.Stop()
	select {
	case res = <-results:
	case <-ctx.Done():
		return nil, fmt.Errorf("cliauth: login: %w", ctx.Err())
	case <-wait.C:
		return nil, errors.New("cliauth: login: the browser did not come back in time")
	}
	if res.err != nil {
		return nil, fmt.Errorf("cliauth: login: %w", res.err)
	}
	form := url.Values{
		"grant_type":    {"authorization_code"},
		"code":          {res.code},
		"redirect_uri":  {redirectURI},
		"client_id":     {o.ClientID},
		"code_verifier": {verifier},
	}
	if o.Resource != "" {
		form.Set("resource", o.Resource) // RFC 8707 §2.2
	}
	tr, err := requestToken(ctx, o.HTTP, m.TokenEndpoint, form)
	if err != nil {
		return nil, fmt.Errorf("cliauth: login: code exchange: %w", err)
	}
	if slices.Contains(o.Scopes, "openid") {
		if err := checkIDToken(tr.IDToken, m.Issuer, o.ClientID, nonce, o.Clock.Now()); err != nil {
			return nil, fmt.Errorf("cliauth: login: %w", err)
		}
	}
	return &Credentials{
		Server: o.Server, Issuer: m.Issuer, ClientID: o.ClientID,
		TokenEndpoint: m.TokenEndpoint, RevocationEndpoint: m.RevocationEndpoint,
		AccessToken: tr.AccessToken, RefreshToken: tr.RefreshToken, Expiry: tr.expiry(o.Clock.Now()),
	}, nil
}

// authorizationURL adds params to the authorization endpoint (keeping a
// query it already has, RFC 6749 §3.1).
func authorizationURL(endpoint string, params url.Values) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", fmt.Errorf("cliauth: authorization endpoint: %w", err)
	}
	q := u.Query()
	for k, v := range params {
		if v[0] != "" {
			q[k] = v
		}
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// callbackResult is what the loopback redirect brought: a code or an error.
type callbackResult struct {
	code string
	err  error
}

// callbackHandler answers the loopback redirect once: the first request
// to callbackPath decides the outcome (a request with a wrong state ends
// the login rather than being ignored, so that a mix-up is noticed).
func callbackHandler(state, issuer string, issRequired bool, results chan<- callbackResult) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != callbackPath || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		code, err := checkCallback(r.URL.Query(), state, issuer, issRequired)
		select {
		case results <- callbackResult{code: code, err: err}:
		default:
			err = errors.New("this login has already finished")
		}
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Content-Security-Policy", "default-src 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		msg := "Signed in. You can close this window and return to the terminal."
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			msg = "Sign-in failed: " + err.Error()
		}
		fmt.Fprintf(w, "<!doctype html><meta charset=utf-8><title>Authalla CLI</title><p>%s</p>\n", html.EscapeString(msg))
	})
}

// checkCallback validates the authorization response and returns the
// code. Order matters: the state binds the response to this login
// (RFC 6749 §10.12) before anything in it is believed, even an error;
// then iss must name the server the request went to (RFC 9207 §2.4: when
// the server advertises the parameter it must be present).
func checkCallback(q url.Values, state, issuer string, issRequired bool) (string, error) {
	got := q.Get("state")
	if got == "" || subtle.ConstantTimeCompare([]byte(got), []byte(state)) != 1 {
		return "", errors.New("the response's state does not match this login (possible cross-site request forgery)")
	}
	iss, hasIss := q["iss"]
	switch {
	case hasIss && (len(iss) != 1 || iss[0] != issuer):
		return "", errors.New("the response's issuer is not the server this login started at (possible mix-up attack)")
	case !hasIss && issRequired:
		return "", errors.New("the response lacks the issuer the server promised (RFC 9207)")
	}
	if e := q.Get("error"); e != "" {
		if d := q.Get("error_description"); d != "" {
			return "", fmt.Errorf("the server refused: %s: %s", e, d)
		}
		return "", fmt.Errorf("the server refused: %s", e)
	}
	code := q.Get("code")
	if code == "" {
		return "", errors.New("the response has no authorization code")
	}
	return code, nil
}

// idTokenLeeway absorbs clock differences in the ID token's exp check.
const idTokenLeeway = 5 * time.Minute

// checkIDToken checks the ID token's iss, aud, azp, exp and nonce
// (OpenID Connect Core §3.1.3.7 items 2-5 and 9, §3.1.2.1 nonce). Its
// signature is not verified: it came straight from the token endpoint
// over a checked TLS connection, which §3.1.3.7 item 6 admits in place
// of the signature; no identity decision rests on it.
func checkIDToken(raw, issuer, clientID, nonce string, now time.Time) error {
	parts := strings.Split(raw, ".")
	if raw == "" || len(parts) != 3 {
		return errors.New("the token endpoint returned no ID token")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return errors.New("the ID token is malformed")
	}
	var c struct {
		Iss   string          `json:"iss"`
		Aud   json.RawMessage `json:"aud"`
		Azp   string          `json:"azp"`
		Exp   int64           `json:"exp"`
		Nonce string          `json:"nonce"`
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return errors.New("the ID token is malformed")
	}
	var auds []string
	var one string
	if json.Unmarshal(c.Aud, &one) == nil {
		auds = []string{one}
	} else if json.Unmarshal(c.Aud, &auds) != nil {
		return errors.New("the ID token's aud is malformed")
	}
	switch {
	case c.Iss != issuer:
		return errors.New("the ID token's issuer is not the server's")
	case !slices.Contains(auds, clientID):
		return errors.New("the ID token is not for this client")
	case (len(auds) > 1 || c.Azp != "") && c.Azp != clientID:
		return errors.New("the ID token's authorized party is not this client")
	case c.Exp == 0 || now.After(time.Unix(c.Exp, 0).Add(idTokenLeeway)):
		return errors.New("the ID token has expired")
	case subtle.ConstantTimeCompare([]byte(c.Nonce), []byte(nonce)) != 1:
		return errors.New("the ID token's nonce does not match this login")
	}
	return nil
}

// randomString returns 32 random bytes in base64url (43 characters).
func randomString(r io.Reader) (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(r, b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// s256 is the PKCE S256 challenge of verifier (RFC 7636 §4.2).
func s256(verifier string) string {
	h := sha256.Sum256([]byte(verifier))
	return base64.RawURLEncoding.EncodeToString(h[:])
}
