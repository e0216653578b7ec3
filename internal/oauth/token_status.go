package oauth

import (
	"context"
	"fmt"
)

// accessTokenActive reports whether the access token jti of tenantID is
// still active: not revoked itself and not issued under a revoked grant
// (RFC 7009 §2). The store's answer is cached for the cache TTL, so that
// introspection and UserInfo of a token do not read the store on every
// call. A revocation made on this node invalidates the tenant's entries
// before it is answered (revoke.go), so a revoked token is inactive here
// at once; on other nodes once the change reaches them, and in any case
// within one TTL (invalidate.go).
func (p *Provider) accessTokenActive(ctx context.Context, tenantID, jti string) (bool, error) {
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
