// Package metricstest reads a Prometheus text exposition in tests: scrape
// a handler or a URL once, then look series and their values up by name and
// labels.
package metricstest
