package admin

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// flowTTL bounds a sign-in: the flow cookie expires after it.
const flowTTL = 10 * time.Minute

// flowState is what the sign-in must find again at the callback.
type flowState struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"r"`
	Expires  int64  `json:"e"`
}

// sessionState is the Admin UI session: the access token for the
// management API and the administrator's email for display.
type sessionState struct {
	AccessToken string `json:"at"`
	Email       string `json:"em"`
	// IDToken is the id_token_hint of the sign-out (OIDC RP-Initiated
	// Logout 1.0 §2).
	IDToken string `json:"it"`
}

// errSignIn is the page shown when a sign-in cannot complete.
var errSignIn = &httpx.PageError{Status: http.StatusBadRequest, Title: "Sign-in failed", Message: "The sign-in could not be completed. Go back to the Admin UI and try again."}

// randomValue returns 256 random bits, base64url (RFC 7636 §4.1 allows
// these characters in a code verifier; state and nonce use the same).
func (h *Handler) randomValue() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(h.o.Random, b); err != nil {
		return "", fmt.Errorf("admin: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// oauthConfig is the Admin UI as a client of the admin tenant at info.
func oauthConfig(info *tenant.Info) *oauth2.Config {
	return &oauth2.Config{
		ClientID: manage.AdminUIClientID,
		Endpoint: oauth2.Endpoint{
			AuthURL:   info.URL("/oauth2/authorize"),
			TokenURL:  info.URL("/oauth2/token"),
			AuthStyle: oauth2.AuthStyleInParams, // a public client: client_id in the body, no secret
		},
		RedirectURL: info.URL(manage.AdminUICallbackPath),
		Scopes:      append([]string{"openid", "email"}, manage.ManagementScopes...),
	}
}

// safeNext keeps a return path only inside the Admin UI (no open
// redirect: RFC 9700 §4.11).
func safeNext(p string) string {
	if !strings.HasPrefix(p, "/admin/") || strings.HasPrefix(p, "/admin//") || strings.ContainsAny(p, "\\\r\n") || len(p) > 500 {
		return "/admin/tenants"
	}
	return p
}

// login starts the authorization code flow with PKCE (RFC 7636, S256),
// state (RFC 6749 §10.12) and an OIDC nonce, asking for a token for the
// management API (RFC 8707 resource).
func (h *Handler) login(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
	if err := h.ensureClient(r, info); err != nil {
		return err
	}
	st := flowState{Next: safeNext(r.URL.Query().Get("next")), Expires: h.o.Clock.Now().Add(flowTTL).Unix()}
	var err error
	for _, p := range []*string{&st.State, &st.Nonce, &st.Verifier} {
		if *p, err = h.randomValue(); err != nil {
			return err
		}
	}
	if err := h.setSealed(w, info, flowCookie, st, flowTTL); err != nil {
		return err
	}
	u := oauthConfig(info).AuthCodeURL(st.State,
		oauth2.S256ChallengeOption(st.Verifier),
		oauth2.SetAuthURLParam("nonce", st.Nonce),
		oauth2.SetAuthURLParam("resource", manage.ManagementAPI),
	)
	http.Redirect(w, r, u, http.StatusSeeOther)
	return nil
}

// callback completes the sign-in: the state must match the flow cookie,
// the iss parameter the admin issuer (RFC 9207 §2.4), and the ID token's
// nonce the one sent. The code is exchanged in-process.
func (h *Handler) callback(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
	var st flowState
	ok := h.readSealed(r, info, flowCookie, &st)
	clearCookie(w, info, flowCookie)
	q := r.URL.Query()
	if !ok || st.Expires < h.o.Clock.Now().Unix() {
		return fmt.Errorf("%w (no or expired sign-in state)", errSignIn)
	}
	if subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(st.State)) != 1 {
		return fmt.Errorf("%w (state mismatch)", errSignIn)
	}
	if iss := q.Get("iss"); iss != info.Issuer {
		return fmt.Errorf("%w (iss mismatch)", errSignIn)
	}
	if q.Get("error") != "" || q.Get("code") == "" {
		return fmt.Errorf("%w (authorization error)", errSignIn)
	}
	ctx := context.WithValue(r.Context(), peerKey{}, r.RemoteAddr)
	ctx = context.WithValue(ctx, oauth2.HTTPClient, &http.Client{Transport: inProcess{h: h.o.Internal}, Timeout: 10 * time.Second})
	tok, err := oauthConfig(info).Exchange(ctx, q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return fmt.Errorf("%w (token exchange: %v)", errSignIn, err)
	}
	at, err := h.verifyAccess(r.Context(), info, tok.AccessToken)
	if err != nil {
		return fmt.Errorf("%w (access token: %v)", errSignIn, err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	email, err := h.verifyIDToken(r.Context(), info, rawID, st.Nonce, at.Subject)
	if err != nil {
		return fmt.Errorf("%w (ID token: %v)", errSignIn, err)
	}
	life := time.Unix(at.Expiry, 0).Sub(h.o.Clock.Now())
	if err := h.setSealed(w, info, sessionCookie, sessionState{AccessToken: tok.AccessToken, Email: email, IDToken: rawID}, life); err != nil {
		return err
	}
	http.Redirect(w, r, st.Next, http.StatusSeeOther)
	return nil
}

// ensureClient registers this admin issuer's callback and signed-out
// page on the Admin UI client. The issuer comes from the tenant resolver,
// which only knows the configured admin hosts, so a request cannot
// register a URI of its choosing. It runs at every sign-in (a read when
// nothing is missing) rather than once per process, so that a concurrent
// update by another replica cannot leave a URI out for good.
func (h *Handler) ensureClient(r *http.Request, info *tenant.Info) error {
	ctx := manage.WithActor(r.Context(), manage.Actor{Type: manage.ActorSystem, ID: "admin-ui", RequestID: httpx.RequestID(r.Context())})
	if _, err := h.o.Manage.EnsureAdminUIClient(ctx, []string{info.URL(manage.AdminUICallbackPath)}); err != nil {
		return fmt.Errorf("admin: register the Admin UI client: %w", err)
	}
	return nil
}

// logout ends the Admin UI session: the cookie goes, the access token is
// revoked at the token's issuer (RFC 7009, in-process), and the browser
// is sent through the admin tenant's RP-initiated logout (which ends the
// sign-in session there and returns to the signed-out page).
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	var s sessionState
	had := h.readSealed(r, info, sessionCookie, &s)
	clearCookie(w, info, sessionCookie)
	if !had {
		http.Redirect(w, r, manage.AdminUISignedOutPath, http.StatusSeeOther)
		return nil
	}
	h.revoke(r, info, s.AccessToken)
	q := url.Values{
		"client_id":                {manage.AdminUIClientID},
		"post_logout_redirect_uri": {info.URL(manage.AdminUISignedOutPath)},
	}
	if s.IDToken != "" {
		q.Set("id_token_hint", s.IDToken)
	}
	http.Redirect(w, r, info.URL("/oauth2/logout")+"?"+q.Encode(), http.StatusSeeOther)
	return nil
}

// revoke asks the token endpoint's revocation sibling to revoke an access
// token (RFC 7009 §2.1; a public client identifies itself with
// client_id). Failure is logged: the cookie is gone either way.
func (h *Handler) revoke(r *http.Request, info *tenant.Info, token string) {
	if token == "" {
		return
	}
	body := url.Values{"token": {token}, "token_type_hint": {"access_token"}, "client_id": {manage.AdminUIClientID}}
	ctx := context.WithValue(r.Context(), peerKey{}, r.RemoteAddr)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, info.URL("/oauth2/revoke"), strings.NewReader(body.Encode()))
	if err != nil {
		return
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := inProcess{h: h.o.Internal}.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		h.o.Log.WarnContext(r.Context(), "admin: token revocation failed", "request_id", httpx.RequestID(r.Context()))
		return
	}
	_ = resp.Body.Close()
}

// accessClaims are the claims of our access tokens (RFC 9068 §2.2) the UI
// checks.
type accessClaims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  idp.Audience `json:"aud"`
	Expiry    int64        `json:"exp"`
	NotBefore int64        `json:"nbf"`
	JTI       string       `json:"jti"`
	TenantID  string       `json:"tid"`
	ClientID  string       `json:"client_id"`
	Scope     string       `json:"scope"`
}

var errToken = errors.New("admin: token not valid for the Admin UI")

// verifyAccess checks an access token exactly as the management API does:
// signature against the admin tenant's keys, typ at+jwt (RFC 9068 §4), our
// issuer and tenant, audience manage.ManagementAPI, issued to the Admin
// UI client, unexpired (exp exclusive, RFC 7519 §4.1.4) and still active.
func (h *Handler) verifyAccess(ctx context.Context, info *tenant.Info, raw string) (*accessClaims, error) {
	if raw == "" {
		return nil, errToken
	}
	v, err := h.o.Keys.Verify(ctx, info.Tenant.ID, raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errToken, err)
	}
	if !strings.EqualFold(v.Type, keys.TypAccessToken) && !strings.EqualFold(v.Type, "application/"+keys.TypAccessToken) {
		return nil, fmt.Errorf("%w: typ", errToken)
	}
	var c accessClaims
	if err := json.Unmarshal(v.Payload, &c); err != nil {
		return nil, fmt.Errorf("%w: claims", errToken)
	}
	now := h.o.Clock.Now().Unix()
	switch {
	case c.Issuer != info.Issuer, c.TenantID != info.Tenant.ID:
		return nil, fmt.Errorf("%w: issuer", errToken)
	case !c.Audience.Contains(manage.ManagementAPI):
		return nil, fmt.Errorf("%w: audience", errToken)
	case c.ClientID != manage.AdminUIClientID:
		return nil, fmt.Errorf("%w: client", errToken)
	case c.Subject == "" || c.JTI == "":
		return nil, fmt.Errorf("%w: missing claim", errToken)
	case now >= c.Expiry || (c.NotBefore != 0 && now < c.NotBefore):
		return nil, fmt.Errorf("%w: expired", errToken)
	}
	active, err := h.o.Tokens.AccessTokenActive(ctx, info.Tenant.ID, c.JTI)
	if err != nil {
		return nil, fmt.Errorf("admin: token status: %w", err)
	}
	if !active {
		return nil, fmt.Errorf("%w: revoked", errToken)
	}
	return &c, nil
}

// verifyIDToken checks the ID token of the sign-in (OIDC Core §3.1.3.7):
// signature, issuer, audience, expiry, the nonce we sent and the same
// subject as the access token. It returns the email claim.
func (h *Handler) verifyIDToken(ctx context.Context, info *tenant.Info, raw, nonce, sub string) (string, error) {
	if raw == "" {
		return "", errors.New("missing")
	}
	v, err := h.o.Keys.Verify(ctx, info.Tenant.ID, raw)
	if err != nil {
		return "", err
	}
	var c struct {
		Issuer  string       `json:"iss"`
		Subject string       `json:"sub"`
		Aud     idp.Audience `json:"aud"`
		Expiry  int64        `json:"exp"`
		Nonce   string       `json:"nonce"`
		Email   string       `json:"email"`
	}
	if err := json.Unmarshal(v.Payload, &c); err != nil {
		return "", err
	}
	switch {
	case c.Issuer != info.Issuer:
		return "", errors.New("issuer")
	case !c.Aud.Contains(manage.AdminUIClientID):
		return "", errors.New("audience")
	case h.o.Clock.Now().Unix() >= c.Expiry:
		return "", errors.New("expired")
	case subtle.ConstantTimeCompare(hashed(c.Nonce), hashed(nonce)) != 1:
		return "", errors.New("nonce")
	case c.Subject != sub:
		return "", errors.New("subject")
	}
	return c.Email, nil
}

func hashed(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// signInURL is where an unauthenticated request goes, returning to r's
// path afterwards.
func signInURL(r *http.Request) string {
	next := r.URL.Path
	if r.Method != http.MethodGet {
		next = "/admin/tenants"
	}
	return "/admin/login?" + url.Values{"next": {next}}.Encode()
}
