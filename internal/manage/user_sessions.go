package manage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// ConnectedApp is a client a user has signed in to: a consent, live
// grants (token families), or both.
type ConnectedApp struct {
	ClientID   string
	ClientName string
	// Scopes are the consented scopes, else the union of the grants' scopes.
	Scopes []string
	// ConsentedAt is when consent was given (nil: none recorded).
	ConsentedAt *time.Time
	// Grants is how many live token families the user has with the client.
	Grants int
	// LastUsedAt is when the newest live grant was created (nil: none).
	LastUsedAt *time.Time
}

// ListUserSessions lists a user's live browser sessions.
func (s *Service) ListUserSessions(ctx context.Context, tenantID, userID string) ([]idp.Session, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	if _, err := s.store.GetUser(ctx, tenantID, userID); err != nil {
		return nil, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	ss, err := s.store.ListUserSessions(ctx, tenantID, userID, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("manage: list sessions: %w", err)
	}
	return ss, nil
}

// RevokeUserSessions ends every session of a user and returns how many
// were live. Tokens already issued stay valid until they expire or are
// revoked (see RevokeConnectedApp, SuspendUser).
func (s *Service) RevokeUserSessions(ctx context.Context, tenantID, userID string) (int, error) {
	const action = "user.sessions.revoke"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return 0, err
	}
	if _, err := s.store.GetUser(ctx, tenantID, userID); err != nil {
		return 0, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	if dryRun(ctx) {
		ss, err := s.store.ListUserSessions(ctx, tenantID, userID, s.clock.Now())
		if err != nil {
			return 0, fmt.Errorf("manage: list sessions: %w", err)
		}
		return len(ss), nil
	}
	n, err := s.store.RevokeUserSessions(ctx, tenantID, userID, s.clock.Now())
	if err != nil {
		s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
		return 0, fmt.Errorf("manage: end sessions: %w", err)
	}
	s.changed(idp.ChangeUser, tenantID, userID)
	s.audit(ctx, a, tenantID, action, "user", userID, nil, map[string]string{"count": fmt.Sprint(n)})
	return n, nil
}

// ListConnectedApps lists the clients a user has consented to or holds
// live grants with, ordered by client id.
func (s *Service) ListConnectedApps(ctx context.Context, tenantID, userID string) ([]ConnectedApp, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	if _, err := s.store.GetUser(ctx, tenantID, userID); err != nil {
		return nil, fmt.Errorf("manage: user %q: %w", userID, err)
	}
	consents, err := s.store.ListConsents(ctx, tenantID, userID)
	if err != nil {
		return nil, fmt.Errorf("manage: list consents: %w", err)
	}
	grants, err := s.store.ListUserGrants(ctx, tenantID, userID, s.clock.Now())
	if err != nil {
		return nil, fmt.Errorf("manage: list grants: %w", err)
	}
	apps := map[string]*ConnectedApp{}
	get := func(id string) *ConnectedApp {
		if apps[id] == nil {
			apps[id] = &ConnectedApp{ClientID: id}
		}
		return apps[id]
	}
	for _, c := range consents {
		app := get(c.ClientID)
		at := c.UpdatedAt
		app.ConsentedAt = &at
		app.Scopes = append([]string(nil), c.Scopes...)
	}
	for _, g := range grants {
		app := get(g.ClientID)
		app.Grants++
		if app.LastUsedAt == nil || g.CreatedAt.After(*app.LastUsedAt) {
			at := g.CreatedAt
			app.LastUsedAt = &at
		}
		if app.ConsentedAt == nil {
			for _, sc := range g.Scope {
				if !slices.Contains(app.Scopes, sc) {
					app.Scopes = append(app.Scopes, sc)
				}
			}
		}
	}
	out := make([]ConnectedApp, 0, len(apps))
	for _, app := range apps {
		if c, err := s.store.GetClient(ctx, tenantID, app.ClientID); err == nil {
			app.ClientName = c.Name
		} else if !errors.Is(err, idp.ErrNotFound) {
			return nil, fmt.Errorf("manage: client: %w", err)
		}
		out = append(out, *app)
	}
	slices.SortFunc(out, func(x, y ConnectedApp) int { return strings.Compare(x.ClientID, y.ClientID) })
	return out, nil
}

// RevokeConnectedApp disconnects a user from a client: the consent goes
// and every grant of the user with the client is revoked with its refresh
// and access tokens (SECURITY-TESTS 47). idp.ErrNotFound when the user has
// neither with the client.
func (s *Service) RevokeConnectedApp(ctx context.Context, tenantID, userID, clientID string) error {
	const action = "user.connected_app.revoke"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return err
	}
	apps, err := s.ListConnectedApps(ctx, tenantID, userID)
	if err != nil {
		return err
	}
	if !slices.ContainsFunc(apps, func(c ConnectedApp) bool { return c.ClientID == clientID }) {
		return fmt.Errorf("manage: user %q has no connection with client %q: %w", userID, clientID, idp.ErrNotFound)
	}
	if dryRun(ctx) {
		return nil
	}
	now := s.clock.Now()
	if err := s.store.DeleteConsent(ctx, tenantID, userID, clientID, now); err != nil && !errors.Is(err, idp.ErrNotFound) {
		s.audit(ctx, a, tenantID, action, "user", userID, err, map[string]string{"client_id": clientID})
		return fmt.Errorf("manage: delete consent: %w", err)
	}
	if err := s.store.RevokeUserGrants(ctx, tenantID, userID, clientID, now); err != nil {
		s.audit(ctx, a, tenantID, action, "user", userID, err, map[string]string{"client_id": clientID})
		return fmt.Errorf("manage: revoke grants: %w", err)
	}
	s.changed(idp.ChangeToken, tenantID, "")
	s.audit(ctx, a, tenantID, action, "user", userID, nil, map[string]string{"client_id": clientID})
	return nil
}
