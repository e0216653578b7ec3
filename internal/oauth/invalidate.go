package oauth

import (
	"github.com/authalla/authalla/internal/idp"
)

// Invalidate drops what ch names from the Provider's caches, so that the
// next request reads the store (the contract of idp.Change: an empty ID
// drops every object of the kind in the tenant). The caches and what
// drops them:
//
//   - clients with their secret hashes: ChangeClient (one client) and
//     ChangeTenant;
//   - resource servers by identifier: ChangeResourceServer (the whole
//     tenant: a change names the server's id, not its identifier) and
//     ChangeTenant;
//   - users' status (introspection of a user's token): ChangeUser and
//     ChangeTenant;
//   - access-token status by jti: ChangeToken drops the whole tenant,
//     since a revoked grant revokes access tokens whose jtis its change
//     does not list; ChangeTenant and ChangeUser (a suspension or
//     session removal revokes grants) as well;
//   - the revocation index (revocation_index.go): every change that can
//     make an access token inactive (ChangeToken, ChangeUser,
//     ChangeClient — a deleted client's grants are revoked —,
//     ChangeTenant, every tenant) marks the tenant stale, so that the
//     store answers until the index has read past the change.
//
// Discovery documents are keyed by the tenant's update time and rebuilt
// when it changes; a ChangeTenant drops them too.
//
// Consistency: on the node where a change is made the caller invalidates
// before it answers, so the change is in force at once there. Other nodes
// depend on the change reaching them (the change bus); if it is lost, the
// TTL (Options.CacheTTL) bounds how long they serve the old state.
func (p *Provider) Invalidate(ch idp.Change) {
	switch {
	case ch.TenantID == "":
		// Every tenant (idp.Change.Covers): a node that may have missed
		// changes, or a purge across tenants. Rare, so coarse: all goes.
		p.clients.dropAll()
		p.resources.dropAll()
		p.users.dropAll()
		p.tokens.dropAll()
		p.discoveryDocs.dropAll()
		p.markRevocations("")
		return
	case ch.Kind == "":
		ch.Kind = idp.ChangeTenant // every kind of one tenant
	}
	switch ch.Kind {
	case idp.ChangeToken, idp.ChangeUser, idp.ChangeClient, idp.ChangeTenant:
		p.markRevocations(ch.TenantID)
	}
	switch ch.Kind {
	case idp.ChangeClient:
		p.clients.drop(ch.TenantID, ch.ID)
	case idp.ChangeResourceServer:
		p.resources.drop(ch.TenantID, "")
	case idp.ChangeUser:
		p.users.drop(ch.TenantID, ch.ID)
		p.tokens.drop(ch.TenantID, "")
	case idp.ChangeToken:
		p.tokens.drop(ch.TenantID, "")
	case idp.ChangeTenant:
		p.clients.drop(ch.TenantID, "")
		p.resources.drop(ch.TenantID, "")
		p.users.drop(ch.TenantID, "")
		p.tokens.drop(ch.TenantID, "")
		p.discoveryDocs.drop(ch.TenantID)
	}
}

// markRevocations marks tenantID ("" for all) stale in the revocation
// index and starts a read of the store's list. The tenant's cached store
// answers go too, so that while the store answers it never answers from
// before a read the index already made.
func (p *Provider) markRevocations(tenantID string) {
	if p.revocations == nil {
		return
	}
	if tenantID == "" {
		p.tokens.dropAll()
	} else {
		p.tokens.drop(tenantID, "")
	}
	p.revocations.mark(tenantID)
}

// commitChange invalidates this node's caches for ch and tells the
// other nodes (Options.Changed) about it. Callers run it after the store
// committed the write.
func (p *Provider) commitChange(ch idp.Change) {
	p.Invalidate(ch)
	if p.changed != nil {
		p.changed(ch)
	}
}
