package oauth

import (
	"errors"
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// maxRegistrationTokenLen bounds a presented registration access token;
// ours are 43 characters.
const maxRegistrationTokenLen = 512

// registeredClient serves GET /oauth2/register/{client_id} (RFC 7592
// §2.1): the client information response for the holder of the client's
// registration access token. The secret is not included: only its hash
// is kept.
func (p *Provider) registeredClient(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	if !p.registrationEnabled(info) {
		return registrationNotFound()
	}
	token, err := p.registrationToken(w, r, info)
	if err != nil {
		return err
	}
	c, err := p.registrar.ReadDynamicClient(ctx, info.Tenant.ID, r.PathValue("client_id"), token)
	if err != nil {
		return p.registrationTokenError(r, info, err)
	}
	method := authMethodNone
	if !c.Public() {
		method = authMethodBasic
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	httpx.WriteJSON(w, http.StatusOK, information(info, c, "", token, method))
	return nil
}

// deleteRegisteredClient serves DELETE /oauth2/register/{client_id}
// (RFC 7592 §2.3): the client is removed with its grants, and 204 answers.
func (p *Provider) deleteRegisteredClient(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	if !p.registrationEnabled(info) {
		return registrationNotFound()
	}
	token, err := p.registrationToken(w, r, info)
	if err != nil {
		return err
	}
	err = p.registrar.DeleteDynamicClient(ctx, info.Tenant.ID, r.PathValue("client_id"), token, httpx.RequestID(ctx), p.clientIP(r))
	if err != nil {
		return p.registrationTokenError(r, info, err)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateRegisteredClient answers PUT /oauth2/register/{client_id}:
// updating a registration (RFC 7592 §2.2) is not supported, so a client
// deletes its registration and registers again.
func (p *Provider) updateRegisteredClient(w http.ResponseWriter, r *http.Request) error {
	if !p.registrationEnabled(tenant.MustFromContext(r.Context())) {
		return registrationNotFound()
	}
	w.Header().Set("Allow", "GET, DELETE")
	return &httpx.OAuthError{Code: oauthInvalidRequest, Description: "Updating a registration is not supported: delete it and register again.", Status: http.StatusMethodNotAllowed}
}

// registrationToken returns the Bearer token of the request (RFC 6750
// §2.1, the only way RFC 7592 §3 allows). Failed checks from one client
// address (IPv6: one /64) are throttled like client authentication.
func (p *Provider) registrationToken(w http.ResponseWriter, r *http.Request, info *tenant.Info) (string, error) {
	if wait := p.registrationTokenFailures.blockedFor(addressBlock(p.clientIP(r))); wait > 0 {
		return "", tooManyRequests(w, wait)
	}
	authz := r.Header.Values("Authorization")
	if len(authz) == 0 {
		// RFC 6750 §3.1: no credentials, no error code.
		return "", &httpx.OAuthError{Code: "invalid_token", Description: "A registration access token is required.", Status: http.StatusUnauthorized,
			WWWAuthenticate: `Bearer realm="` + info.Issuer + `"`}
	}
	scheme, token, ok := strings.Cut(authz[0], " ")
	if len(authz) > 1 || !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || len(token) > maxRegistrationTokenLen {
		p.registrationTokenFailures.fail(addressBlock(p.clientIP(r)))
		return "", invalidRegistrationToken(info)
	}
	return token, nil
}

// registrationTokenError maps a Registrar failure on a registration
// access token: an unknown client and a token of another client both get
// 401 (RFC 7592 §2.1), so client ids cannot be probed.
func (p *Provider) registrationTokenError(r *http.Request, info *tenant.Info, err error) error {
	if errors.Is(err, idp.ErrForbidden) || errors.Is(err, idp.ErrNotFound) {
		p.registrationTokenFailures.fail(addressBlock(p.clientIP(r)))
		return invalidRegistrationToken(info)
	}
	return internalFailure(r.Context(), "register: registration token", err)
}

// invalidRegistrationToken is the 401 of RFC 6750 §3.1 invalid_token.
func invalidRegistrationToken(info *tenant.Info) error {
	return &httpx.OAuthError{Code: "invalid_token", Description: "The registration access token is invalid for this client.", Status: http.StatusUnauthorized,
		WWWAuthenticate: `Bearer realm="` + info.Issuer + `", error="invalid_token"`}
}
