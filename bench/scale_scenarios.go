package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/seed"
)

// searchTenants is how many tenants (drawn at random) get a management
// token for the search scenario, before its runs.
const searchTenants = 200

// scenarios lists the chosen scale scenarios in a fixed order.
func (s *scale) scenarios() []scenario {
	var out []scenario
	add := func(name string, sc scenario) {
		if !s.wantsAny(name) {
			return
		}
		sc.name = name
		out = append(out, sc)
	}
	add("discovery", scenario{op: func(ctx context.Context, w, i int) error {
		return s.get(ctx, s.issuer(pick(s.workerRand(w, i), len(s.tenants)))+"/.well-known/openid-configuration", "")
	}})
	add("jwks", scenario{op: func(ctx context.Context, w, i int) error {
		return s.get(ctx, s.issuer(pick(s.workerRand(w, i), len(s.tenants)))+"/.well-known/jwks.json", "")
	}})
	add("signin", scenario{op: func(ctx context.Context, w, i int) error {
		f, err := s.signIn(ctx, s.workerRand(w, i))
		if err != nil {
			return err
		}
		select {
		case s.families <- f:
		default: // enough families kept
		}
		return nil
	}})
	add("refresh", scenario{prepare: s.prepareFamilies, op: func(ctx context.Context, _, _ int) error {
		var f family
		select {
		case f = <-s.families:
		case <-ctx.Done():
			return ctx.Err()
		}
		var tok tokenResponse
		err := s.postForm(ctx, s.issuer(f.tenant)+"/oauth2/token", url.Values{
			"grant_type": {"refresh_token"}, "refresh_token": {f.refresh}, "client_id": {s.tenants[f.tenant].SPAClientID},
		}, "", "", &tok)
		if err != nil {
			return err
		}
		if tok.RefreshToken == "" {
			return errors.New("refresh: no new refresh token")
		}
		f.refresh = tok.RefreshToken
		s.families <- f
		return nil
	}})
	// Admin search by a whole email address: a random user of one of
	// searchTenants random tenants, with that tenant's machine token.
	var searchable []int
	add("search", scenario{
		prepare: func(ctx context.Context, n int) (int, error) {
			var err error
			if searchable == nil {
				searchable, err = s.prepareTokens(ctx, searchTenants)
			}
			return n, err
		},
		op: func(ctx context.Context, w, i int) error {
			r := s.workerRand(w, i)
			t := searchable[r.IntN(len(searchable))]
			u := seed.UserAt(s.tenants[t].Tenant, r.IntN(s.tenants[t].Users))
			return s.search(ctx, t, u.Email, u.ID)
		},
	})
	// The same in the largest tenant.
	add("search_large", scenario{
		prepare: func(ctx context.Context, n int) (int, error) { return n, s.ensureToken(ctx, s.large) },
		op: func(ctx context.Context, w, i int) error {
			r := s.workerRand(w, i)
			u := seed.UserAt(s.tenants[s.large].Tenant, r.IntN(s.tenants[s.large].Users))
			return s.search(ctx, s.large, u.Email, u.ID)
		},
	})
	// A substring (a last name) in the largest tenant: every user of the
	// tenant is scanned.
	add("search_large_substring", scenario{
		prepare: func(ctx context.Context, n int) (int, error) { return n, s.ensureToken(ctx, s.large) },
		op: func(ctx context.Context, w, i int) error {
			r := s.workerRand(w, i)
			u := seed.UserAt(s.tenants[s.large].Tenant, r.IntN(s.tenants[s.large].Users))
			last := strings.ToLower(u.Name[strings.LastIndexByte(u.Name, ' ')+1:])
			return s.search(ctx, s.large, last, "")
		},
	})
	return out
}

// search lists the users of tenant t matching term through the
// management API; with wantID, that user must be the only match.
func (s *scale) search(ctx context.Context, t int, term, wantID string) error {
	s.mu.Lock()
	tok := s.tokens[t]
	s.mu.Unlock()
	var out struct {
		Users []struct {
			ID string `json:"id"`
		} `json:"users"`
		Total int `json:"total"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.issuer(t)+"/api/v1/users?search="+url.QueryEscape(term), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	if err := s.doJSON(req, &out); err != nil {
		return err
	}
	if wantID != "" && (out.Total != 1 || len(out.Users) != 1 || out.Users[0].ID != wantID) {
		return fmt.Errorf("search %q in %s: %d results, want user %s", term, s.tenants[t].Tenant, out.Total, wantID)
	}
	if wantID == "" && out.Total == 0 {
		return fmt.Errorf("search %q in %s: no results", term, s.tenants[t].Tenant)
	}
	return nil
}

func (s *scale) doJSON(req *http.Request, out any) error {
	resp, err := s.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return decodeOK(resp, out)
}

// prepareTokens gets management tokens for n random tenants with users.
func (s *scale) prepareTokens(ctx context.Context, n int) ([]int, error) {
	if len(s.withUsers) == 0 {
		return nil, errNoUsers
	}
	r := s.workerRand(-1, 0)
	var out []int
	for range min(n, len(s.withUsers)) {
		t := s.withUsers[r.IntN(len(s.withUsers))]
		if err := s.ensureToken(ctx, t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, nil
}

// ensureToken gets tenant t's backend client a management-API token with
// users:read (client credentials, RFC 6749 §4.4, for the resource of
// RFC 8707).
func (s *scale) ensureToken(ctx context.Context, t int) error {
	s.mu.Lock()
	_, ok := s.tokens[t]
	s.mu.Unlock()
	if ok {
		return nil
	}
	c := s.tenants[t]
	var tok tokenResponse
	if err := s.postForm(ctx, s.issuer(t)+"/oauth2/token", url.Values{"grant_type": {"client_credentials"},
		"resource": {"urn:authalla:management"}, "scope": {"users:read"}}, c.ClientID, c.ClientSecret, &tok); err != nil {
		return fmt.Errorf("management token of %s: %w", c.Tenant, err)
	}
	s.mu.Lock()
	s.tokens[t] = tok.AccessToken
	s.mu.Unlock()
	return nil
}

// prepareFamilies signs users in (untimed) until there are enough
// refresh-token families for every worker to rotate its own.
func (s *scale) prepareFamilies(ctx context.Context, n int) (int, error) {
	want := max(4*s.o.workers, 32)
	for i := 0; len(s.families) < want; i++ {
		f, err := s.signIn(ctx, s.workerRand(-2, i))
		if err != nil {
			return 0, fmt.Errorf("signing in for refresh tokens: %w", err)
		}
		s.families <- f
	}
	return n, nil
}

// clientAddr returns a distinct address of the benchmarking range
// 198.18.0.0/15 (RFC 2544; only written into a header, never contacted)
// for each sign-in, sent in X-Forwarded-For: the server, started with --trusted-proxies for
// loopback, then applies its per-address sign-in limits to each
// simulated person instead of to the benchmark as one client.
func (s *scale) clientAddr() string {
	s.mu.Lock()
	s.nextIP++
	n := s.nextIP
	s.mu.Unlock()
	a := netip.AddrFrom4([4]byte{198, 18 + byte(n>>16)&1, byte(n >> 8), byte(n)})
	return a.String()
}
