package oauth

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// Refresh-token reuse policy (SECURITY-TESTS "Defaults chosen"): strict by
// default; a client may allow a grace window of at most 60 s with at most
// 5 reuses, for apps that race their own refreshes.
const (
	maxRefreshGrace = 60 * time.Second
	maxRefreshReuse = 5
)

// grantRefreshToken exchanges a refresh token (RFC 6749 §6) and rotates it
// (RFC 9700 §4.14.2): the presented token is retired, a new one of the
// same family is returned, and presenting a retired token again revokes
// the whole family (the store does this atomically and answers
// idp.ErrAlreadyUsed). A client with a grace window may present a retired
// token again within it; it then gets the same successor as the first
// rotation and a new access token. Every failure is invalid_grant, except a scope
// wider than the grant's (invalid_scope).
func (p *Provider) grantRefreshToken(r *http.Request, form url.Values, client *idp.Client) (*tokenResponse, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	tid := info.Tenant.ID
	hash, err := presentedArtifact(form, "refresh_token")
	if err != nil {
		return nil, err
	}
	release, err := p.admitGrant(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	tok, grant, err := p.store.GetRefreshToken(ctx, tid, hash)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, grantError()
	}
	if err != nil {
		return nil, internalFailure(ctx, "token: get refresh token", err)
	}
	now := p.clock.Now()
	// Bound to the client it was issued to (RFC 6749 §6; SECURITY-TESTS 23).
	if tok.ClientID != client.ID || grant.ClientID != client.ID {
		return nil, grantError()
	}
	opts := store.RotateOptions{Grace: min(time.Duration(client.RefreshGraceSeconds)*time.Second, maxRefreshGrace), MaxReuse: maxRefreshReuse}
	if opts.Grace < 0 {
		opts.Grace = 0
	}
	// Reuse of a rotated token outside the grace window revokes the
	// family before anything else in the request is looked at, so that a
	// replay cannot dodge detection by failing a later check (its own
	// expiry, an over-wide scope). RotateRefreshToken applies the same rule
	// atomically for replays that race a rotation.
	if tok.RotatedAt != nil && grant.RevokedAt == nil && (now.Sub(*tok.RotatedAt) > opts.Grace || opts.Grace == 0 || tok.ReuseCount >= opts.MaxReuse) {
		p.metrics.ReplayDetected(replayRefresh)
		if err := p.store.RevokeGrant(ctx, tid, grant.ID, now); err != nil && !errors.Is(err, idp.ErrNotFound) {
			return nil, internalFailure(ctx, "token: revoke reused family", err)
		}
		return nil, grantError()
	}
	if grant.RevokedAt != nil || !now.Before(grant.ExpiresAt) || !now.Before(tok.ExpiresAt) {
		return nil, grantError()
	}

	user, err := p.activeUser(ctx, tid, grant.UserID)
	if err != nil {
		return nil, err
	}
	// The new refresh token keeps the presented token's scope (RFC 6749
	// §6), minus what the client or the user may no longer have
	// (SECURITY-TESTS 23).
	granted, err := p.grantResources(r, tokenAudience(nil, grant.Audience, client))
	if err != nil {
		return nil, err
	}
	keep := userScopes(user, allowedScopes(client, tok.Scope, granted), granted)
	if !slices.Contains(keep, scopeOfflineAccess) {
		return nil, grantError()
	}
	// A narrower scope is fine; a wider one is invalid_scope (RFC 6749 §6).
	scope := keep
	if form.Has("scope") {
		req, ok := parseScope(form.Get("scope"))
		if !ok || len(req) == 0 {
			return nil, oauthError(oauthInvalidScope, "The scope is malformed.")
		}
		if !coversScopes(tok.Scope, req) {
			return nil, oauthError(oauthInvalidScope, "The requested scope exceeds the scope granted.")
		}
		scope = slices.DeleteFunc(req, func(s string) bool { return !slices.Contains(keep, s) })
	}

	requested, err := p.requestedResources(ctx, info, form, grant.Audience)
	if err != nil {
		return nil, err
	}
	aud := tokenAudience(requested, grant.Audience, client)

	var iss store.Issue
	// Racers within the grace window get the same successor
	// (refresh_successor.go), so the family keeps one lineage.
	plain, newTok, err := p.successorRefreshToken(info, grant, client.ID, keep, form.Get("refresh_token"), now)
	if err != nil {
		return nil, internalFailure(ctx, "token: refresh token", err)
	}
	iss.Refresh = newTok
	if iss.Access, err = p.newAccessRecord(info, client.ID, grant.ID, now); err != nil {
		return nil, internalFailure(ctx, "token: access record", err)
	}
	switch err := p.store.RotateRefreshToken(ctx, tid, hash, now, opts, iss); {
	case errors.Is(err, idp.ErrAlreadyUsed):
		p.metrics.ReplayDetected(replayRefresh) // a replay that raced a rotation
		return nil, grantError()
	case errors.Is(err, idp.ErrExpired), errors.Is(err, idp.ErrNotFound):
		return nil, grantError()
	case err != nil:
		return nil, internalFailure(ctx, "token: rotate refresh token", err)
	}
	// OIDC Core §12.2: an ID token from a refresh carries no nonce.
	return p.signUserTokens(ctx, info, &userTokens{
		client: client, user: user, grant: grant, scope: scope, audience: aud,
		access: iss.Access, refresh: plain, now: now,
	})
}

// grantResources loads the (derived or stored) resource servers a grant's
// audience names, so
// that their scopes count as allowed (allowedScopes). Identifiers that no
// longer exist are skipped: their scopes are then dropped.
func (p *Provider) grantResources(r *http.Request, aud []string) ([]*idp.ResourceServer, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	var out []*idp.ResourceServer
	for _, id := range aud {
		rs, err := p.lookupResource(ctx, info, id)
		if errors.Is(err, idp.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, internalFailure(ctx, "token: resource server", err)
		}
		out = append(out, rs)
	}
	return out, nil
}
