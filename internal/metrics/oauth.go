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
	m.tokenChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "oauth", Name: "token_requests_total",
		Help: "Introspection (RFC 7662) and revocation (RFC 7009) requests that were answered, by endpoint (introspect, revoke), token type (access_token, refresh_token) and outcome: introspect active or inactive; revoke revoked, or unchanged (unknown, foreign, expired or already revoked token: RFC 7009 §2.2 answers 200 all the same).",
	}, []string{"endpoint", "token_type", "outcome"})
	m.reg.MustRegister(m.tokensIssued, m.tokenErrors, m.replays, m.tokenChecks)
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
	for _, tt := range []string{"access_token", "refresh_token"} {
		for _, c := range [][2]string{{"introspect", "active"}, {"introspect", "inactive"}, {"revoke", "revoked"}, {"revoke", "unchanged"}} {
			m.tokenChecks.WithLabelValues(c[0], tt, c[1])
		}
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

// Introspected counts one introspection answer (RFC 7662 §2.2) for a
// token of tokenType ("access_token", "refresh_token"), active or not.
func (m *Metrics) Introspected(tokenType string, active bool) {
	if m == nil {
		return
	}
	outcome := "inactive"
	if active {
		outcome = "active"
	}
	m.tokenChecks.WithLabelValues("introspect", checkedTokenTypes.of(tokenType), outcome).Inc()
}

// Revoked counts one answered revocation request (RFC 7009 §2.2) for a
// token of tokenType: revoked when it changed something, else unchanged.
func (m *Metrics) Revoked(tokenType string, revoked bool) {
	if m == nil {
		return
	}
	outcome := "unchanged"
	if revoked {
		outcome = "revoked"
	}
	m.tokenChecks.WithLabelValues("revoke", checkedTokenTypes.of(tokenType), outcome).Inc()
}

// checkedTokenTypes are the tokens introspection and revocation accept
// (RFC 7662 §2.1, RFC 7009 §2.1).
var checkedTokenTypes = vocab("access_token", "refresh_token")
