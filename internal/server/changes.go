package server

import "github.com/authalla/authalla/internal/idp"

// Invalidate drops what ch names from the server's caches: the tenant
// resolver's tenants and the protocol layer's clients, users' status,
// token status and discovery documents. The app subscribes the server to
// its change bus (internal/changes), so changes made on this node and, on
// PostgreSQL, on every other node reach it; each cache's TTL bounds how
// stale it can be when a change is lost.
func (s *Server) Invalidate(ch idp.Change) {
	s.resolver.Invalidate(ch)
	s.provider.Invalidate(ch)
}
