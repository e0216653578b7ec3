package login

// Metrics counts sign-in outcomes; *metrics.Metrics satisfies it. The
// method and outcome come from the fixed vocabularies below, never from
// the request.
type Metrics interface {
	// SignIn counts one attempt to sign in with method ("pin",
	// "magic_link") that ended with outcome.
	SignIn(method, outcome string)
}

// Sign-in outcomes as Metrics counts them.
const (
	outcomeOK          = "ok"
	outcomeWrongPIN    = "wrong_pin"
	outcomeLocked      = "locked"       // too many wrong PINs: the challenge is burned
	outcomeExpired     = "expired"      // the PIN's lifetime is over
	outcomeInvalidLink = "invalid_link" // unknown, used or expired magic link
	outcomeAlreadyUsed = "already_used" // the challenge signed someone in already
	outcomeNotAllowed  = "not_allowed"  // verified, but nobody may sign in (suspended, closed registration)
	outcomeRateLimited = "rate_limited"
)

// noMetrics counts nothing (Options.Metrics nil).
type noMetrics struct{}

func (noMetrics) SignIn(string, string) {}

func metricsOrNone(m Metrics) Metrics {
	if m == nil {
		return noMetrics{}
	}
	return m
}

// auditOutcomes maps the reason of a login.failure audit record to the
// outcome counted.
var auditOutcomes = map[string]string{
	"wrong_pin":    outcomeWrongPIN,
	"burned":       outcomeLocked,
	"expired":      outcomeExpired,
	"already_used": outcomeAlreadyUsed,
	"not_allowed":  outcomeNotAllowed,
}

// countSignIn counts the sign-in outcome an audit record describes:
// every verified or refused PIN and link is audited (audit), so the two
// agree. Other audit actions are not sign-in attempts.
func (h *Handler) countSignIn(action string, details map[string]string) {
	switch action {
	case "login.success":
		h.metrics.SignIn(details["method"], outcomeOK)
	case "login.failure":
		o, ok := auditOutcomes[details["reason"]]
		if !ok {
			o = details["reason"] // a reason added later; metrics reports it as "other"
		}
		h.metrics.SignIn(details["method"], o)
	}
}
