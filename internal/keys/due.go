package keys

import (
	"context"
	"fmt"
)

// TenantsDue lists the tenants whose rotation Maintain can move on now: a
// staged key published for at least JWKSMaxAge (plus the cache TTL), or a
// retired key past its RemoveAfter. It is one store query across all
// tenants, so a maintenance pass costs nothing per tenant whose keys are
// settled. The list may include a tenant Maintain then leaves as it is (an
// older staged key is due but the newest is not; a retired key is due but
// no key is active): Maintain decides, this only narrows where to look.
func (m *Manager) TenantsDue(ctx context.Context) ([]string, error) {
	now := m.clock.Now()
	ids, err := m.store.TenantsWithKeysDue(ctx, now.Add(-m.publishDelay()), now)
	if err != nil {
		return nil, fmt.Errorf("keys: tenants with keys due: %w", err)
	}
	return ids, nil
}
