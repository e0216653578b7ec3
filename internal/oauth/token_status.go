package oauth

import (
	"context"
	"fmt"
)

// accessTokenActive reports whether the access token jti of tenantID is
// still active: not revoked itself and not issued under a revoked or
// deleted grant (RFC 7009 §2). The revocation index answers from memory
// when it can (revocation_index.go: loaded, read within the cache TTL,
// tenant not marked stale by a change); otherwise the store answers and
// its answer is cached for the cache TTL, as before the index. A
// revocation made on this node marks the tenant stale and drops the
// tenant's cached answers before it is answered (commitChange), so a
// revoked token is inactive here at once; on other nodes once the change
// reaches them, and in any case within one TTL (invalidate.go). A store
// error is an error, never "active".
func (p *Provider) accessTokenActive(ctx context.Context, tenantID, jti string) (bool, error) {
	if p.revocations != nil {
		if revoked, ok := p.revocations.lookup(tenantID, jti); ok {
			return !revoked, nil
		}
	}
	if active, ok := p.tokens.get(tenantID, jti); ok {
		return active, nil
	}
	tk := p.tokens.ticket()
	active, err := p.store.AccessTokenActive(ctx, tenantID, jti)
	if err != nil {
		return false, fmt.Errorf("access token status: %w", err)
	}
	p.tokens.put(tk, tenantID, jti, active)
	return active, nil
}

// AccessTokenActive is accessTokenActive for the other surfaces that
// accept this server's access tokens (internal/bearer: /api/v1 and /mcp;
// the Admin UI), so that they share the revocation index and the cache.
func (p *Provider) AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error) {
	return p.accessTokenActive(ctx, tenantID, jti)
}
