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

// grantAuthorizationCode redeems an authorization code (RFC 6749 §4.1.3,
// RFC 7636 §4.6, OIDC Core §3.1.3). Every failure is invalid_grant. The
// code must be this tenant's and this client's, unexpired and unused; a
// second redemption revokes everything the first one issued (RFC 6749
// §4.1.2). The store marks the code consumed and writes the grant, the
// refresh token and the access-token record in one transaction; the
// tokens are signed only after that commit.
func (p *Provider) grantAuthorizationCode(r *http.Request, form url.Values, client *idp.Client) (*tokenResponse, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	tid := info.Tenant.ID
	hash, err := presentedArtifact(form, "code")
	if err != nil {
		return nil, err
	}
	release, err := p.admitGrant(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	code, err := p.store.GetAuthCode(ctx, tid, hash)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, grantError()
	}
	if err != nil {
		return nil, internalFailure(ctx, "token: get code", err)
	}
	now := p.clock.Now()

	// Binding to the client (RFC 6749 §4.1.3). A code of another client
	// is not revoked: its holder is not its owner.
	if code.ClientID != client.ID {
		return nil, grantError()
	}
	// Replay: revoke what the first redemption issued (RFC 6749 §4.1.2;
	// SECURITY-TESTS 11). RedeemAuthCode does the same when two
	// redemptions race.
	if code.ConsumedAt != nil {
		p.metrics.ReplayDetected(replayCode)
		if code.GrantID != "" {
			if err := p.store.RevokeGrant(ctx, tid, code.GrantID, now); err != nil && !errors.Is(err, idp.ErrNotFound) {
				return nil, internalFailure(ctx, "token: revoke replayed grant", err)
			}
		}
		return nil, grantError()
	}
	if !now.Before(code.ExpiresAt) {
		return nil, grantError()
	}
	// redirect_uri must be identical to the authorization request's when
	// that request carried one (RFC 6749 §4.1.3).
	if code.RedirectURI != "" && form.Get("redirect_uri") != code.RedirectURI {
		return nil, grantError()
	}
	if err := p.checkCodePKCE(r, code, client, form.Get("code_verifier"), now); err != nil {
		return nil, err
	}

	user, err := p.activeUser(ctx, tid, code.UserID)
	if err != nil {
		return nil, err
	}
	requested, err := p.requestedResources(ctx, info, form, code.Audience)
	if err != nil {
		return nil, err
	}
	aud := tokenAudience(requested, code.Audience, client)

	grantID, err := p.random.ID("grt_")
	if err != nil {
		return nil, internalFailure(ctx, "token: grant id", err)
	}
	grant := &idp.Grant{
		TenantID: tid, ID: grantID, ClientID: client.ID, UserID: user.ID, SessionID: code.SessionID,
		Scope: slices.Clone(code.Scope), Audience: slices.Clone(code.Audience),
		AuthTime: code.AuthTime, AMR: slices.Clone(code.AMR), CreatedAt: now,
		ExpiresAt: now.Add(tenantTTL(info.Tenant.RefreshAbsoluteTTL, idp.DefaultRefreshAbsoluteTTL)),
	}
	iss := store.Issue{Grant: grant}
	var refresh string
	// A refresh token only with offline_access (OIDC Core §11; PRODUCT §3).
	if slices.Contains(code.Scope, scopeOfflineAccess) {
		if refresh, iss.Refresh, err = p.newRefreshToken(info, grant, client.ID, code.Scope, now); err != nil {
			return nil, internalFailure(ctx, "token: refresh token", err)
		}
	}
	if iss.Access, err = p.newAccessRecord(info, client.ID, grantID, now); err != nil {
		return nil, internalFailure(ctx, "token: access record", err)
	}
	switch err := p.store.RedeemAuthCode(ctx, tid, hash, now, iss); {
	case errors.Is(err, idp.ErrAlreadyUsed):
		p.metrics.ReplayDetected(replayCode) // a racing second redemption
		return nil, grantError()
	case errors.Is(err, idp.ErrExpired), errors.Is(err, idp.ErrNotFound):
		return nil, grantError()
	case err != nil:
		return nil, internalFailure(ctx, "token: redeem code", err)
	}
	return p.signUserTokens(ctx, info, &userTokens{
		client: client, user: user, grant: grant, scope: code.Scope, audience: aud,
		nonce: code.Nonce, access: iss.Access, refresh: refresh, now: now,
	})
}

// checkCodePKCE applies RFC 7636 §4.6 at redemption. A code issued with a
// challenge needs the matching S256 verifier; a missing, malformed or
// wrong verifier burns the code, so a verifier cannot be guessed online
// (SECURITY-TESTS 14). A verifier for a code issued without a challenge
// is a PKCE downgrade and refused (RFC 9700 §4.8.2; SECURITY-TESTS 15).
// A public client's code always has a challenge (authorize enforces it);
// one without is refused here as well.
func (p *Provider) checkCodePKCE(r *http.Request, code *idp.AuthCode, client *idp.Client, verifier string, now time.Time) error {
	if code.CodeChallenge == "" {
		if verifier != "" || client.Public() {
			return grantError()
		}
		return nil
	}
	if verifier != "" && verifyPKCE(code.CodeChallenge, code.CodeChallengeMethod, verifier) {
		return nil
	}
	ctx := r.Context()
	tid := tenant.MustFromContext(ctx).Tenant.ID
	if err := p.store.BurnAuthCode(ctx, tid, code.Hash, now); err != nil && !errors.Is(err, idp.ErrNotFound) && !errors.Is(err, idp.ErrAlreadyUsed) {
		return internalFailure(ctx, "token: burn code", err)
	}
	return grantError()
}
