package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// ResourceServerInput creates a resource server (an API).
type ResourceServerInput struct {
	// Identifier is the audience: an absolute https URL (http on loopback).
	Identifier string
	Name       string
	// ScopePrefix is immutable; empty derives one from the identifier
	// (https://api.example.com → "api:").
	ScopePrefix string
	Scopes      []idp.ResourceScope
}

// ResourceServerPatch changes a resource server; the identifier and the
// scope prefix are immutable.
type ResourceServerPatch struct {
	Name *string
	// Scopes replaces the whole list.
	Scopes *[]idp.ResourceScope
}

var (
	prefixPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]{0,39}:$`)
	// scopeTail is what follows the prefix: a scope-token (RFC 6749 §3.3)
	// restricted to characters that need no quoting anywhere.
	scopeTail = regexp.MustCompile(`^[A-Za-z0-9_.:/-]{1,100}$`)
)

const maxScopeDescription = 300

// validResourceIdentifier checks an RFC 8707 §2 resource indicator: an
// absolute URI without fragment; we also require https (http on loopback)
// and no query or credentials, so it is a stable audience value.
func validResourceIdentifier(s string) (string, error) {
	const field = "identifier"
	s = strings.TrimSpace(s)
	if s == "" {
		return "", idp.Invalid(field, "required")
	}
	if len(s) > maxURILen {
		return "", idp.Invalid(field, fmt.Sprintf("longer than %d characters", maxURILen))
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", idp.Invalid(field, "must be an absolute URL such as https://api.example.com")
	}
	if strings.ContainsAny(s, "#*?\\ ") || u.User != nil {
		return "", idp.Invalid(field, "must not contain a fragment, query, wildcard or credentials (RFC 8707 §2)")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return "", idp.Invalid(field, "must use https (http only on a loopback host)")
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return "", idp.Invalid(field, "invalid port")
	}
	return s, nil
}

// derivePrefix makes a scope prefix from an identifier: the last path
// segment, else the first host label, cleaned to [a-z0-9_-].
func derivePrefix(identifier string) string {
	u, err := url.Parse(identifier)
	if err != nil {
		return "api:"
	}
	base := ""
	for _, seg := range strings.Split(u.Path, "/") {
		if seg != "" {
			base = seg
		}
	}
	if base == "" {
		base, _, _ = strings.Cut(u.Hostname(), ".")
	}
	var b strings.Builder
	for _, r := range strings.ToLower(base) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
		if b.Len() >= 40 {
			break
		}
	}
	p := strings.Trim(b.String(), "-_")
	if p == "" {
		p = "api"
	}
	return p + ":"
}

// normalizePrefix accepts "orders" or "orders:" and returns "orders:".
func normalizePrefix(p string) (string, error) {
	p = strings.TrimSpace(p)
	if !strings.HasSuffix(p, ":") {
		p += ":"
	}
	if !prefixPattern.MatchString(p) {
		return "", idp.Invalid("scope_prefix", "1-40 lowercase letters, digits, _ . - followed by ':'")
	}
	return p, nil
}

// validResourceScopes checks scopes against prefix and de-duplicates.
func validResourceScopes(prefix string, in []idp.ResourceScope) ([]idp.ResourceScope, error) {
	if len(in) > maxListItems {
		return nil, idp.Invalid("scopes", fmt.Sprintf("at most %d scopes", maxListItems))
	}
	out := make([]idp.ResourceScope, 0, len(in))
	seen := map[string]bool{}
	for _, sc := range in {
		sc.Value = strings.TrimSpace(sc.Value)
		if !strings.HasPrefix(sc.Value, prefix) || !scopeTail.MatchString(strings.TrimPrefix(sc.Value, prefix)) {
			return nil, idp.Invalid("scopes", fmt.Sprintf("%q must be %s followed by letters, digits or _ . : / -", sc.Value, prefix))
		}
		if seen[sc.Value] {
			return nil, idp.Invalid("scopes", fmt.Sprintf("%q appears twice", sc.Value))
		}
		seen[sc.Value] = true
		sc.Description = strings.TrimSpace(sc.Description)
		if sc.Description != "" {
			d, err := validName("scopes", sc.Description, maxScopeDescription)
			if err != nil {
				return nil, err
			}
			sc.Description = d
		}
		out = append(out, sc)
	}
	return out, nil
}

// CreateResourceServer registers an API whose identifier becomes the
// audience of tokens issued for it.
func (s *Service) CreateResourceServer(ctx context.Context, tenantID string, in ResourceServerInput) (*idp.ResourceServer, error) {
	const action = "resource_server.create"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "resource_server", "", err)
		return nil, err
	}
	r, err := s.buildResourceServer(ctx, tenantID, in)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "resource_server", "", err, nil)
		return nil, err
	}
	if dryRun(ctx) {
		// buildResourceServer already refused a taken identifier.
		return r, nil
	}
	if err := s.store.CreateResourceServer(ctx, tenantID, r); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			err = idp.Invalid("identifier", "a resource server with this identifier exists in the tenant")
		}
		s.audit(ctx, a, tenantID, action, "resource_server", "", err, nil)
		return nil, fmt.Errorf("manage: create resource server: %w", err)
	}
	s.changed(idp.ChangeResourceServer, tenantID, r.ID)
	s.audit(ctx, a, tenantID, action, "resource_server", r.ID, nil, map[string]string{"identifier": r.Identifier})
	return r, nil
}

func (s *Service) buildResourceServer(ctx context.Context, tenantID string, in ResourceServerInput) (*idp.ResourceServer, error) {
	ident, err := validResourceIdentifier(in.Identifier)
	if err != nil {
		return nil, err
	}
	name, err := validName("name", in.Name, maxNameLen)
	if err != nil {
		return nil, err
	}
	prefix := derivePrefix(ident)
	if in.ScopePrefix != "" {
		if prefix, err = normalizePrefix(in.ScopePrefix); err != nil {
			return nil, err
		}
	}
	scopes, err := validResourceScopes(prefix, in.Scopes)
	if err != nil {
		return nil, err
	}
	if _, err := s.store.GetResourceServerByIdentifier(ctx, tenantID, ident); err == nil {
		return nil, idp.Invalid("identifier", "a resource server with this identifier exists in the tenant")
	} else if !errors.Is(err, idp.ErrNotFound) {
		return nil, fmt.Errorf("manage: resource server: %w", err)
	}
	id, err := s.random.ID("rs_")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	return &idp.ResourceServer{
		TenantID: tenantID, ID: id, Identifier: ident, Name: name,
		ScopePrefix: prefix, Scopes: scopes, CreatedAt: now, UpdatedAt: now,
	}, nil
}

// GetResourceServer returns a resource server by id, or by identifier
// when ref is a URL.
func (s *Service) GetResourceServer(ctx context.Context, tenantID, ref string) (*idp.ResourceServer, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	return s.resourceServer(ctx, tenantID, ref)
}

func (s *Service) resourceServer(ctx context.Context, tenantID, ref string) (*idp.ResourceServer, error) {
	var (
		r   *idp.ResourceServer
		err error
	)
	if strings.Contains(ref, "://") {
		r, err = s.store.GetResourceServerByIdentifier(ctx, tenantID, ref)
	} else {
		r, err = s.store.GetResourceServer(ctx, tenantID, ref)
	}
	if err != nil {
		return nil, fmt.Errorf("manage: resource server %q: %w", ref, err)
	}
	return r, nil
}

// ListResourceServers lists a tenant's resource servers with the total.
func (s *Service) ListResourceServers(ctx context.Context, tenantID string, page idp.Page) ([]idp.ResourceServer, int, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, 0, err
	}
	page, err := clampPage(page)
	if err != nil {
		return nil, 0, err
	}
	rs, total, err := s.store.ListResourceServers(ctx, tenantID, page)
	if err != nil {
		return nil, 0, fmt.Errorf("manage: list resource servers: %w", err)
	}
	return rs, total, nil
}

// UpdateResourceServer changes the name or replaces the scopes.
func (s *Service) UpdateResourceServer(ctx context.Context, tenantID, ref string, p ResourceServerPatch) (*idp.ResourceServer, error) {
	const action = "resource_server.update"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "resource_server", ref, err)
		return nil, err
	}
	r, err := s.resourceServer(ctx, tenantID, ref)
	if err != nil {
		return nil, err
	}
	if err := errBuiltin(r); err != nil {
		s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
		return nil, err
	}
	if p.Name != nil {
		if r.Name, err = validName("name", *p.Name, maxNameLen); err != nil {
			s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
			return nil, err
		}
	}
	if p.Scopes != nil {
		if r.Scopes, err = validResourceScopes(r.ScopePrefix, *p.Scopes); err != nil {
			s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
			return nil, err
		}
	}
	return s.saveResourceServer(ctx, a, action, r)
}

// AddResourceServerScope adds one scope (it must start with the prefix).
func (s *Service) AddResourceServerScope(ctx context.Context, tenantID, ref string, sc idp.ResourceScope) (*idp.ResourceServer, error) {
	const action = "resource_server.scope.add"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "resource_server", ref, err)
		return nil, err
	}
	r, err := s.resourceServer(ctx, tenantID, ref)
	if err != nil {
		return nil, err
	}
	if err := errBuiltin(r); err != nil {
		s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
		return nil, err
	}
	if r.Scopes, err = validResourceScopes(r.ScopePrefix, append(r.Scopes, sc)); err != nil {
		s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
		return nil, err
	}
	return s.saveResourceServer(ctx, a, action, r)
}

func (s *Service) saveResourceServer(ctx context.Context, a Actor, action string, r *idp.ResourceServer) (*idp.ResourceServer, error) {
	r.UpdatedAt = s.clock.Now()
	if dryRun(ctx) {
		return r, nil
	}
	if err := s.store.UpdateResourceServer(ctx, r.TenantID, r); err != nil {
		s.audit(ctx, a, r.TenantID, action, "resource_server", r.ID, err, nil)
		return nil, fmt.Errorf("manage: update resource server: %w", err)
	}
	s.changed(idp.ChangeResourceServer, r.TenantID, r.ID)
	s.audit(ctx, a, r.TenantID, action, "resource_server", r.ID, nil, nil)
	return r, nil
}

// DeleteResourceServer removes a resource server (by id or identifier).
func (s *Service) DeleteResourceServer(ctx context.Context, tenantID, ref string) error {
	const action = "resource_server.delete"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "resource_server", ref, err)
		return err
	}
	r, err := s.resourceServer(ctx, tenantID, ref)
	if err != nil {
		return err
	}
	if err := errBuiltin(r); err != nil {
		s.audit(ctx, a, tenantID, action, "resource_server", r.ID, err, nil)
		return err
	}
	if dryRun(ctx) {
		return nil
	}
	if err := s.store.DeleteResourceServer(ctx, tenantID, r.ID); err != nil {
		return fmt.Errorf("manage: delete resource server: %w", err)
	}
	s.changed(idp.ChangeResourceServer, tenantID, r.ID)
	s.audit(ctx, a, tenantID, action, "resource_server", r.ID, nil, map[string]string{"identifier": r.Identifier})
	return nil
}
