// Package server builds the root HTTP handler: process endpoints (health,
// readiness), then per-tenant routing (resolver middleware) to the protocol
// endpoints (oauth) and hosted pages (login). routes.go lists every URL.
package server
