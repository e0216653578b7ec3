// Package httpx holds the HTTP plumbing shared by every front door: handlers
// that return errors, the one error mapper (OAuth JSON, HTML error page, the
// interstitial before an untrusted client's error redirect, API JSON),
// trusted-proxy handling, and middleware for request ids, logging (with the
// caller's W3C trace id), panics, security headers, body limits and request
// metrics by route pattern (Front, Route; the observer is an
// interface, so httpx never imports Prometheus).
package httpx
