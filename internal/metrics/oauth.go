package metrics

import "github.com/prometheus/client_golang/prometheus"

func (m *Metrics) registerOAuth() {
	m.tokensIssued = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "oauth", Name: "tokens_issued_total",
		Help: "Tokens issued by the token endpoint, by grant type and token type (access_token, refresh_token, id_token).",
	}, []string{"grant_type", "token_type"})
	m.tokenErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "oauth", Name: "token_errors_total",
		Help: "Token endpoint error responses, by grant type and OAuth error code (RFC 6749 §5.2).",
	}, []string{"grant_type", "error"})
	m.replays = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "oauth", Name: "replays_detected_total",
		Help: "Used authorization codes and rotated refresh tokens presented again; a replay revokes the grant and its refresh-token family (RFC 6749 §4.1.2, RFC 9700 §4.14.2).",
	}, []string{"artifact"})
	m.reg.MustRegister(m.tokensIssued, m.tokenErrors, m.replays)
	// Every combination a response can produce starts at zero, so that
	// rate() and alerts see the series before the first event.
	for _, c := range [][2]string{
		{"authorization_code", "access_token"}, {"authorization_code", "refresh_token"}, {"authorization_code", "id_token"},
		{"refresh_token", "access_token"}, {"refresh_token", "refresh_token"}, {"refresh_token", "id_token"},
		{"client_credentials", "access_token"},
	} {
		m.tokensIssued.WithLabelValues(c[0], c[1])
	}
	for a := range replayArtifacts {
		m.replays.WithLabelValues(a)
	}
}

// TokenIssued counts one token of tokenType issued by grantType.
func (m *Metrics) TokenIssued(grantType, tokenType string) {
	if m == nil {
		return
	}
	m.tokensIssued.WithLabelValues(grantTypes.of(grantType), tokenTypes.of(tokenType)).Inc()
}

// TokenError counts one token endpoint error response with the OAuth
// error code code; grantType is the request's grant_type as the server
// understood it ("" when the request had none it supports).
func (m *Metrics) TokenError(grantType, code string) {
	if m == nil {
		return
	}
	m.tokenErrors.WithLabelValues(grantTypes.of(grantType), oauthErrors.of(code)).Inc()
}

// ReplayDetected counts one reuse of a single-use artifact
// ("authorization_code" or "refresh_token") that revoked its grant.
func (m *Metrics) ReplayDetected(artifact string) {
	if m == nil {
		return
	}
	m.replays.WithLabelValues(replayArtifacts.of(artifact)).Inc()
}
