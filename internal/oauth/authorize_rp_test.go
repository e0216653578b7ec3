package oauth_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/authalla/authalla/internal/oauth/oauthtest"
)

// TestAuthorizeRelyingParty runs the code flow with PKCE through a real Go
// relying party (go-oidc discovery and ID token verification, x/oauth2 for
// the exchange) against both tenants, whose client ids and user emails
// collide, with a confidential and a public client.
func TestAuthorizeRelyingParty(t *testing.T) {
	h := oauthtest.New(t)
	httpClient := &http.Client{Timeout: 10 * time.Second}
	ctx := oidc.ClientContext(context.Background(), httpClient)
	subs := map[string]string{}
	for _, tid := range []string{tA, tB} {
		for _, clientID := range []string{oauthtest.WebClient, oauthtest.SPAClient} {
			t.Run(tid+"/"+clientID, func(t *testing.T) {
				iss := h.Issuer(tid)
				provider, err := oidc.NewProvider(ctx, iss)
				if err != nil {
					t.Fatalf("discovery: %v", err)
				}
				redirect := h.RedirectURI(t, tid, clientID)
				cfg := oauth2.Config{
					ClientID: clientID, ClientSecret: h.Secret(tid, clientID),
					Endpoint: provider.Endpoint(), RedirectURL: redirect,
					Scopes: []string{oidc.ScopeOpenID, "profile", "email", oidc.ScopeOfflineAccess},
				}
				if cfg.ClientSecret == "" {
					cfg.Endpoint.AuthStyle = oauth2.AuthStyleInParams
				}
				verifier := oauth2.GenerateVerifier()
				state, nonce := "st-"+tid, "n-"+clientID
				b := h.Browser(t)
				h.Login(t, b, tid, oauthtest.Alice)
				res, _ := h.Get(t, b, cfg.AuthCodeURL(state, oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce)))
				q := azCallback(t, res, redirect, iss)
				if q.Get("state") != state || q.Get("code") == "" {
					t.Fatalf("authorization response %v", q)
				}
				tok, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier))
				if err != nil {
					t.Fatalf("exchange: %v", err)
				}
				if tok.RefreshToken == "" || tok.TokenType != "Bearer" {
					t.Errorf("token response: type %q, refresh token present %v", tok.TokenType, tok.RefreshToken != "")
				}
				raw, _ := tok.Extra("id_token").(string)
				idt, err := provider.Verifier(&oidc.Config{ClientID: clientID, Now: h.Clock.Now}).Verify(ctx, raw)
				if err != nil {
					t.Fatalf("ID token: %v", err)
				}
				if idt.Nonce != nonce || idt.Issuer != iss || len(idt.Audience) != 1 || idt.Audience[0] != clientID {
					t.Errorf("ID token nonce %q iss %q aud %q", idt.Nonce, idt.Issuer, idt.Audience)
				}
				if want := h.User(t, tid, oauthtest.Alice).ID; idt.Subject != want {
					t.Errorf("sub = %q, want %q", idt.Subject, want)
				}
				if prev, ok := subs[tid]; ok && prev != idt.Subject {
					t.Errorf("sub not stable per tenant: %q then %q", prev, idt.Subject)
				}
				subs[tid] = idt.Subject
				// The code was single-use.
				if _, err := cfg.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(verifier)); err == nil {
					t.Errorf("second exchange of the code succeeded")
				}
				// The other tenant's verifier refuses this ID token.
				other := map[string]string{tA: tB, tB: tA}[tid]
				op, err := oidc.NewProvider(ctx, h.Issuer(other))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := op.Verifier(&oidc.Config{ClientID: clientID, Now: h.Clock.Now}).Verify(ctx, raw); err == nil {
					t.Errorf("%s's ID token verified at %s", tid, other)
				}
			})
		}
	}
	if subs[tA] == "" || subs[tA] == subs[tB] {
		t.Errorf("the same email in two tenants must be two subjects: %q", subs)
	}
}
