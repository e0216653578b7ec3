// Package cachestat is the one seam between an in-memory cache and the
// metrics it feeds: a Recorder counts hits and misses. It imports nothing
// but the standard library, so the protocol and domain packages (oauth,
// login, keys, tenant) count their cache lookups without depending on
// Prometheus; internal/metrics implements Recorder.
package cachestat
