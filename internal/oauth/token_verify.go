package oauth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/tenant"
)

// errAccessTokenInvalid means a presented access token is not a live token
// of this tenant. Callers answer invalid_token (RFC 6750 §3.1) or
// active:false (RFC 7662 §2.2) and never say why.
var errAccessTokenInvalid = errors.New("oauth: access token invalid")

// parseAccessToken checks an access token's signature against this
// tenant's published keys (keys.Verify refuses `none`, HMAC, foreign kids,
// alg/key mismatches and extra headers such as `crit` or `jwk`), its type
// (RFC 9068 §4: at+jwt, so an ID token is never taken for an access
// token, RFC 8725 §3.11) and its issuer and tenant. It does not look at
// time or revocation. Failures wrap errAccessTokenInvalid; anything else
// is an internal error.
func (p *Provider) parseAccessToken(ctx context.Context, info *tenant.Info, raw string) (*accessTokenClaims, error) {
	if raw == "" || strings.Count(raw, ".") != 2 {
		return nil, fmt.Errorf("%w: not a JWS", errAccessTokenInvalid)
	}
	v, err := p.keys.Verify(ctx, info.Tenant.ID, raw)
	if errors.Is(err, keys.ErrInvalidToken) {
		return nil, fmt.Errorf("%w: %w", errAccessTokenInvalid, err)
	}
	if err != nil {
		return nil, fmt.Errorf("oauth: verify access token: %w", err)
	}
	if !strings.EqualFold(v.Type, keys.TypAccessToken) && !strings.EqualFold(v.Type, "application/"+keys.TypAccessToken) {
		return nil, fmt.Errorf("%w: typ %.20q", errAccessTokenInvalid, v.Type)
	}
	// Decoded once per verified token (keys.Claims): a token presented
	// again is served from keys' cache of verified tokens with its claims.
	c, err := keys.Claims[accessTokenClaims](v)
	if err != nil {
		return nil, fmt.Errorf("%w: claims: %w", errAccessTokenInvalid, err)
	}
	switch {
	case c.Issuer != info.Issuer:
		return nil, fmt.Errorf("%w: issuer", errAccessTokenInvalid)
	case c.TenantID != info.Tenant.ID:
		return nil, fmt.Errorf("%w: tenant", errAccessTokenInvalid)
	case c.Subject == "", c.JTI == "", c.ClientID == "", c.Expiry == 0:
		return nil, fmt.Errorf("%w: missing claim", errAccessTokenInvalid)
	}
	return &c, nil
}

// tokenLive reports whether c is within its validity period at now. Our
// own tokens get no clock skew: exp is exclusive (RFC 7519 §4.1.4, "on or
// after" exp it must not be accepted) and nbf inclusive (§4.1.5).
func tokenLive(c *accessTokenClaims, now time.Time) bool {
	sec := now.Unix() // whole seconds, like the claims
	return sec < c.Expiry && (c.NotBefore == 0 || c.NotBefore <= sec)
}

// verifyAccessToken is parseAccessToken plus time and revocation: the
// token must be unexpired at p.clock and its jti still active in the store
// (revoked tokens and tokens of revoked grants are not, RFC 7009 §2),
// which is read at most once per cache TTL (token_status.go).
func (p *Provider) verifyAccessToken(ctx context.Context, info *tenant.Info, raw string) (*accessTokenClaims, error) {
	c, err := p.parseAccessToken(ctx, info, raw)
	if err != nil {
		return nil, err
	}
	if !tokenLive(c, p.clock.Now()) {
		return nil, fmt.Errorf("%w: expired or not yet valid", errAccessTokenInvalid)
	}
	active, err := p.accessTokenActive(ctx, info.Tenant.ID, c.JTI)
	if err != nil {
		return nil, fmt.Errorf("oauth: access token status: %w", err)
	}
	if !active {
		return nil, fmt.Errorf("%w: revoked", errAccessTokenInvalid)
	}
	return c, nil
}
