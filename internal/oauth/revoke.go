package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// handleRevoke serves POST /oauth2/revoke (RFC 7009). The client
// authenticates as at the token endpoint (public clients name
// themselves, §2.1). Revoking a refresh token revokes its whole grant:
// every refresh and access token of the family (§2.1 "SHOULD also
// invalidate all access tokens based on the same authorization grant").
// Revoking an access token revokes that token only. A token of another
// client, an unknown or malformed token, or one already revoked changes
// nothing, and the answer is 200 all the same (§2.2), so the endpoint
// tells nobody which tokens exist.
func (p *Provider) handleRevoke(w http.ResponseWriter, r *http.Request) error {
	if err := rejectQuery(r); err != nil {
		return err
	}
	form, err := readPostForm(w, r)
	if err != nil {
		return err
	}
	client, err := p.authenticateClient(w, r, form, true)
	if err != nil {
		return err
	}
	token := form.Get("token")
	if token == "" {
		return oauthError(oauthInvalidRequest, "token is required.")
	}
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	now := p.clock.Now()
	tokenType, revoked := "access_token", false
	if strings.Contains(token, ".") {
		revoked, err = p.revokeAccess(ctx, info, client, token, now)
	} else {
		tokenType = "refresh_token"
		revoked, err = p.revokeRefresh(ctx, info, client, token, now)
	}
	if err != nil {
		return internalFailure(ctx, "revoke", err)
	}
	p.metrics.Revoked(tokenType, revoked)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// revokeAccess revokes one of client's access tokens. The grant of a user
// token stays alive: the client asked to drop this token, not the user's
// authorization. It reports whether it revoked anything.
func (p *Provider) revokeAccess(ctx context.Context, info *tenant.Info, client *idp.Client, raw string, now time.Time) (bool, error) {
	c, err := p.parseAccessToken(ctx, info, raw)
	if errors.Is(err, errAccessTokenInvalid) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if c.ClientID != client.ID || !tokenLive(c, now) {
		return false, nil
	}
	// Already inactive (revoked, or its grant revoked): nothing to write.
	if live, err := p.accessTokenActive(ctx, info.Tenant.ID, c.JTI); err != nil || !live {
		return false, err
	}
	rec := &idp.AccessTokenRecord{TenantID: info.Tenant.ID, JTI: c.JTI, ClientID: c.ClientID, ExpiresAt: time.Unix(c.Expiry, 0).UTC()}
	if err := p.store.RevokeAccessToken(ctx, info.Tenant.ID, rec, now); err != nil {
		return false, err
	}
	return true, nil
}

// revokeRefresh revokes the grant of one of client's refresh tokens and
// reports whether it did.
func (p *Provider) revokeRefresh(ctx context.Context, info *tenant.Info, client *idp.Client, raw string, now time.Time) (bool, error) {
	if len(raw) > maxArtifactLen {
		return false, nil
	}
	tok, g, err := p.store.GetRefreshToken(ctx, info.Tenant.ID, secret.Hash(raw))
	if errors.Is(err, idp.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if tok.ClientID != client.ID || g.ClientID != client.ID || g.RevokedAt != nil {
		return false, nil
	}
	err = p.store.RevokeGrant(ctx, info.Tenant.ID, g.ID, now)
	if errors.Is(err, idp.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// revokeHandler is handleRevoke as an http.Handler.
func (p *Provider) revokeHandler() http.Handler { return httpx.Handle(p.handleRevoke) }
