package metrics

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// requestBuckets span what an identity server answers: memory-served
// discovery and JWKS well under a millisecond, signing a few milliseconds,
// password-strength hashing and database writes tens to hundreds, and the
// request timeout's tail.
var requestBuckets = []float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}

// unmatched is the route of a request no pattern matched (404 or 405 from
// a ServeMux, or a host that names no tenant).
const unmatched = "unmatched"

// maxRouteLen caps a route label; patterns are short, so anything longer
// is a wiring mistake and is reported as "other".
const maxRouteLen = 100

func (m *Metrics) registerHTTP() {
	m.requests = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Subsystem: "http", Name: "request_duration_seconds",
		Help:    "Time to answer HTTP requests, by route pattern (never the raw path), method and status code.",
		Buckets: requestBuckets,
	}, []string{"route", "method", "code"})
	m.inFlight = prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Subsystem: "http", Name: "requests_in_flight",
		Help: "HTTP requests being answered now.",
	})
	m.reg.MustRegister(m.requests, m.inFlight)
}

// ObserveRequest records one answered request. route is the ServeMux
// pattern that served it ("" when none matched); a method in the pattern
// is dropped from the route and reported as the method label.
func (m *Metrics) ObserveRequest(route, method string, status int, d time.Duration) {
	if m == nil {
		return
	}
	method = httpMethods.of(method)
	if status < 100 || status > 599 {
		status = 0 // statusLabel's "other"
	}
	k := requestKey{route: route, method: method, status: status}
	if o, ok := m.requestObservers.Load(k); ok {
		o.(prometheus.Observer).Observe(d.Seconds())
		return
	}
	o := m.requests.WithLabelValues(routeLabel(route), method, statusLabel(status))
	m.requestObservers.Store(k, o)
	o.Observe(d.Seconds())
}

// requestKey names one series of the request histogram before its labels
// are derived: the pattern as the mux reported it, the method label and
// the status (0 for one outside 100–599). Patterns are the registered
// ones and methods and statuses are bounded, so the cache of series it
// keys (Metrics.requestObservers) is too. Looking a series up by its
// labels hashes three strings under the vector's lock on every request;
// the cache spares the token endpoint that.
type requestKey struct {
	route, method string
	status        int
}

// statusLabels are statusCode's answers for 100–599, built once: the
// label of every request's status without formatting a number.
var statusLabels = func() (t [500]string) {
	for i := range t {
		t[i] = statusCode(100 + i)
	}
	return t
}()

// statusLabel is statusCode from the table.
func statusLabel(code int) string {
	if code < 100 || code > 599 {
		return other
	}
	return statusLabels[code-100]
}

// RequestStarted counts a request in flight; call RequestFinished when it
// ends.
func (m *Metrics) RequestStarted() {
	if m != nil {
		m.inFlight.Inc()
	}
}

// RequestFinished ends what RequestStarted counted.
func (m *Metrics) RequestFinished() {
	if m != nil {
		m.inFlight.Dec()
	}
}

// routeLabel turns a ServeMux pattern ("[METHOD ][HOST]/[PATH]") into the
// route label: the pattern without its method. Wildcards stay as written
// ("/assets/brand/{kind}"), so the label set is the route table's size.
func routeLabel(pattern string) string {
	if pattern == "" {
		return unmatched
	}
	if i := strings.IndexByte(pattern, ' '); i >= 0 {
		pattern = strings.TrimLeft(pattern[i+1:], " \t")
	}
	if len(pattern) > maxRouteLen || !strings.Contains(pattern, "/") {
		return other
	}
	return pattern
}
