package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// tenantHeader selects the tenant an admin token works on.
const tenantHeader = "X-Tenant-ID"

// tokenClaims are the claims of our JWT access tokens that the API
// checks (RFC 9068 §2.2).
type tokenClaims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  idp.Audience `json:"aud"`
	Expiry    int64        `json:"exp"`
	NotBefore int64        `json:"nbf"`
	JTI       string       `json:"jti"`
	TenantID  string       `json:"tid"`
	ClientID  string       `json:"client_id"`
	Scope     string       `json:"scope"`
	AuthTime  int64        `json:"auth_time"`
}

// errInvalidToken is any reason a bearer token is refused; the client is
// never told which (RFC 6750 §3.1).
var errInvalidToken = errors.New("api: invalid access token")

// errForged is a token that is not a JWS signed by this tenant: counted
// by the throttle.
var errForged = fmt.Errorf("%w: bad signature or format", errInvalidToken)

// unauthorized is the 401 answer. A request without credentials gets a
// bare challenge (RFC 6750 §3.1: no error code when no token was sent).
func unauthorized(tokenSent bool) error {
	challenge := `Bearer realm="authalla"`
	if tokenSent {
		challenge += `, error="invalid_token"`
	}
	return &httpx.OAuthError{Status: http.StatusUnauthorized, Code: "invalid_token",
		Description: "A valid access token for the management API is required.", WWWAuthenticate: challenge}
}

// insufficientScope is the 403 answer naming the scope a route needs
// (RFC 6750 §3.1).
func insufficientScope(scope string) error {
	return &httpx.OAuthError{Status: http.StatusForbidden, Code: "insufficient_scope",
		Description:     "The access token lacks the scope " + scope + ".",
		WWWAuthenticate: `Bearer realm="authalla", error="insufficient_scope", scope="` + scope + `"`}
}

// bearer returns the token of the Authorization header (RFC 6750 §2.1).
// Tokens in the query or a form body (§2.2, §2.3) are not accepted here.
func bearer(r *http.Request) (string, bool) {
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

// authenticate checks the bearer token, builds the actor, checks the
// route's scope and picks the tenant the call works on.
func (h *Handler) authenticate(r *http.Request, rt route) (*call, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	addr := h.proxies.ClientIP(r)
	if wait := h.limit.retryAfter(addr); wait > 0 {
		return nil, tooManyRequests(wait)
	}
	raw, sent := bearer(r)
	if raw == "" {
		return nil, unauthorized(sent)
	}
	claims, err := h.verify(r, info, raw)
	if errors.Is(err, errForged) {
		// Only tokens that are not ours count: an honest client with an
		// expired or revoked token is not guessing.
		h.limit.failed(addr)
	}
	if errors.Is(err, errInvalidToken) {
		return nil, unauthorized(true)
	}
	if err != nil {
		return nil, err
	}
	var a manage.Actor
	selected := strings.TrimSpace(r.Header.Get(tenantHeader))
	foreign := false
	if info.Tenant.Admin {
		// An administrator: a token issued to a user of the admin tenant
		// (a client's own token has no auth_time and sub = client_id).
		if claims.AuthTime == 0 || claims.Subject == claims.ClientID {
			return nil, unauthorized(true)
		}
		a, err = h.manage.AdminActor(ctx, claims.Subject)
	} else {
		// A machine: client credentials of a backend client of this tenant.
		if claims.AuthTime != 0 || claims.Subject != claims.ClientID {
			return nil, unauthorized(true)
		}
		a, err = h.manage.MachineActor(ctx, info.Tenant.ID, claims.ClientID)
		foreign = selected != "" && selected != info.Tenant.ID
		selected = info.Tenant.ID
	}
	if errors.Is(err, idp.ErrNotFound) {
		return nil, unauthorized(true)
	}
	if err != nil {
		return nil, fmt.Errorf("api: caller: %w", err)
	}
	if rt.Scope != "" && !slices.Contains(strings.Fields(claims.Scope), rt.Scope) {
		return nil, insufficientScope(rt.Scope)
	}
	if foreign {
		// Another tenant through this tenant's machine token: not found,
		// so that tenant ids cannot be probed.
		return nil, fmt.Errorf("api: X-Tenant-ID names another tenant: %w", idp.ErrNotFound)
	}
	a.RequestID = httpx.RequestID(ctx)
	a.ClientIP = addr
	c := &call{ctx: manage.WithActor(ctx, a), claims: claims}
	if rt.Tenant {
		c.tenant = selected
		if err := c.requireTenant(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// verify checks a bearer token the way the protocol endpoints do
// (internal/oauth token_verify.go): the signature against this tenant's
// published keys only (keys.Verify refuses none, HMAC, foreign kids and
// embedded keys), typ at+jwt (RFC 9068 §4, so an ID token is never taken
// for an access token, RFC 8725 §3.11), the issuer this request arrived
// on, the tenant, the management audience (RFC 8707 §2, RFC 9068 §4),
// the validity period with no skew for our own tokens (RFC 7519 §4.1.4,
// §4.1.5) and revocation (RFC 7009 §2). Failures wrap errInvalidToken.
func (h *Handler) verify(r *http.Request, info *tenant.Info, raw string) (*tokenClaims, error) {
	ctx := r.Context()
	if strings.Count(raw, ".") != 2 {
		return nil, fmt.Errorf("%w: not a JWS", errForged)
	}
	v, err := h.keys.Verify(ctx, info.Tenant.ID, raw)
	if errors.Is(err, keys.ErrInvalidToken) {
		return nil, fmt.Errorf("%w: %w", errForged, err)
	}
	if err != nil {
		return nil, fmt.Errorf("api: verify access token: %w", err)
	}
	if !strings.EqualFold(v.Type, keys.TypAccessToken) && !strings.EqualFold(v.Type, "application/"+keys.TypAccessToken) {
		return nil, fmt.Errorf("%w: typ", errInvalidToken)
	}
	var c tokenClaims
	if err := json.NewDecoder(bytes.NewReader(v.Payload)).Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: claims", errInvalidToken)
	}
	now := h.clock.Now().Unix()
	switch {
	case c.Issuer != info.Issuer, c.TenantID != info.Tenant.ID:
		return nil, fmt.Errorf("%w: issuer or tenant", errInvalidToken)
	case !c.Audience.Contains(manage.ManagementAPI):
		return nil, fmt.Errorf("%w: audience", errInvalidToken)
	case c.Subject == "", c.JTI == "", c.ClientID == "", c.Expiry == 0:
		return nil, fmt.Errorf("%w: missing claim", errInvalidToken)
	case now >= c.Expiry, c.NotBefore != 0 && now < c.NotBefore:
		return nil, fmt.Errorf("%w: expired or not yet valid", errInvalidToken)
	}
	active, err := h.tokens.AccessTokenActive(ctx, info.Tenant.ID, c.JTI)
	if err != nil {
		return nil, fmt.Errorf("api: access token status: %w", err)
	}
	if !active {
		return nil, fmt.Errorf("%w: revoked", errInvalidToken)
	}
	return &c, nil
}
