package oauth

import (
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/tenant"
)

// grantClientCredentials issues an access token to a backend client
// acting for itself (RFC 6749 §4.4): sub is the client id, and the scope
// is the requested scopes (all of them when none is named, RFC 6749 §3.3)
// that belong to the audience's resource servers and that the client may
// have; others are dropped silently (PRODUCT §3). No refresh token
// (RFC 6749 §4.4.3) and no database write: such a token has no record
// until it is revoked (store.RevokeAccessToken inserts one). This is the
// hottest path of the server, so it does only the reads it needs.
func (p *Provider) grantClientCredentials(r *http.Request, form url.Values, client *idp.Client) (*tokenResponse, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	tid := info.Tenant.ID
	requested, err := p.requestedResources(ctx, info, form, nil)
	if err != nil {
		return nil, err
	}
	servers := requested
	if len(servers) == 0 && client.DefaultResourceServer != "" {
		rs, err := p.lookupResource(ctx, info, client.DefaultResourceServer)
		switch {
		case err == nil:
			servers = []*idp.ResourceServer{rs}
		case !errors.Is(err, idp.ErrNotFound):
			return nil, internalFailure(ctx, "token: default resource server", err)
		}
	}
	aud := tokenAudience(requested, nil, client)

	var want []string
	if form.Has("scope") {
		req, ok := parseScope(form.Get("scope"))
		if !ok {
			return nil, oauthError(oauthInvalidScope, "The scope is malformed.")
		}
		want = req
	} else {
		for _, rs := range servers {
			for _, s := range rs.Scopes {
				want = append(want, s.Value)
			}
		}
	}
	var scope []string
	for _, s := range allowedScopes(client, want, servers) {
		if resourceScope(servers, s) != nil {
			scope = append(scope, s)
		}
	}

	now := p.clock.Now()
	rec, err := p.newAccessRecord(info, client.ID, "", now)
	if err != nil {
		return nil, internalFailure(ctx, "token: access record", err)
	}
	claims := accessClaims(info, rec, client.ID, aud, scope, now, time.Time{})
	token, err := p.keys.Sign(ctx, tid, keys.TypAccessToken, claims)
	if err != nil {
		return nil, internalFailure(ctx, "token: sign access token", err)
	}
	return &tokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: claims.Expiry - claims.IssuedAt, Scope: claims.Scope}, nil
}
