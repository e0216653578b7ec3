package metrics

import (
	"database/sql"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// PoolStats returns the statistics of each connection pool of a database
// by pool name (*sqlstore.Store.PoolStats: "write" and "read" on SQLite,
// "main" on PostgreSQL).
type PoolStats func() map[string]sql.DBStats

// WatchDB reports the connection pools of a database whose dialect is
// "sqlite" or "postgres": open, in use and idle connections, the pool's
// limit, and how often and how long requests waited for a connection.
// The statistics are read at scrape time. Call it at most once per
// Metrics.
func (m *Metrics) WatchDB(dialect string, stats PoolStats) error {
	if m == nil {
		return nil
	}
	if !namePattern.MatchString(dialect) || stats == nil {
		return fmt.Errorf("metrics: WatchDB needs a dialect name and a stats function")
	}
	if err := m.reg.Register(newDBCollector(dialect, stats)); err != nil {
		return fmt.Errorf("metrics: database pools: %w", err)
	}
	return nil
}

// dbCollector turns sql.DBStats into metrics at each scrape.
type dbCollector struct {
	dialect string
	stats   PoolStats

	maxOpen, open, inUse, idle                          *prometheus.Desc
	waitCount, waitSeconds                              *prometheus.Desc
	closedMaxIdle, closedMaxIdleTime, closedMaxLifetime *prometheus.Desc
}

func newDBCollector(dialect string, stats PoolStats) *dbCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "db", name), help, []string{"dialect", "pool"}, nil)
	}
	return &dbCollector{
		dialect:           dialect,
		stats:             stats,
		maxOpen:           d("connections_max_open", "Maximum number of open connections the pool allows (0: unlimited)."),
		open:              d("connections_open", "Open connections, in use or idle."),
		inUse:             d("connections_in_use", "Connections in use."),
		idle:              d("connections_idle", "Idle connections."),
		waitCount:         d("wait_total", "Times a request waited for a free connection."),
		waitSeconds:       d("wait_seconds_total", "Total time requests waited for a free connection."),
		closedMaxIdle:     d("closed_max_idle_total", "Connections closed because the idle pool was full."),
		closedMaxIdleTime: d("closed_max_idle_time_total", "Connections closed for being idle too long."),
		closedMaxLifetime: d("closed_max_lifetime_total", "Connections closed for reaching their maximum lifetime."),
	}
}

// Describe implements prometheus.Collector.
func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.maxOpen, c.open, c.inUse, c.idle, c.waitCount, c.waitSeconds,
		c.closedMaxIdle, c.closedMaxIdleTime, c.closedMaxLifetime} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. Pool names outside the
// expected shape are skipped rather than exported.
func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	for pool, s := range c.stats() {
		if !namePattern.MatchString(pool) {
			continue
		}
		g := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, c.dialect, pool)
		}
		n := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, c.dialect, pool)
		}
		g(c.maxOpen, float64(s.MaxOpenConnections))
		g(c.open, float64(s.OpenConnections))
		g(c.inUse, float64(s.InUse))
		g(c.idle, float64(s.Idle))
		n(c.waitCount, float64(s.WaitCount))
		n(c.waitSeconds, s.WaitDuration.Seconds())
		n(c.closedMaxIdle, float64(s.MaxIdleClosed))
		n(c.closedMaxIdleTime, float64(s.MaxIdleTimeClosed))
		n(c.closedMaxLifetime, float64(s.MaxLifetimeClosed))
	}
}
