package oauth

import (
	"context"
	"errors"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
)

// cachedClient is what client authentication needs about one client id:
// the client (nil when the tenant has no such client) and its secrets'
// hashes. Unknown ids are cached too, so that an unknown client costs the
// same as a known one with a wrong secret (SECURITY-TESTS 25) and random
// ids cannot turn into one store read each. Cached values are shared by
// concurrent requests and must not be modified.
type cachedClient struct {
	client  *idp.Client
	secrets []idp.ClientSecret
}

// clientEntry returns the client clientID of tenantID with its secrets,
// from memory when a live copy is cached, else from the store (two reads,
// made for unknown clients as well). Secrets are high-entropy and stored
// as SHA-256 hashes (secret.HashBytes), so authenticating from the cache
// needs no store access at all.
func (p *Provider) clientEntry(ctx context.Context, tenantID, clientID string) (*cachedClient, error) {
	if e, ok := p.clients.get(tenantID, clientID); ok {
		return e, nil
	}
	tk := p.clients.ticket()
	c, err := p.store.GetClient(ctx, tenantID, clientID)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		c = nil
	case err != nil:
		return nil, fmt.Errorf("get client: %w", err)
	}
	secrets, err := p.store.ListClientSecrets(ctx, tenantID, clientID)
	if err != nil && !errors.Is(err, idp.ErrNotFound) {
		return nil, fmt.Errorf("list client secrets: %w", err)
	}
	if c == nil {
		secrets = nil
	}
	e := &cachedClient{client: c, secrets: secrets}
	p.clients.put(tk, tenantID, clientID, e)
	return e, nil
}

// storedClient returns the client clientID of tenantID (cached like
// clientEntry) or idp.ErrNotFound.
func (p *Provider) storedClient(ctx context.Context, tenantID, clientID string) (*idp.Client, error) {
	e, err := p.clientEntry(ctx, tenantID, clientID)
	if err != nil {
		return nil, err
	}
	if e.client == nil {
		return nil, idp.ErrNotFound
	}
	return e.client, nil
}

// storedResource returns the stored resource server of tenantID whose
// identifier is identifier, or idp.ErrNotFound; both answers are cached
// for the cache TTL. Cached values are shared and must not be modified.
func (p *Provider) storedResource(ctx context.Context, tenantID, identifier string) (*idp.ResourceServer, error) {
	rs, ok := p.resources.get(tenantID, identifier)
	if !ok {
		tk := p.resources.ticket()
		var err error
		rs, err = p.store.GetResourceServerByIdentifier(ctx, tenantID, identifier)
		switch {
		case errors.Is(err, idp.ErrNotFound):
			rs = nil
		case err != nil:
			return nil, err
		}
		p.resources.put(tk, tenantID, identifier, rs)
	}
	if rs == nil {
		return nil, idp.ErrNotFound
	}
	return rs, nil
}
