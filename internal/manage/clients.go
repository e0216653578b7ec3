package manage

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// ClientInput registers an OAuth client.
type ClientInput struct {
	// ID is the client_id; empty generates a random one.
	ID                     string
	Name                   string
	Type                   idp.ClientType
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	Scopes                 []string
	RequireConsent         bool
	// ThirdParty marks a client not run by the tenant owner (consent is
	// always shown).
	ThirdParty            bool
	DefaultResourceServer string
	RefreshGraceSeconds   int
}

// ClientPatch changes a client; nil fields stay as they are. The type and
// client_id never change.
type ClientPatch struct {
	Name *string
	// RedirectURIs replaces the list; AddRedirectURIs and
	// RemoveRedirectURIs then edit it.
	RedirectURIs       *[]string
	AddRedirectURIs    []string
	RemoveRedirectURIs []string
	// PostLogoutRedirectURIs, AddPostLogoutRedirectURIs and
	// RemovePostLogoutRedirectURIs work the same way.
	PostLogoutRedirectURIs       *[]string
	AddPostLogoutRedirectURIs    []string
	RemovePostLogoutRedirectURIs []string
	Scopes                       *[]string
	RequireConsent               *bool
	// DefaultResourceServer names a resource server identifier; "" clears it.
	DefaultResourceServer *string
	RefreshGraceSeconds   *int
}

// ClientCreated is a new client with its first secret (confidential
// clients only). The secret's plaintext is shown here once and never again.
type ClientCreated struct {
	Client *idp.Client
	Secret *NewSecret
}

// clientIDPattern: characters safe in URLs and form bodies without
// encoding (RFC 3986 §2.3 unreserved).
var clientIDPattern = regexp.MustCompile(`^[A-Za-z0-9._~-]{3,100}$`)

// maxRefreshGrace caps the refresh-token reuse window (seconds).
const maxRefreshGrace = 60

// validateClient checks c after defaults and patches were applied.
func (s *Service) validateClient(ctx context.Context, c *idp.Client) error {
	var err error
	if c.Name, err = validName("name", c.Name, maxNameLen); err != nil {
		return err
	}
	if !c.Type.Valid() {
		return idp.Invalid("type", fmt.Sprintf("%q is not spa, native, web or backend", c.Type))
	}
	if c.RedirectURIs, err = validRedirectURIs("redirect_uris", c.Type, c.RedirectURIs); err != nil {
		return err
	}
	if c.PostLogoutRedirectURIs, err = validRedirectURIs("post_logout_redirect_uris", c.Type, c.PostLogoutRedirectURIs); err != nil {
		return err
	}
	if c.Type == idp.ClientBackend {
		// client_credentials has no redirect (RFC 6749 §4.4).
		if len(c.RedirectURIs) > 0 {
			return idp.Invalid("redirect_uris", "backend clients have no redirect URIs")
		}
		if len(c.PostLogoutRedirectURIs) > 0 {
			return idp.Invalid("post_logout_redirect_uris", "backend clients have no logout URIs")
		}
	} else if len(c.RedirectURIs) == 0 {
		// OAuth 2.1 §2.3.1: clients using the code flow register redirect URIs.
		return idp.Invalid("redirect_uris", "at least one redirect URI is required")
	}
	if c.Scopes, err = validScopes("scopes", c.Scopes); err != nil {
		return err
	}
	if c.RefreshGraceSeconds < 0 || c.RefreshGraceSeconds > maxRefreshGrace {
		return idp.Invalid("refresh_grace_seconds", fmt.Sprintf("must be between 0 and %d", maxRefreshGrace))
	}
	c.DefaultResourceServer = strings.TrimSpace(c.DefaultResourceServer)
	if c.DefaultResourceServer != "" {
		if _, err := s.store.GetResourceServerByIdentifier(ctx, c.TenantID, c.DefaultResourceServer); err != nil {
			if errors.Is(err, idp.ErrNotFound) {
				return idp.Invalid("default_resource_server", "no resource server of this tenant has this identifier")
			}
			return fmt.Errorf("manage: resource server: %w", err)
		}
	}
	if c.ThirdParty {
		c.RequireConsent = true
	}
	return nil
}

// CreateClient registers a client. Confidential clients (web, backend)
// get a first secret, returned once in the result.
func (s *Service) CreateClient(ctx context.Context, tenantID string, in ClientInput) (*ClientCreated, error) {
	const action = "client.create"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "client", in.ID, err)
		return nil, err
	}
	id := strings.TrimSpace(in.ID)
	if id == "" {
		if id, err = s.newClientID(); err != nil {
			return nil, err
		}
	} else if !clientIDPattern.MatchString(id) {
		return nil, idp.Invalid("client_id", "3-100 characters of A-Z a-z 0-9 . _ ~ -")
	}
	now := s.clock.Now()
	c := &idp.Client{
		TenantID: tenantID, ID: id, Name: in.Name, Type: in.Type,
		RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs,
		Scopes: in.Scopes, RequireConsent: in.RequireConsent, ThirdParty: in.ThirdParty,
		DefaultResourceServer: in.DefaultResourceServer, RefreshGraceSeconds: in.RefreshGraceSeconds,
		CreatedAt: now, UpdatedAt: now,
	}
	if err := s.validateClient(ctx, c); err != nil {
		s.audit(ctx, a, tenantID, action, "client", id, err, nil)
		return nil, err
	}
	if dryRun(ctx) {
		// No secret is generated: a dry run shows no credential.
		taken := fmt.Errorf("manage: client_id %q is taken in this tenant: %w", id, idp.ErrConflict)
		if err := mustNotExist(func() error { _, err := s.store.GetClient(ctx, tenantID, id); return err }, taken); err != nil {
			return nil, fmt.Errorf("manage: create client: %w", err)
		}
		return &ClientCreated{Client: c}, nil
	}
	if err := s.store.CreateClient(ctx, tenantID, c); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			err = fmt.Errorf("manage: client_id %q is taken in this tenant: %w", id, idp.ErrConflict)
		}
		s.audit(ctx, a, tenantID, action, "client", id, err, nil)
		return nil, fmt.Errorf("manage: create client: %w", err)
	}
	// A node may hold a cached "no such client" for this id.
	s.changed(idp.ChangeClient, tenantID, id)
	out := &ClientCreated{Client: c}
	details := map[string]string{"type": string(c.Type)}
	if !c.Public() {
		sec, err := s.addSecret(ctx, tenantID, id)
		if err != nil {
			return nil, err
		}
		out.Secret = sec
		details["secret_id"] = sec.ID
	}
	s.audit(ctx, a, tenantID, action, "client", id, nil, details)
	return out, nil
}

// newClientID returns 24 random base62 characters (about 142 bits).
func (s *Service) newClientID() (string, error) {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	out := make([]byte, 0, 24)
	for len(out) < 24 {
		b, err := s.random.Bytes(32)
		if err != nil {
			return "", err
		}
		for _, x := range b {
			// Rejection sampling keeps the distribution uniform: 248 = 4*62.
			if x < 248 && len(out) < 24 {
				out = append(out, alphabet[int(x)%62])
			}
		}
	}
	return string(out), nil
}

// GetClient returns a client.
func (s *Service) GetClient(ctx context.Context, tenantID, clientID string) (*idp.Client, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	c, err := s.store.GetClient(ctx, tenantID, clientID)
	if err != nil {
		return nil, fmt.Errorf("manage: client %q: %w", clientID, err)
	}
	return c, nil
}

// ListClients lists a tenant's clients with the total.
func (s *Service) ListClients(ctx context.Context, tenantID string, page idp.Page) ([]idp.Client, int, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, 0, err
	}
	page, err := clampPage(page)
	if err != nil {
		return nil, 0, err
	}
	cs, total, err := s.store.ListClients(ctx, tenantID, page)
	if err != nil {
		return nil, 0, fmt.Errorf("manage: list clients: %w", err)
	}
	return cs, total, nil
}

// UpdateClient applies p to a client.
func (s *Service) UpdateClient(ctx context.Context, tenantID, clientID string, p ClientPatch) (*idp.Client, error) {
	const action = "client.update"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "client", clientID, err)
		return nil, err
	}
	c, err := s.store.GetClient(ctx, tenantID, clientID)
	if err != nil {
		return nil, fmt.Errorf("manage: client %q: %w", clientID, err)
	}
	setStr(&c.Name, p.Name)
	c.RedirectURIs = applyList(c.RedirectURIs, p.RedirectURIs, p.AddRedirectURIs, p.RemoveRedirectURIs)
	c.PostLogoutRedirectURIs = applyList(c.PostLogoutRedirectURIs, p.PostLogoutRedirectURIs, p.AddPostLogoutRedirectURIs, p.RemovePostLogoutRedirectURIs)
	if p.Scopes != nil {
		c.Scopes = append([]string(nil), (*p.Scopes)...)
	}
	setBool(&c.RequireConsent, p.RequireConsent)
	setStr(&c.DefaultResourceServer, p.DefaultResourceServer)
	setInt(&c.RefreshGraceSeconds, p.RefreshGraceSeconds)
	if err := s.validateClient(ctx, c); err != nil {
		s.audit(ctx, a, tenantID, action, "client", clientID, err, nil)
		return nil, err
	}
	c.UpdatedAt = s.clock.Now()
	if dryRun(ctx) {
		return c, nil
	}
	if err := s.store.UpdateClient(ctx, tenantID, c); err != nil {
		s.audit(ctx, a, tenantID, action, "client", clientID, err, nil)
		return nil, fmt.Errorf("manage: update client: %w", err)
	}
	s.changed(idp.ChangeClient, tenantID, clientID)
	s.audit(ctx, a, tenantID, action, "client", clientID, nil, nil)
	return c, nil
}

// DeleteClient removes a client with its secrets and revokes its grants.
func (s *Service) DeleteClient(ctx context.Context, tenantID, clientID string) error {
	const action = "client.delete"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "client", clientID, err)
		return err
	}
	if dryRun(ctx) {
		if _, err := s.store.GetClient(ctx, tenantID, clientID); err != nil {
			return fmt.Errorf("manage: delete client %q: %w", clientID, err)
		}
		return nil
	}
	if err := s.store.DeleteClient(ctx, tenantID, clientID); err != nil {
		return fmt.Errorf("manage: delete client %q: %w", clientID, err)
	}
	// Its grants are revoked with it.
	s.changed(idp.ChangeClient, tenantID, clientID)
	s.changed(idp.ChangeToken, tenantID, "")
	s.audit(ctx, a, tenantID, action, "client", clientID, nil, nil)
	return nil
}
