package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/seed"
)

// signIn signs a random active seeded user of a random tenant in through
// the hosted pages (authorize, email, PIN from the mail, code), exchanges
// the code (PKCE, the tenant's spa client) and returns the refresh-token
// family it started. Each sign-in is a fresh browser (no cookies) with
// its own client address.
func (s *scale) signIn(ctx context.Context, r *rand.Rand) (family, error) {
	if len(s.withUsers) == 0 {
		return family{}, errNoUsers
	}
	t, email := s.pickUser(r)
	defer func() {
		s.mu.Lock()
		delete(s.inFlight, email)
		s.mu.Unlock()
	}()
	c := s.tenants[t]
	br, err := newBrowser(s.issuer(t), c.SPAClientID, c.RedirectURI)
	if err != nil {
		return family{}, err
	}
	br.client.Transport = &forwardedFor{base: s.transport(2), addr: s.clientAddr()}
	defer br.client.CloseIdleConnections()
	p := newPKCE()
	code, err := br.signInWith(ctx, email, p, "openid email offline_access", func(ctx context.Context) (string, error) {
		return s.takeMail(ctx, email)
	})
	if err != nil {
		return family{}, fmt.Errorf("sign-in of %s in %s: %w", email, c.Tenant, err)
	}
	var tok tokenResponse
	if err := s.postForm(ctx, s.issuer(t)+"/oauth2/token", url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {c.RedirectURI},
		"client_id": {c.SPAClientID}, "code_verifier": {p.verifier},
	}, "", "", &tok); err != nil {
		return family{}, fmt.Errorf("code exchange in %s: %w", c.Tenant, err)
	}
	if tok.RefreshToken == "" {
		return family{}, errors.New("code exchange: no refresh token (offline_access not granted?)")
	}
	return family{tenant: t, refresh: tok.RefreshToken}, nil
}

// pickUser draws a tenant with users and an active user of it that no
// other worker is signing in, and marks the user in flight.
func (s *scale) pickUser(r *rand.Rand) (int, string) {
	for {
		t := s.withUsers[r.IntN(len(s.withUsers))]
		u := seed.UserAt(s.tenants[t].Tenant, r.IntN(s.tenants[t].Users))
		if u.Status != "active" {
			continue
		}
		s.mu.Lock()
		busy := s.inFlight[u.Email]
		if !busy {
			s.inFlight[u.Email] = true
		}
		s.mu.Unlock()
		if !busy {
			return t, u.Email
		}
	}
}

// takeMail waits for a mail to addr, removes it from the sink (a user may
// sign in again later) and returns its PIN.
func (s *scale) takeMail(ctx context.Context, addr string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	addr = strings.ToLower(addr)
	k := s.sink
	for {
		k.mu.Lock()
		for i, m := range k.messages {
			for _, to := range m.to {
				if to == addr {
					k.messages = append(k.messages[:i], k.messages[i+1:]...)
					k.mu.Unlock()
					pin := extractPIN(m.text)
					if pin == "" {
						return "", errors.New("no PIN in the sign-in mail")
					}
					return pin, nil
				}
			}
		}
		ch := k.arrived
		k.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return "", fmt.Errorf("no mail to %s: %w", addr, ctx.Err())
		}
	}
}

// forwardedFor adds X-Forwarded-For to every request of one simulated
// browser.
type forwardedFor struct {
	base http.RoundTripper
	addr string
}

func (f *forwardedFor) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set("X-Forwarded-For", f.addr)
	return f.base.RoundTrip(req)
}

// decodeOK requires 200 and decodes the JSON answer.
func decodeOK(resp *http.Response, out any) error {
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %.200s", resp.Request.Method, resp.Request.URL.Path, resp.Status, body)
	}
	return json.Unmarshal(body, out)
}
