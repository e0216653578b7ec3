package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/authalla/authalla/internal/metrics/cachestat"
)

func (m *Metrics) registerCache() {
	m.cacheLookups = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Subsystem: "cache", Name: "lookups_total",
		Help: "In-memory cache lookups by cache and result (hit, miss); the hit rate is hit / (hit + miss).",
	}, []string{"cache", "result"})
	m.reg.MustRegister(m.cacheLookups)
}

// Cache returns the recorder of the cache called name (lower-case letters,
// digits and underscores, chosen in code: "tenants", "signing_keys", …).
// Both of its series exist from this call on. Asking twice for one name
// returns recorders of the same series. A nil *Metrics returns
// cachestat.Nop. Cache panics on a malformed name: that is a wiring bug.
func (m *Metrics) Cache(name string) cachestat.Recorder {
	if m == nil {
		return cachestat.Nop{}
	}
	if !namePattern.MatchString(name) {
		panic(fmt.Sprintf("metrics: cache name %q is not [a-z][a-z0-9_]*", name))
	}
	return cacheRecorder{hit: m.cacheLookups.WithLabelValues(name, "hit"), miss: m.cacheLookups.WithLabelValues(name, "miss")}
}

// cacheRecorder holds the two bound counters, so that a lookup costs one
// atomic add.
type cacheRecorder struct{ hit, miss prometheus.Counter }

func (c cacheRecorder) Hit()  { c.hit.Inc() }
func (c cacheRecorder) Miss() { c.miss.Inc() }
