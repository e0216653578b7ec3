package server

import (
	"database/sql"
	"net/http"

	"github.com/authalla/authalla/internal/metrics"
)

// pooledStore is a store whose connection pools can be watched
// (*sqlstore.Store).
type pooledStore interface {
	Dialect() string
	PoolStats() map[string]sql.DBStats
}

// Metrics returns the server's registry, for recorders built outside the
// server (the key manager's cache).
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// MetricsHandler serves the Prometheus exposition. The app mounts it on
// its own listener (--metrics-listen): Handler never serves it, so no
// tenant host exposes it.
func (s *Server) MetricsHandler() http.Handler { return s.metrics.Handler() }
