package oauth

// RevocationIndexed exposes the revocation index's answer to the tests
// of package oauth_test: whether jti is revoked and whether the index
// answered at all (false: the store would).
func (p *Provider) RevocationIndexed(tenantID, jti string) (revoked, ok bool) {
	if p.revocations == nil {
		return false, false
	}
	return p.revocations.lookup(tenantID, jti)
}
