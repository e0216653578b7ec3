// Package httpx holds the HTTP plumbing shared by every front door: handlers
// that return errors, the one error mapper (OAuth JSON, HTML error page, the
// interstitial before an untrusted client's error redirect, API JSON),
// trusted-proxy handling, and middleware for request ids, logging, panics,
// security headers and body limits.
package httpx
