// Package oauthtest builds an in-process Authalla for protocol tests: a
// SQLite store in a temporary directory, real signing keys, sessions, the
// tenant resolver with path issuers and the oauth Provider behind an
// httptest.Server, on one fake clock. Two tenants, tenant-a and tenant-b,
// hold clients, users and a resource server with colliding names, so that
// every test exercises tenant isolation. Login is simulated by creating a
// session directly (Harness.Login); the hosted pages are not needed.
package oauthtest
