package oauth

import (
	"errors"

	"github.com/authalla/authalla/internal/httpx"
)

// Metrics counts protocol outcomes; *metrics.Metrics satisfies it. Every
// argument comes from a fixed vocabulary (grant types, token types, OAuth
// error codes, artifact kinds), never a tenant, client, user or token.
type Metrics interface {
	// TokenIssued counts one token of tokenType ("access_token",
	// "refresh_token", "id_token") issued by grantType.
	TokenIssued(grantType, tokenType string)
	// TokenError counts one token endpoint error with OAuth error code
	// code (RFC 6749 §5.2).
	TokenError(grantType, code string)
	// ReplayDetected counts a used authorization code or a rotated
	// refresh token presented again ("authorization_code",
	// "refresh_token"): its grant was revoked.
	ReplayDetected(artifact string)
	// Introspected counts one introspection answer for a token of
	// tokenType ("access_token", "refresh_token"), active or not.
	Introspected(tokenType string, active bool)
	// Revoked counts one answered revocation of a token of tokenType:
	// whether it changed anything.
	Revoked(tokenType string, revoked bool)
}

// noMetrics counts nothing (Options.Metrics nil).
type noMetrics struct{}

func (noMetrics) TokenIssued(string, string) {}
func (noMetrics) TokenError(string, string)  {}
func (noMetrics) ReplayDetected(string)      {}
func (noMetrics) Introspected(string, bool)  {}
func (noMetrics) Revoked(string, bool)       {}

func metricsOrNone(m Metrics) Metrics {
	if m == nil {
		return noMetrics{}
	}
	return m
}

// Artifacts whose replay revokes a grant, as ReplayDetected names them.
const (
	replayCode    = "authorization_code"
	replayRefresh = "refresh_token"
)

// countToken counts what one token endpoint response carried: each token
// of a successful response, or the error code of a failed one (an error
// that is not an OAuth error was answered as server_error).
func (p *Provider) countToken(grantType string, resp *tokenResponse, err error) {
	if err != nil {
		code := oauthServerError
		var oe *httpx.OAuthError
		if errors.As(err, &oe) {
			code = oe.Code
		}
		p.metrics.TokenError(grantType, code)
		return
	}
	if resp == nil {
		return
	}
	p.metrics.TokenIssued(grantType, "access_token")
	if resp.RefreshToken != "" {
		p.metrics.TokenIssued(grantType, "refresh_token")
	}
	if resp.IDToken != "" {
		p.metrics.TokenIssued(grantType, "id_token")
	}
}
