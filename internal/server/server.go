package server

import (
	"errors"
	"log/slog"
	"net/http"

	"context"
	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// Options are the server's dependencies, built by the app.
type Options struct {
	Config *config.Config
	Store  store.Store
	Keys   KeyManager
	Mail   mail.Sender
	Clock  idp.Clock
	Random secret.Source
	Log    *slog.Logger
}

// KeyManager is the key service the server needs: signing, verification,
// the JWKS, and the periodic staged-rotation maintenance. *keys.Manager
// satisfies it.
type KeyManager interface {
	keys.Signer
	keys.Verifier
	keys.Publisher
	EnsureKey(ctx context.Context, tenantID, alg string) error
	Maintain(ctx context.Context, tenantID string) error
}

// Server is the root handler and the tenant resolver it routes with.
type Server struct {
	handler  http.Handler
	resolver *tenant.Resolver
}

// New builds the server.
func New(o Options) (*Server, error) {
	return nil, errors.New("server: not wired yet")
}

// Handler returns the root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Resolver returns the tenant resolver (for printing issuers and cache
// invalidation).
func (s *Server) Resolver() *tenant.Resolver { return s.resolver }
