package oauth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// Entropy of the artifacts we mint. RFC 6749 §10.10 asks for at least 128
// bits for tokens; refresh tokens get 256.
const (
	refreshTokenBytes = 32
	jtiBytes          = 16
)

// newAccessRecord draws a jti and returns the access token's record for
// the store, expiring after the tenant's access-token lifetime. The expiry
// is whole seconds so that the record and the JWT's exp agree.
func (p *Provider) newAccessRecord(info *tenant.Info, clientID, grantID string, now time.Time) (*idp.AccessTokenRecord, error) {
	jti, err := p.random.Token(jtiBytes)
	if err != nil {
		return nil, fmt.Errorf("token: jti: %w", err)
	}
	exp := now.Add(tenantTTL(info.Tenant.AccessTokenTTL, idp.DefaultAccessTokenTTL)).Truncate(time.Second)
	return &idp.AccessTokenRecord{TenantID: info.Tenant.ID, JTI: jti, GrantID: grantID, ClientID: clientID, ExpiresAt: exp}, nil
}

// newRefreshToken draws a refresh token of grant g and returns it with its
// stored form (hash only). Its expiry slides: the tenant's refresh
// lifetime from now, never past the grant's absolute end (RFC 9700
// §4.14.2; ASVS 10.4.8).
func (p *Provider) newRefreshToken(info *tenant.Info, g *idp.Grant, clientID string, scope []string, now time.Time) (string, *idp.RefreshToken, error) {
	plain, err := p.random.Token(refreshTokenBytes)
	if err != nil {
		return "", nil, fmt.Errorf("token: refresh token: %w", err)
	}
	return plain, refreshRecord(info, g, clientID, scope, plain, now), nil
}

// refreshRecord is the stored form (hash only) of the refresh token plain
// of grant g, issued now.
func refreshRecord(info *tenant.Info, g *idp.Grant, clientID string, scope []string, plain string, now time.Time) *idp.RefreshToken {
	exp := now.Add(tenantTTL(info.Tenant.RefreshTokenTTL, idp.DefaultRefreshTokenTTL))
	if exp.After(g.ExpiresAt) {
		exp = g.ExpiresAt
	}
	return &idp.RefreshToken{
		TenantID: info.Tenant.ID, Hash: secret.Hash(plain), GrantID: g.ID, ClientID: clientID,
		Scope: slices.Clone(scope), CreatedAt: now, ExpiresAt: exp,
	}
}

// accessClaims builds the claims of an access token (RFC 9068 §2.2) for
// rec. authTime is zero for client_credentials tokens.
func accessClaims(info *tenant.Info, rec *idp.AccessTokenRecord, subject string, aud idp.Audience, scope []string, now, authTime time.Time) *accessTokenClaims {
	c := &accessTokenClaims{
		Issuer: info.Issuer, Subject: subject, Audience: aud,
		Expiry: rec.ExpiresAt.Unix(), IssuedAt: now.Unix(), NotBefore: now.Unix(),
		JTI: rec.JTI, TenantID: info.Tenant.ID, ClientID: rec.ClientID,
		Scope: strings.Join(scope, " "),
	}
	if !authTime.IsZero() {
		c.AuthTime = authTime.Unix()
	}
	return c
}

// userTokens is what one authorization-code or refresh response mints for
// a user.
type userTokens struct {
	client   *idp.Client
	user     *idp.User
	grant    *idp.Grant
	scope    []string
	audience idp.Audience
	nonce    string // echoed in the ID token; only from the authorization code
	access   *idp.AccessTokenRecord
	refresh  string // plaintext, empty when none was issued
	now      time.Time
}

// signUserTokens signs the access token and, when openid is in scope, the
// ID token, and assembles the response. It runs after the store committed
// the grant, so that no token exists that the store does not know.
func (p *Provider) signUserTokens(ctx context.Context, info *tenant.Info, t *userTokens) (*tokenResponse, error) {
	at := accessClaims(info, t.access, t.user.ID, t.audience, t.scope, t.now, t.grant.AuthTime)
	access, err := p.keys.Sign(ctx, info.Tenant.ID, keys.TypAccessToken, at)
	if err != nil {
		return nil, internalFailure(ctx, "token: sign access token", err)
	}
	resp := &tokenResponse{
		AccessToken: access, TokenType: "Bearer", ExpiresIn: at.Expiry - at.IssuedAt,
		Scope: at.Scope, RefreshToken: t.refresh,
	}
	if slices.Contains(t.scope, scopeOpenID) {
		idt := &idTokenClaims{
			Issuer: info.Issuer, Subject: t.user.ID, Audience: t.client.ID,
			Expiry:   t.now.Add(tenantTTL(info.Tenant.IDTokenTTL, idp.DefaultIDTokenTTL)).Unix(),
			IssuedAt: t.now.Unix(), AuthTime: t.grant.AuthTime.Unix(),
			Nonce: t.nonce, SID: t.grant.SessionID, AMR: t.grant.AMR,
			profileClaims: userProfileClaims(t.user, t.scope),
		}
		if resp.IDToken, err = p.keys.Sign(ctx, info.Tenant.ID, keys.TypJWT, idt); err != nil {
			return nil, internalFailure(ctx, "token: sign id token", err)
		}
	}
	return resp, nil
}

// activeUser returns the user a grant was issued to, or invalid_grant when
// the user no longer exists or is not active (ASVS 7.4.2; SECURITY-TESTS 23).
func (p *Provider) activeUser(ctx context.Context, tenantID, userID string) (*idp.User, error) {
	u, err := p.store.GetUser(ctx, tenantID, userID)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, grantError()
	}
	if err != nil {
		return nil, internalFailure(ctx, "token: get user", err)
	}
	if u.Status != idp.UserActive {
		return nil, grantError()
	}
	return u, nil
}
