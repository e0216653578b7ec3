package manage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// AdminUISignedOutPath is where the admin tenant's RP-initiated logout
// returns the Admin UI (a post-logout redirect URI of its client).
const AdminUISignedOutPath = "/admin/signed-out"

// EnsureAdminUIClient makes sure the Admin UI's public client
// (AdminUIClientID) exists on the admin tenant and accepts redirectURIs —
// the Admin UI callback of every admin issuer (the public URL and
// login.{base-domain}); EnsureBuiltins only registers the preferred one.
// For each callback ending in AdminUICallbackPath, the signed-out page
// next to it is registered as a post-logout redirect URI (OIDC
// RP-Initiated Logout 1.0 §3). Missing URIs are added; nothing is removed. Only the server and the CLI
// may call it (at start-up). It is idempotent and audited when it changes
// something.
func (s *Service) EnsureAdminUIClient(ctx context.Context, redirectURIs []string) (*idp.Client, error) {
	const action = "client.update"
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.privileged() {
		return nil, fmt.Errorf("manage: the Admin UI client is managed by the server: %w", idp.ErrForbidden)
	}
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		return nil, fmt.Errorf("manage: admin tenant: %w", err)
	}
	if err := s.ensureBuiltins(ctx, admin); err != nil {
		return nil, err
	}
	c, err := s.store.GetClient(ctx, admin.ID, AdminUIClientID)
	if err != nil {
		return nil, fmt.Errorf("manage: admin UI client: %w", err)
	}
	next := *c
	next.RedirectURIs = slices.Clone(c.RedirectURIs)
	next.PostLogoutRedirectURIs = slices.Clone(c.PostLogoutRedirectURIs)
	for _, u := range redirectURIs {
		if !slices.Contains(next.RedirectURIs, u) {
			next.RedirectURIs = append(next.RedirectURIs, u)
		}
		if base, ok := strings.CutSuffix(u, AdminUICallbackPath); ok && !slices.Contains(next.PostLogoutRedirectURIs, base+AdminUISignedOutPath) {
			next.PostLogoutRedirectURIs = append(next.PostLogoutRedirectURIs, base+AdminUISignedOutPath)
		}
	}
	if len(next.RedirectURIs) == len(c.RedirectURIs) && len(next.PostLogoutRedirectURIs) == len(c.PostLogoutRedirectURIs) {
		return c, nil
	}
	if err := s.validateClient(ctx, &next); err != nil {
		return nil, err
	}
	next.UpdatedAt = s.clock.Now()
	if err := s.store.UpdateClient(ctx, admin.ID, &next); err != nil {
		s.audit(ctx, a, admin.ID, action, "client", c.ID, err, nil)
		return nil, fmt.Errorf("manage: admin UI client: %w", err)
	}
	s.changed(idp.ChangeClient, admin.ID, c.ID)
	s.audit(ctx, a, admin.ID, action, "client", c.ID, nil, map[string]string{"redirect_uris_added": fmt.Sprint(len(next.RedirectURIs) - len(c.RedirectURIs))})
	return &next, nil
}
