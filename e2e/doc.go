// Package e2e holds the end-to-end tests of Authalla: they build the real
// binary, run it on loopback with a real SMTP listener capturing its mail,
// drive its hosted pages with headless Chromium, and run real relying
// parties under Node (the integration guide's Express handlers on
// openid-client and jose, and an oauth4webapi client) against it.
//
// The tests run only with AUTHALLA_E2E=1 (scripts/test sets it). When CI is
// set, a missing chromium or node fails the run instead of skipping it.
package e2e
