package oauth

import (
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
)

// countingMetrics records what the Provider counts.
type countingMetrics struct{ got []string }

func (c *countingMetrics) TokenIssued(g, t string)   { c.got = append(c.got, "issued "+g+" "+t) }
func (c *countingMetrics) TokenError(g, code string) { c.got = append(c.got, "error "+g+" "+code) }
func (c *countingMetrics) ReplayDetected(a string)   { c.got = append(c.got, "replay "+a) }
func (c *countingMetrics) Introspected(t string, active bool) {
	c.got = append(c.got, "introspected "+t+" "+strconv.FormatBool(active))
}
func (c *countingMetrics) Revoked(t string, revoked bool) {
	c.got = append(c.got, "revoked "+t+" "+strconv.FormatBool(revoked))
}

func TestCountToken(t *testing.T) {
	cases := []struct {
		name  string
		grant string
		resp  *tokenResponse
		err   error
		want  []string
	}{
		{"access only", "client_credentials", &tokenResponse{AccessToken: "a"}, nil,
			[]string{"issued client_credentials access_token"}},
		{"all three", "authorization_code", &tokenResponse{AccessToken: "a", RefreshToken: "r", IDToken: "i"}, nil,
			[]string{"issued authorization_code access_token", "issued authorization_code refresh_token", "issued authorization_code id_token"}},
		{"oauth error", "refresh_token", nil, grantError(), []string{"error refresh_token invalid_grant"}},
		{"wrapped oauth error", "refresh_token", nil, errors.Join(errors.New("x"), oauthError(oauthInvalidScope, "d")),
			[]string{"error refresh_token invalid_scope"}},
		{"503", "authorization_code", nil, &httpx.OAuthError{Code: oauthTemporarilyDown, Status: http.StatusServiceUnavailable},
			[]string{"error authorization_code temporarily_unavailable"}},
		{"not an oauth error", "", nil, errors.New("boom"), []string{"error  server_error"}},
		{"nothing written", "client_credentials", nil, nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := &countingMetrics{}
			p := &Provider{metrics: m}
			p.countToken(c.grant, c.resp, c.err)
			if !reflect.DeepEqual(m.got, c.want) {
				t.Errorf("counted %q, want %q", m.got, c.want)
			}
		})
	}
}

func TestMetricsOrNone(t *testing.T) {
	if _, ok := metricsOrNone(nil).(noMetrics); !ok {
		t.Fatal("nil Metrics is not replaced")
	}
	m := &countingMetrics{}
	if metricsOrNone(m) != Metrics(m) {
		t.Fatal("a Metrics is replaced")
	}
	// A Provider built without Metrics counts nothing and does not panic.
	New(Options{}).countToken("client_credentials", &tokenResponse{AccessToken: "a"}, nil)
}

// cacheCounts counts one cache's hits and misses.
type cacheCounts struct{ hit, miss int }

func (c *cacheCounts) Hit()  { c.hit++ }
func (c *cacheCounts) Miss() { c.miss++ }

// TestCacheStats: each of the Provider's caches reports to the recorder
// of its name; a disabled cache (no TTL) reports nothing.
func TestCacheStats(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	got := map[string]*cacheCounts{}
	stats := func(name string) cachestat.Recorder {
		got[name] = &cacheCounts{}
		return got[name]
	}
	p := New(Options{Clock: clock, CacheTTL: time.Minute, CacheStats: stats})
	if len(got) != 4 || got["oauth_clients"] == nil || got["oauth_resources"] == nil || got["oauth_users"] == nil || got["oauth_token_status"] == nil {
		t.Fatalf("recorders asked for: %v", got)
	}
	p.users.get("t1", "u1")
	p.users.put(p.users.ticket(), "t1", "u1", true)
	p.users.get("t1", "u1")
	p.users.get("t1", "u1")
	clock.Advance(time.Minute)
	p.users.get("t1", "u1")
	if c := got["oauth_users"]; c.hit != 2 || c.miss != 2 {
		t.Errorf("oauth_users: %d hits %d misses, want 2 and 2", c.hit, c.miss)
	}
	if c := got["oauth_clients"]; c.hit+c.miss != 0 {
		t.Errorf("oauth_clients counted lookups it did not have: %+v", c)
	}

	off := New(Options{Clock: clock, CacheStats: stats})
	off.users.get("t1", "u1")
	if c := got["oauth_users"]; c.hit+c.miss != 0 {
		t.Errorf("a disabled cache counted: %+v", c)
	}
	// nil recorders are replaced.
	New(Options{Clock: clock, CacheTTL: time.Minute, CacheStats: func(string) cachestat.Recorder { return nil }}).users.get("t1", "u1")
}
