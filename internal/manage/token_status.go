package manage

import (
	"context"
	"fmt"
)

// AccessTokenActive reports whether the access token jti of tenantID has
// not been revoked (directly or through its grant). The management
// surfaces call it while authenticating a bearer token, before any actor
// exists, so it needs none; expiry and signature are the caller's checks.
func (s *Service) AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error) {
	ok, err := s.store.AccessTokenActive(ctx, tenantID, jti)
	if err != nil {
		return false, fmt.Errorf("manage: token status: %w", err)
	}
	return ok, nil
}
