// Package metrics is the server's Prometheus instrumentation: one registry
// per server (never the process-wide default, so tests can build several
// servers side by side), the Go runtime and process collectors, build
// information, and typed recorders that the other packages reach through
// small interfaces of their own (httpx.RequestObserver, oauth.Metrics,
// login.Metrics, cachestat.Recorder). Those packages never import
// Prometheus.
//
// Every label value comes from a fixed vocabulary: ServeMux route patterns
// (never the raw path), HTTP methods and status codes, grant and token
// types, OAuth error codes, sign-in methods and outcomes, cache and pool
// names. A value outside its vocabulary is reported as "other", so a
// caller's mistake cannot grow the series count or put an identifier, a
// tenant, a user or a secret into the output.
//
// The exposition is served by Handler, which the app mounts on its own
// listener (--metrics-listen), never on the public one.
package metrics
