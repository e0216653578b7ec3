package mcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// Resource returns the MCP resource identifier on the issuer of info: the
// endpoint's URL, the RFC 8707 resource, RFC 9728 resource and token aud.
func Resource(info *tenant.Info) string { return info.Issuer + Endpoint }

// metadataURL is the protected resource metadata of the endpoint (RFC
// 9728 §3.1: the well-known path followed by the resource's path).
func metadataURL(info *tenant.Info) string { return info.URL(prmPath + Endpoint) }

// caller is the authenticated request, carried in the request context to
// the tool handlers (the SDK runs them with values of the request's
// context in stateless mode).
type caller struct {
	ctx    context.Context // the request's, with the manage actor
	info   *tenant.Info
	claims *bearer.Claims
}

type callerKey struct{}

func callerFrom(ctx context.Context) (*caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*caller)
	return c, ok && c != nil
}

// serveMCP is the endpoint: admin tenant only, Origin, bearer token,
// scopes, then the SDK.
func (s *Server) serveMCP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	if !info.Tenant.Admin {
		httpx.WriteError(w, r, &httpx.APIError{Status: http.StatusNotFound, Code: "not_found", Description: "No MCP server on this tenant."})
		return
	}
	if err := checkOrigin(r, info); err != nil {
		httpx.WriteError(w, r, err)
		return
	}
	c, err := s.authenticate(r, info)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	sdk := s.sdk() // registers the tools (and so toolScopes) once
	need, err := s.requiredScopes(w, r)
	if err != nil {
		s.writeErr(w, r, err)
		return
	}
	if missing := missingScopes(c.claims, need); len(missing) > 0 {
		httpx.WriteError(w, r, insufficientScope(info, c.claims, missing))
		return
	}
	sdk.ServeHTTP(w, r.WithContext(context.WithValue(c.ctx, callerKey{}, c)))
}

// writeErr answers an error of the checks; anything not already an
// answer is logged and becomes a 500 without detail.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, err error) {
	var ae *httpx.APIError
	var oe *httpx.OAuthError
	if !errors.As(err, &ae) && !errors.As(err, &oe) {
		s.log.ErrorContext(r.Context(), "mcp: request failed", "request_id", httpx.RequestID(r.Context()), "err", err)
		err = &httpx.APIError{Status: http.StatusInternalServerError, Code: "server_error", Description: "An internal error occurred."}
	}
	httpx.WriteError(w, r, err)
}

// checkOrigin refuses a browser request from another origin: MCP
// 2025-11-25 basic/transports §2.0.1 requires servers to validate Origin
// against DNS rebinding. A request without Origin (every non-browser
// client) passes; one with Origin must come from the issuer's own origin
// (RFC 6454 §5 serialisation: scheme://host[:port]).
func checkOrigin(r *http.Request, info *tenant.Info) error {
	vs := r.Header.Values("Origin")
	if len(vs) == 0 {
		return nil
	}
	if len(vs) == 1 && strings.EqualFold(vs[0], info.Origin()) {
		return nil
	}
	return &httpx.APIError{Status: http.StatusForbidden, Code: "forbidden", Description: "Requests from this origin are not allowed."}
}

// authenticate verifies the bearer token for the MCP resource and builds
// the administrator's actor into the request context.
func (s *Server) authenticate(r *http.Request, info *tenant.Info) (*caller, error) {
	ctx := r.Context()
	addr := s.proxies.ClientIP(r)
	if wait := s.throttle.RetryAfter(addr); wait > 0 {
		return nil, bearer.TooManyRequests(wait)
	}
	raw, sent := bearer.FromRequest(r)
	if raw == "" {
		return nil, unauthorized(info, sent)
	}
	claims, err := s.verifier.Verify(ctx, info, Resource(info), raw)
	if errors.Is(err, bearer.ErrForged) {
		// Only tokens that are not ours count: an honest client with an
		// expired or revoked token is not guessing.
		s.throttle.Failed(addr)
	}
	if errors.Is(err, bearer.ErrInvalidToken) {
		return nil, unauthorized(info, true)
	}
	if err != nil {
		return nil, err
	}
	// Only a signed-in administrator: a client's own token (client
	// credentials) has no user behind it to take a role from.
	if !claims.IsUser() {
		return nil, unauthorized(info, true)
	}
	a, err := s.manage.AdminActor(ctx, claims.Subject)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, unauthorized(info, true)
	}
	if err != nil {
		return nil, fmt.Errorf("mcp: caller: %w", err)
	}
	a.RequestID = httpx.RequestID(ctx)
	a.ClientIP = addr
	return &caller{ctx: manage.WithActor(ctx, a), info: info, claims: claims}, nil
}

// unauthorized is the 401 answer (RFC 6750 §3, RFC 9728 §5.1): the
// challenge points at the protected resource metadata and names the scope
// to start with; error="invalid_token" only when a token was sent (RFC
// 6750 §3.1).
func unauthorized(info *tenant.Info, tokenSent bool) error {
	challenge := `Bearer resource_metadata="` + metadataURL(info) + `", scope="` + ScopeRead + `"`
	if tokenSent {
		challenge += `, error="invalid_token"`
	}
	return &httpx.OAuthError{Status: http.StatusUnauthorized, Code: "invalid_token",
		Description: "A valid access token for the Authalla MCP server is required.", WWWAuthenticate: challenge}
}

// insufficientScope is the 403 answer (RFC 6750 §3.1; MCP 2025-11-25
// basic/authorization, "Scope Challenge Handling"): scope lists what the
// token has plus what is missing, so that a client's step-up
// authorization asks for all of it and loses nothing it had.
func insufficientScope(info *tenant.Info, claims *bearer.Claims, missing []string) error {
	all := slices.Clone(claims.Scopes())
	for _, m := range missing {
		if !slices.Contains(all, m) {
			all = append(all, m)
		}
	}
	return &httpx.OAuthError{Status: http.StatusForbidden, Code: "insufficient_scope",
		Description: "The access token lacks the scope " + strings.Join(missing, " ") + ".",
		WWWAuthenticate: `Bearer error="insufficient_scope", scope="` + strings.Join(all, " ") +
			`", resource_metadata="` + metadataURL(info) + `"`}
}

// missingScopes returns the scopes of need the token lacks. need holds
// one entry per requirement; an entry anyMCPScope is met by any MCP scope.
func missingScopes(c *bearer.Claims, need []string) []string {
	var out []string
	for _, n := range need {
		if n == anyMCPScope {
			if slices.ContainsFunc(Scopes, c.HasScope) {
				continue
			}
			n = ScopeRead
		}
		if !c.HasScope(n) && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}
