package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// tenantHeader selects the tenant an admin token works on.
const tenantHeader = "X-Tenant-ID"

// tokenClaims are the claims of a verified access token.
type tokenClaims = bearer.Claims

// verifier checks management-API tokens with the handler's keys,
// revocation answers and clock (internal/bearer holds the checks, shared
// with the MCP endpoint).
func (h *Handler) verifier() *bearer.Verifier {
	return &bearer.Verifier{Keys: h.keys, Tokens: h.tokens, Clock: h.clock}
}

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

// authenticate checks the bearer token, builds the actor, checks the
// route's scope and picks the tenant the call works on.
func (h *Handler) authenticate(r *http.Request, rt route) (*call, error) {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	addr := h.proxies.ClientIP(r)
	if wait := h.limit.RetryAfter(addr); wait > 0 {
		return nil, bearer.TooManyRequests(wait)
	}
	raw, sent := bearer.FromRequest(r)
	if raw == "" {
		return nil, unauthorized(sent)
	}
	// The management audience only (RFC 8707 §2): a token for the MCP
	// endpoint or a tenant's API is not accepted here.
	claims, err := h.verifier().Verify(ctx, info, manage.ManagementAPI, raw)
	if errors.Is(err, bearer.ErrForged) {
		// Only tokens that are not ours count: an honest client with an
		// expired or revoked token is not guessing.
		h.limit.Failed(addr)
	}
	if errors.Is(err, bearer.ErrInvalidToken) {
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
		if !claims.IsUser() {
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
	if rt.Scope != "" && !claims.HasScope(rt.Scope) {
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
