package metrics

import (
	"regexp"
	"strconv"
)

// other is reported for a label value outside its vocabulary.
const other = "other"

// vocabulary is a closed set of label values.
type vocabulary map[string]bool

func vocab(values ...string) vocabulary {
	v := make(vocabulary, len(values))
	for _, s := range values {
		v[s] = true
	}
	return v
}

// of returns s when it belongs to v, else "other".
func (v vocabulary) of(s string) string {
	if v[s] {
		return s
	}
	return other
}

// Vocabularies of the label values (see the recorders that use them).
var (
	httpMethods = vocab("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
	// grantTypes are the token endpoint's grants (RFC 6749 §4.1.3, §4.4.2, §6).
	grantTypes = vocab("authorization_code", "refresh_token", "client_credentials")
	// tokenTypes are what one token response can carry.
	tokenTypes = vocab("access_token", "refresh_token", "id_token")
	// oauthErrors are the token endpoint's error codes (RFC 6749 §5.2,
	// RFC 8707 §2) plus the two the server itself answers with.
	oauthErrors = vocab("invalid_request", "invalid_client", "invalid_grant", "unauthorized_client",
		"unsupported_grant_type", "invalid_scope", "invalid_target", "server_error", "temporarily_unavailable")
	// replayArtifacts are the single-use artifacts whose reuse revokes a
	// grant (RFC 6749 §4.1.2; RFC 9700 §4.14.2).
	replayArtifacts = vocab("authorization_code", "refresh_token")
	// signInMethods and signInOutcomes describe hosted sign-in attempts.
	signInMethods  = vocab("pin", "magic_link")
	signInOutcomes = vocab("ok", "wrong_pin", "locked", "expired", "invalid_link", "already_used", "not_allowed", "rate_limited")
)

// statusCode is the label of an HTTP status: its three digits, or "other"
// outside 100–599 (net/http itself refuses anything else).
func statusCode(code int) string {
	if code < 100 || code > 599 {
		return other
	}
	return strconv.Itoa(code)
}

// namePattern is the shape of cache and pool names: they are chosen in
// code, never taken from a request.
var namePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
