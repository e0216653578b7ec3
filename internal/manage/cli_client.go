package manage

import (
	"context"
	"errors"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// CLIClientID is the client_id of the remote CLI ("authalla login"): a
// public `native` client of the admin tenant (authorization code + PKCE
// with a loopback redirect) whose tokens are for ManagementAPI.
const CLIClientID = "authalla-cli"

// CLIRedirectURI is the CLI's registered redirect URI. RFC 8252 §7.3: the
// authorization server lets a native client's loopback redirect use any
// port at request time, so one registration serves every `authalla
// login` (each listens on a port the operating system picks).
const CLIRedirectURI = "http://127.0.0.1/callback"

// cliClientScopes are the scopes the CLI may request: an ID token, a
// refresh token (so that the operator is not sent back to the browser
// every time the access token expires) and every management scope.
func cliClientScopes() []string {
	return append([]string{"openid", "offline_access"}, ManagementScopes...)
}

// EnsureCLIClient creates the remote CLI's public client on the admin
// tenant when it is missing. It is idempotent, changes nothing that
// exists (an operator may have edited the client on purpose), needs no
// caller identity and is audited as the system. It is called when the
// server starts.
func (s *Service) EnsureCLIClient(ctx context.Context) error {
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		return fmt.Errorf("manage: CLI client: admin tenant: %w", err)
	}
	if _, err := s.store.GetClient(ctx, admin.ID, CLIClientID); err == nil {
		return nil
	} else if !errors.Is(err, idp.ErrNotFound) {
		return fmt.Errorf("manage: CLI client: %w", err)
	}
	now := s.clock.Now()
	c := &idp.Client{
		TenantID: admin.ID, ID: CLIClientID, Name: "Authalla CLI", Type: idp.ClientNative,
		RedirectURIs: []string{CLIRedirectURI}, Scopes: cliClientScopes(),
		DefaultResourceServer: ManagementAPI, CreatedAt: now, UpdatedAt: now,
	}
	if err := s.validateClient(ctx, c); err != nil {
		return fmt.Errorf("manage: CLI client: %w", err)
	}
	err = s.store.CreateClient(ctx, admin.ID, c)
	if errors.Is(err, idp.ErrConflict) {
		return nil // created concurrently (another replica)
	}
	if err != nil {
		return fmt.Errorf("manage: CLI client: %w", err)
	}
	s.changed(idp.ChangeClient, admin.ID, c.ID)
	sys := Actor{Type: ActorSystem, ID: "builtin"}
	if a, ok := ActorFrom(ctx); ok {
		sys.RequestID, sys.ClientIP = a.RequestID, a.ClientIP
	}
	s.audit(ctx, sys, admin.ID, "client.create", "client", c.ID, nil, map[string]string{"type": string(c.Type)})
	return nil
}
