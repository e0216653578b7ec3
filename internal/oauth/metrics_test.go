package oauth

import (
	"errors"
	"net/http"
	"reflect"
	"testing"

	"github.com/authalla/authalla/internal/httpx"
)

// countingMetrics records what the Provider counts.
type countingMetrics struct{ got []string }

func (c *countingMetrics) TokenIssued(g, t string)   { c.got = append(c.got, "issued "+g+" "+t) }
func (c *countingMetrics) TokenError(g, code string) { c.got = append(c.got, "error "+g+" "+code) }
func (c *countingMetrics) ReplayDetected(a string)   { c.got = append(c.got, "replay "+a) }

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
