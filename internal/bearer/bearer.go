package bearer

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/tenant"
)

// ErrInvalidToken is any reason a presented token is refused. Callers
// answer 401 invalid_token and never tell the client which check failed
// (RFC 6750 §3.1).
var ErrInvalidToken = errors.New("bearer: invalid access token")

// ErrForged marks a token that is not a JWS signed by the tenant at all
// (bad format, unknown key, bad signature): a guess rather than an honest
// client's stale token, which rate limits may count. It wraps
// ErrInvalidToken.
var ErrForged = fmt.Errorf("%w: bad signature or format", ErrInvalidToken)

// TokenStatus reports whether an access token (by jti) is still active as
// far as revocation goes. The store and internal/manage satisfy it.
type TokenStatus interface {
	AccessTokenActive(ctx context.Context, tenantID, jti string) (bool, error)
}

// Claims are the claims of our JWT access tokens that resource servers
// check (RFC 9068 §2.2).
type Claims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  idp.Audience `json:"aud"`
	Expiry    int64        `json:"exp"`
	NotBefore int64        `json:"nbf"`
	IssuedAt  int64        `json:"iat"`
	JTI       string       `json:"jti"`
	TenantID  string       `json:"tid"`
	ClientID  string       `json:"client_id"`
	Scope     string       `json:"scope"`
	AuthTime  int64        `json:"auth_time"`
}

// Scopes returns the granted scopes (RFC 9068 §2.2.3: space-separated).
func (c *Claims) Scopes() []string { return strings.Fields(c.Scope) }

// HasScope reports whether scope was granted.
func (c *Claims) HasScope(scope string) bool { return slices.Contains(c.Scopes(), scope) }

// IsUser reports whether the token was issued to a signed-in user (it has
// auth_time, OIDC Core §2, and its subject is not the client itself),
// rather than to a client acting for itself (client credentials, RFC 6749
// §4.4, where sub is the client_id, RFC 9068 §2.2).
func (c *Claims) IsUser() bool { return c.AuthTime != 0 && c.Subject != c.ClientID }

// Verifier checks access tokens presented to a resource server.
type Verifier struct {
	// Keys verifies signatures with the tenant's published keys (required).
	Keys keys.Verifier
	// Tokens answers revocation (required).
	Tokens TokenStatus
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
}

// FromRequest returns the token of the Authorization header (RFC 6750
// §2.1) and whether any credentials were sent. Tokens in the query or a
// form body (§2.2, §2.3) are not accepted; several Authorization headers
// or another scheme count as credentials sent but give no token.
func FromRequest(r *http.Request) (token string, sent bool) {
	hs := r.Header.Values("Authorization")
	if len(hs) != 1 {
		return "", len(hs) > 1
	}
	scheme, tok, _ := strings.Cut(hs[0], " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", true
	}
	return strings.TrimSpace(tok), true
}

// Verify checks raw for the tenant and issuer of info and for audience:
// the signature against this tenant's published keys only (keys.Verify
// refuses none, HMAC, foreign kids and embedded keys), typ at+jwt (RFC
// 9068 §4, so an ID token is never taken for an access token, RFC 8725
// §3.11), the issuer this request arrived on, the tenant, audience by
// exact string comparison (RFC 8707 §2, RFC 9068 §4), the validity period
// with no skew for our own tokens (RFC 7519 §4.1.4, §4.1.5) and
// revocation (RFC 7009 §2). Refusals wrap ErrInvalidToken (ErrForged for
// tokens that are not ours); other errors are failures of the check
// itself (the store), to be answered as server errors.
func (v *Verifier) Verify(ctx context.Context, info *tenant.Info, audience, raw string) (*Claims, error) {
	if strings.Count(raw, ".") != 2 {
		return nil, fmt.Errorf("%w: not a JWS", ErrForged)
	}
	res, err := v.Keys.Verify(ctx, info.Tenant.ID, raw)
	if errors.Is(err, keys.ErrInvalidToken) {
		return nil, fmt.Errorf("%w: %w", ErrForged, err)
	}
	if err != nil {
		return nil, fmt.Errorf("bearer: verify access token: %w", err)
	}
	if !strings.EqualFold(res.Type, keys.TypAccessToken) && !strings.EqualFold(res.Type, "application/"+keys.TypAccessToken) {
		return nil, fmt.Errorf("%w: typ", ErrInvalidToken)
	}
	// Decoded once per verified token (keys.Claims), like the signature.
	c, err := keys.Claims[Claims](res)
	if err != nil {
		return nil, fmt.Errorf("%w: claims", ErrInvalidToken)
	}
	clock := v.Clock
	if clock == nil {
		clock = idp.SystemClock{}
	}
	now := clock.Now().Unix()
	switch {
	case c.Issuer != info.Issuer, c.TenantID != info.Tenant.ID:
		return nil, fmt.Errorf("%w: issuer or tenant", ErrInvalidToken)
	case audience == "" || !c.Audience.Contains(audience):
		return nil, fmt.Errorf("%w: audience", ErrInvalidToken)
	case c.Subject == "", c.JTI == "", c.ClientID == "", c.Expiry == 0:
		return nil, fmt.Errorf("%w: missing claim", ErrInvalidToken)
	case now >= c.Expiry, c.NotBefore != 0 && now < c.NotBefore:
		return nil, fmt.Errorf("%w: expired or not yet valid", ErrInvalidToken)
	}
	active, err := v.Tokens.AccessTokenActive(ctx, info.Tenant.ID, c.JTI)
	if err != nil {
		return nil, fmt.Errorf("bearer: access token status: %w", err)
	}
	if !active {
		return nil, fmt.Errorf("%w: revoked", ErrInvalidToken)
	}
	return &c, nil
}
