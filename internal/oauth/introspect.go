package oauth

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// introspection is an RFC 7662 §2.2 response. An inactive token is
// answered with active:false and nothing else.
type introspection struct {
	Active    bool         `json:"active"`
	Scope     string       `json:"scope,omitempty"`
	ClientID  string       `json:"client_id,omitempty"`
	Subject   string       `json:"sub,omitempty"`
	Audience  idp.Audience `json:"aud,omitempty"`
	Issuer    string       `json:"iss,omitempty"`
	Expiry    int64        `json:"exp,omitempty"`
	IssuedAt  int64        `json:"iat,omitempty"`
	NotBefore int64        `json:"nbf,omitempty"`
	JTI       string       `json:"jti,omitempty"`
	TokenType string       `json:"token_type,omitempty"`
	TenantID  string       `json:"tid,omitempty"`
}

// handleIntrospect serves POST /oauth2/introspect (RFC 7662). The caller
// is a confidential client of this tenant (§2.1: the endpoint requires
// authorization; public clients cannot authenticate). The token is one of
// our access tokens (signature, issuer, tenant, expiry and revocation
// checked) or one of our refresh tokens (unrotated, unexpired, grant
// alive); a user's token also needs the user to exist and be active.
// token_type_hint is not needed: a JWT has two dots, a refresh
// token none.
func (p *Provider) handleIntrospect(w http.ResponseWriter, r *http.Request) error {
	if err := rejectQuery(r); err != nil {
		return err
	}
	form, err := readPostForm(w, r)
	if err != nil {
		return err
	}
	if _, err := p.authenticateClient(w, r, form, false); err != nil {
		return err
	}
	token := form.Get("token")
	if token == "" {
		return oauthError(oauthInvalidRequest, "token is required.")
	}
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	var resp *introspection
	tokenType := "access_token"
	if strings.Contains(token, ".") {
		resp, err = p.introspectAccess(ctx, info, token)
	} else {
		tokenType = "refresh_token"
		resp, err = p.introspectRefresh(ctx, info, token)
	}
	if err != nil {
		return err
	}
	p.metrics.Introspected(tokenType, resp.Active)
	writeIntrospection(w, resp)
	return nil
}

// introspectAccess describes an access token.
func (p *Provider) introspectAccess(ctx context.Context, info *tenant.Info, raw string) (*introspection, error) {
	c, err := p.verifyAccessToken(ctx, info, raw)
	if errors.Is(err, errAccessTokenInvalid) {
		return &introspection{}, nil
	}
	if err != nil {
		return nil, internalFailure(ctx, "introspect: access token", err)
	}
	if c.userToken() {
		if ok, err := p.userActive(ctx, info.Tenant.ID, c.Subject); err != nil || !ok {
			return &introspection{}, err
		}
	}
	return &introspection{
		Active: true, Scope: c.Scope, ClientID: c.ClientID, Subject: c.Subject, Audience: c.Audience,
		Issuer: c.Issuer, Expiry: c.Expiry, IssuedAt: c.IssuedAt, NotBefore: c.NotBefore, JTI: c.JTI,
		TokenType: "Bearer", TenantID: c.TenantID,
	}, nil
}

// introspectRefresh describes a refresh token. A rotated token is
// inactive even inside a client's grace window: that window only lets the
// client retry a refresh.
func (p *Provider) introspectRefresh(ctx context.Context, info *tenant.Info, raw string) (*introspection, error) {
	if len(raw) > maxArtifactLen {
		return &introspection{}, nil
	}
	tok, g, err := p.store.GetRefreshToken(ctx, info.Tenant.ID, secret.Hash(raw))
	if errors.Is(err, idp.ErrNotFound) {
		return &introspection{}, nil
	}
	if err != nil {
		return nil, internalFailure(ctx, "introspect: refresh token", err)
	}
	now := p.clock.Now()
	if tok.RotatedAt != nil || !now.Before(tok.ExpiresAt) || g.RevokedAt != nil || !now.Before(g.ExpiresAt) {
		return &introspection{}, nil
	}
	if ok, err := p.userActive(ctx, info.Tenant.ID, g.UserID); err != nil || !ok {
		return &introspection{}, err
	}
	return &introspection{
		Active: true, Scope: strings.Join(tok.Scope, " "), ClientID: tok.ClientID, Subject: g.UserID,
		Audience: g.Audience, Issuer: info.Issuer, Expiry: tok.ExpiresAt.Unix(), IssuedAt: tok.CreatedAt.Unix(),
		TokenType: "refresh_token", TenantID: info.Tenant.ID,
	}, nil
}

// userActive reports whether the user a token was issued to still exists
// and is active: a token of a deleted or suspended user is not active
// (ASVS 7.4.2), whatever the state of its grant. The answer is cached for
// the cache TTL and dropped by ChangeUser (invalidate.go).
func (p *Provider) userActive(ctx context.Context, tenantID, userID string) (bool, error) {
	if active, ok := p.users.get(tenantID, userID); ok {
		return active, nil
	}
	tk := p.users.ticket()
	u, err := p.store.GetUser(ctx, tenantID, userID)
	if err != nil && !errors.Is(err, idp.ErrNotFound) {
		return false, internalFailure(ctx, "introspect: get user", err)
	}
	active := err == nil && u.Status == idp.UserActive
	p.users.put(tk, tenantID, userID, active)
	return active, nil
}

// introspectHandler is handleIntrospect as an http.Handler.
func (p *Provider) introspectHandler() http.Handler { return httpx.Handle(p.handleIntrospect) }
