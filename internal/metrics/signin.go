package metrics

import "github.com/prometheus/client_golang/prometheus"

func (m *Metrics) registerSignIn() {
	m.signIns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "login", Name: "sign_ins_total",
		Help: "Hosted sign-in attempts by method (pin, magic_link) and outcome " +
			"(ok, wrong_pin, locked, expired, invalid_link, already_used, not_allowed, rate_limited).",
	}, []string{"method", "outcome"})
	m.reg.MustRegister(m.signIns)
	for _, c := range [][2]string{
		{"pin", "ok"}, {"pin", "wrong_pin"}, {"pin", "locked"}, {"pin", "expired"},
		{"magic_link", "ok"}, {"magic_link", "invalid_link"},
	} {
		m.signIns.WithLabelValues(c[0], c[1])
	}
}

// SignIn counts one sign-in attempt of method that ended with outcome.
func (m *Metrics) SignIn(method, outcome string) {
	if m == nil {
		return
	}
	m.signIns.WithLabelValues(signInMethods.of(method), signInOutcomes.of(outcome)).Inc()
}
