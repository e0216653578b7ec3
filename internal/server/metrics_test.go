package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/metrics/metricstest"
)

// tokenCall posts form to the token endpoint with HTTP Basic client
// authentication (RFC 6749 §2.3.1) and decodes the answer.
func tokenCall(t *testing.T, issuer, clientID, clientSecret string, form url.Values) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, issuer+"/oauth2/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(clientID, clientSecret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out := map[string]any{}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("token response: %v", err)
	}
	return resp.StatusCode, out
}

// TestMetricsAfterSignInAndTokens signs a user in through the hosted
// pages, exchanges the code, rotates the refresh token and replays the old
// one, then scrapes the metrics: every counter moved by exactly what was
// done, route labels are patterns, and nothing that identifies a tenant,
// client, user or secret is in the output (SECURITY-TESTS 48: metrics
// labels).
func TestMetricsAfterSignInAndTokens(t *testing.T) {
	s := newStack(t)
	const tenantID = "sentinelshop"
	const email = "sentinel.person@example.com"
	issuer, clientSecret := s.tenantWithClient(t, tenantID)

	before := metricstest.Scrape(t, s.srv.MetricsHandler())
	if got := before.Value("authalla_oauth_tokens_issued_total"); got != 0 {
		t.Fatalf("tokens issued before any request: %v", got)
	}

	verifier, challenge := pkcePair()
	authURL := issuer + "/oauth2/authorize?" + url.Values{
		"client_id": {"shop-app"}, "redirect_uri": {rpCallback}, "response_type": {"code"},
		"scope": {"openid email offline_access"}, "state": {"st"}, "nonce": {"n"},
		"code_challenge": {challenge}, "code_challenge_method": {"S256"},
	}.Encode()
	code := s.signIn(t, browser(t), authURL, email).Query().Get("code")

	status, tok := tokenCall(t, issuer, "shop-app", clientSecret, url.Values{
		"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {rpCallback}, "code_verifier": {verifier},
	})
	if status != http.StatusOK {
		t.Fatalf("code exchange: %d %v", status, tok)
	}
	firstRefresh, _ := tok["refresh_token"].(string)
	status, rotated := tokenCall(t, issuer, "shop-app", clientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {firstRefresh}})
	if status != http.StatusOK {
		t.Fatalf("refresh: %d %v", status, rotated)
	}
	if status, _ := tokenCall(t, issuer, "shop-app", clientSecret, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {firstRefresh}}); status != http.StatusBadRequest {
		t.Fatalf("replayed refresh token: %d, want 400", status)
	}
	if status, _ := tokenCall(t, issuer, "shop-app", "wrong-"+clientSecret, url.Values{"grant_type": {"client_credentials"}}); status != http.StatusUnauthorized {
		t.Fatalf("wrong secret: %d, want 401", status)
	}

	e := metricstest.Scrape(t, s.srv.MetricsHandler())
	for _, c := range []struct {
		fam    string
		labels []string
		want   float64
	}{
		{"authalla_login_sign_ins_total", []string{"method", "pin", "outcome", "ok"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "authorization_code", "token_type", "access_token"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "authorization_code", "token_type", "id_token"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "authorization_code", "token_type", "refresh_token"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "refresh_token", "token_type", "access_token"}, 1},
		{"authalla_oauth_tokens_issued_total", []string{"grant_type", "refresh_token", "token_type", "refresh_token"}, 1},
		{"authalla_oauth_replays_detected_total", []string{"artifact", "refresh_token"}, 1},
		{"authalla_oauth_token_errors_total", []string{"grant_type", "refresh_token", "error", "invalid_grant"}, 1},
		{"authalla_oauth_token_errors_total", []string{"grant_type", "client_credentials", "error", "invalid_client"}, 1},
		{"authalla_http_request_duration_seconds", []string{"route", "/oauth2/token", "method", "POST", "code", "200"}, 2},
		{"authalla_http_request_duration_seconds", []string{"route", "/oauth2/token", "method", "POST", "code", "400"}, 1},
		{"authalla_http_request_duration_seconds", []string{"route", "/oauth2/pin-code", "method", "POST", "code", "303"}, 1},
	} {
		if got := e.Value(c.fam, c.labels...); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.fam, c.labels, got, c.want)
		}
	}
	// The resolver's and the token endpoint's client caches report here.
	for _, cache := range []string{"tenants", "oauth_clients"} {
		if got := e.Value("authalla_cache_lookups_total", "cache", cache, "result", "hit"); got < 1 {
			t.Errorf("%s cache hits = %v, want some", cache, got)
		}
	}
	if got := e.Value("authalla_db_connections_max_open", "dialect", "sqlite", "pool", "write"); got != 1 {
		t.Errorf("SQLite writer pool max open = %v, want 1", got)
	}
	if got := e.Value("authalla_http_requests_in_flight"); got != 0 {
		t.Errorf("requests in flight after the fact = %v", got)
	}

	// No label value names a tenant, a client, a user or a secret; the
	// route labels are the route table's patterns.
	accessToken, _ := tok["access_token"].(string)
	for what, secret := range map[string]string{
		"tenant id": tenantID, "client id": "shop-app", "email": email, "client secret": clientSecret,
		"code": code, "refresh token": firstRefresh, "access token": accessToken,
		"PKCE verifier": verifier, "rotated refresh token": fmt.Sprint(rotated["refresh_token"]),
	} {
		if secret == "" || secret == "<nil>" {
			t.Fatalf("%s missing from the flow", what)
		}
		if strings.Contains(e.Raw, secret) {
			t.Errorf("the exposition contains the %s", what)
		}
	}
	for _, route := range e.LabelValues("authalla_http_request_duration_seconds", "route") {
		if route != "unmatched" && route != "other" && !strings.HasPrefix(route, "/") {
			t.Errorf("route label %q is not a pattern", route)
		}
		if strings.Contains(route, "/t/") {
			t.Errorf("route label %q carries a path issuer's tenant", route)
		}
	}
}

// TestMetricsCardinalityIsBounded: requests for many distinct paths,
// hosts and methods add no series beyond the route table's.
func TestMetricsCardinalityIsBounded(t *testing.T) {
	s := newStack(t)
	issuer, _ := s.tenantWithClient(t, "boundshop")
	get(t, http.DefaultClient, issuer+"/.well-known/openid-configuration")
	get(t, http.DefaultClient, s.url+"/no-such-page")
	const fam = "authalla_http_request_duration_seconds"
	base := metricstest.Scrape(t, s.srv.MetricsHandler()).Series(fam)
	for i := range 40 {
		get(t, http.DefaultClient, fmt.Sprintf("%s/no-such-page-%d", s.url, i))
		get(t, http.DefaultClient, fmt.Sprintf("%s/t/tnt%03d/.well-known/openid-configuration", s.url, i))
		get(t, http.DefaultClient, fmt.Sprintf("%s/.well-known/openid-configuration?x=%d", issuer, i))
		req, _ := http.NewRequest(fmt.Sprintf("M%d", i), issuer+"/oauth2/token", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
		}
	}
	e := metricstest.Scrape(t, s.srv.MetricsHandler())
	// At most: the unknown tenants' 404 under "/", and the odd methods'
	// 405 under "other".
	if grown := e.Series(fam) - base; grown > 2 {
		t.Errorf("160 requests to distinct URLs and methods added %d series:\n%v", grown, e.LabelValues(fam, "route"))
	}
	if strings.Contains(e.Raw, "tnt0") || strings.Contains(e.Raw, "no-such-page") || strings.Contains(e.Raw, "M1") {
		t.Error("a request's path or method reached the exposition")
	}
}

// TestMetricsNotOnPublicListener: no tenant host serves the exposition;
// it is only reachable through MetricsHandler (its own listener).
func TestMetricsNotOnPublicListener(t *testing.T) {
	s := newStack(t)
	issuer, _ := s.tenantWithClient(t, "hiddenshop")
	for _, u := range []string{s.url + "/metrics", issuer + "/metrics", s.url + "/t/hiddenshop/metrics"} {
		resp, body := get(t, http.DefaultClient, u)
		if resp.StatusCode != http.StatusNotFound || strings.Contains(body, "authalla_") || strings.Contains(body, "# HELP") {
			t.Errorf("GET %s = %d, want 404 without metrics:\n%.200s", u, resp.StatusCode, body)
		}
	}
}

// TestMetricsRegistryPerServer: two servers in one process keep separate
// counts.
func TestMetricsRegistryPerServer(t *testing.T) {
	a, b := newStack(t), newStack(t)
	get(t, http.DefaultClient, a.url+"/healthz")
	ea, eb := metricstest.Scrape(t, a.srv.MetricsHandler()), metricstest.Scrape(t, b.srv.MetricsHandler())
	if ea.Value("authalla_http_request_duration_seconds", "route", "/healthz") != 1 || eb.Value("authalla_http_request_duration_seconds", "route", "/healthz") != 0 {
		t.Fatal("the servers share a registry")
	}
}
