package metrics

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"runtime/debug"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// namespace prefixes every metric of the server's own.
const namespace = "authalla"

// Options configure a Metrics.
type Options struct {
	// Version is the release reported by authalla_build_info ("dev" when
	// empty).
	Version string
	// Log receives errors met while serving a scrape (nil: slog.Default).
	Log *slog.Logger
}

// Metrics is one server's registry and the recorders that feed it. All
// methods are safe for concurrent use, and a nil *Metrics records nothing,
// so that code paths without metrics (command-line tools, unit tests) need
// no special case.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	requests *prometheus.HistogramVec
	// requestObservers caches requests' series by requestKey (http.go).
	requestObservers sync.Map
	inFlight         prometheus.Gauge

	tokensIssued *prometheus.CounterVec
	tokenErrors  *prometheus.CounterVec
	replays      *prometheus.CounterVec
	tokenChecks  *prometheus.CounterVec // introspections and revocations (oauth.go)

	signIns *prometheus.CounterVec

	cacheLookups *prometheus.CounterVec
}

// New returns a Metrics with a fresh registry holding the Go runtime and
// process collectors, build information and the server's own metrics.
func New(o Options) *Metrics {
	if o.Version == "" {
		o.Version = "dev"
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	m := &Metrics{reg: prometheus.NewRegistry(), log: o.Log}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		buildInfo(o.Version),
	)
	m.registerHTTP()
	m.registerOAuth()
	m.registerSignIn()
	m.registerCache()
	return m
}

// buildInfo is the constant authalla_build_info gauge: 1, labelled with
// the release, the VCS revision the binary was built from (when the Go
// toolchain recorded it) and the Go version.
func buildInfo(version string) prometheus.Collector {
	revision := "unknown"
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && s.Value != "" {
				revision = s.Value
			}
		}
	}
	g := prometheus.NewGauge(prometheus.GaugeOpts{
		Namespace: namespace, Name: "build_info",
		Help:        "Build information of the running server; the value is always 1.",
		ConstLabels: prometheus.Labels{"version": version, "revision": revision, "goversion": runtime.Version()},
	})
	g.Set(1)
	return g
}

// scrapeTimeout bounds one scrape; maxScrapes bounds concurrent ones (a
// misconfigured scraper cannot pile up gatherings).
const (
	scrapeTimeout = 10 * time.Second
	maxScrapes    = 4
)

// Handler serves the registry in the Prometheus text (or OpenMetrics, if
// asked) exposition format. A collector that fails is logged and skipped;
// the rest is still served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:            slogAdapter{m.log},
		ErrorHandling:       promhttp.ContinueOnError,
		Registry:            m.reg,
		MaxRequestsInFlight: maxScrapes,
		Timeout:             scrapeTimeout,
	})
}

// Gatherer returns the registry, for tests and for embedding.
func (m *Metrics) Gatherer() prometheus.Gatherer { return m.reg }

// slogAdapter is promhttp's logger on slog.
type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Println(v ...any) {
	a.log.Warn("metrics: scrape", "err", fmt.Sprint(v...))
}
