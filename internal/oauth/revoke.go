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
	if strings.Contains(token, ".") {
		err = p.revokeAccess(ctx, info, client, token, now)
	} else {
		err = p.revokeRefresh(ctx, info, client, token, now)
	}
	if err != nil {
		return internalFailure(ctx, "revoke", err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	return nil
}

// revokeAccess revokes one of client's access tokens. The grant of a user
// token stays alive: the client asked to drop this token, not the user's
// authorization.
func (p *Provider) revokeAccess(ctx context.Context, info *tenant.Info, client *idp.Client, raw string, now time.Time) error {
	c, err := p.parseAccessToken(ctx, info, raw)
	if errors.Is(err, errAccessTokenInvalid) {
		return nil
	}
	if err != nil {
		return err
	}
	if c.ClientID != client.ID || !tokenLive(c, now) {
		return nil
	}
	rec := &idp.AccessTokenRecord{TenantID: info.Tenant.ID, JTI: c.JTI, ClientID: c.ClientID, ExpiresAt: time.Unix(c.Expiry, 0).UTC()}
	return p.store.RevokeAccessToken(ctx, info.Tenant.ID, rec, now)
}

// revokeRefresh revokes the grant of one of client's refresh tokens.
func (p *Provider) revokeRefresh(ctx context.Context, info *tenant.Info, client *idp.Client, raw string, now time.Time) error {
	if len(raw) > maxArtifactLen {
		return nil
	}
	tok, g, err := p.store.GetRefreshToken(ctx, info.Tenant.ID, secret.Hash(raw))
	if errors.Is(err, idp.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if tok.ClientID != client.ID || g.ClientID != client.ID || g.RevokedAt != nil {
		return nil
	}
	if err := p.store.RevokeGrant(ctx, info.Tenant.ID, g.ID, now); err != nil && !errors.Is(err, idp.ErrNotFound) {
		return err
	}
	return nil
}

// revokeHandler is handleRevoke as an http.Handler.
func (p *Provider) revokeHandler() http.Handler { return httpx.Handle(p.handleRevoke) }
