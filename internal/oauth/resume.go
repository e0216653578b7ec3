package oauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// resume continues a request parked for login or consent, when the hosted
// page sends the browser back to GET /oauth2/authorize?request_id=ID. The
// client and redirect URI are checked again (they may have changed while
// the user was away) before steps (d) to (f) run with the stored
// parameters.
func (p *Provider) resume(w http.ResponseWriter, r *http.Request, info *tenant.Info, id string) error {
	a, err := p.loadParked(r.Context(), info, id)
	switch {
	case a == nil:
		return err
	case err != nil:
		return p.answerError(w, r, a, err)
	}
	return p.answerError(w, r, a, p.proceed(w, r, a))
}

// loadParked loads a parked request of this tenant and issuer and
// revalidates it. Errors before the redirect URI is known again are pages;
// later ones are *authzError for answerError.
func (p *Provider) loadParked(ctx context.Context, info *tenant.Info, id string) (*authorization, error) {
	gone := pageError("This sign-in request has expired or was already answered. Start again from the application.")
	if id == "" || len(id) > 128 {
		return nil, gone
	}
	ar, err := p.store.GetAuthRequest(ctx, info.Tenant.ID, id, p.clock.Now())
	if errors.Is(err, idp.ErrNotFound) || errors.Is(err, idp.ErrExpired) {
		return nil, gone
	}
	if err != nil {
		return nil, fmt.Errorf("authorize: load request: %w", err)
	}
	if ar.TenantID != info.Tenant.ID || ar.Issuer != info.Issuer {
		// The response must carry the issuer the request was sent to
		// (RFC 9207): a request parked on another issuer is not ours here.
		return nil, gone
	}
	client, redirectURI, err := p.loadClient(ctx, info, ar.ClientID, ar.RedirectURI)
	if err != nil {
		return nil, err
	}
	a := &authorization{info: info, client: client, redirectURI: redirectURI, req: ar, parked: true}
	rs, err := p.resourceServers(ctx, info, client, ar.Resource)
	if err != nil {
		return a, p.answerLater(err)
	}
	a.resources = rs
	// The client's settings may have changed: narrow the scope again and
	// keep PKCE mandatory for a client that became public.
	ar.Scope = allowedScopes(client, ar.Scope, rs)
	if client.Public() && ar.CodeChallenge == "" {
		return a, errAuthz(errInvalidRequest, "PKCE is required: send code_challenge with code_challenge_method=S256.")
	}
	return a, nil
}

// answerLater passes an *authzError on unchanged and wraps anything else.
func (p *Provider) answerLater(err error) error {
	var ae *authzError
	if errors.As(err, &ae) {
		return ae
	}
	return fmt.Errorf("authorize: resume: %w", err)
}

// Deny answers the parked request requestID with access_denied (RFC 6749
// §4.1.2.1), with state and iss (RFC 9207), and deletes it; for a
// third-party client the answer is the interstitial page (redirectError),
// which is an *httpx.InterstitialRedirect returned as the error. The consent
// page calls it when the user refuses. Unknown or expired requests, and
// clients or redirect URIs that are no longer valid, give an error page
// rather than a redirect. The request must have passed through the tenant
// resolver.
func (p *Provider) Deny(w http.ResponseWriter, r *http.Request, requestID string) error {
	info := tenant.MustFromContext(r.Context())
	a, err := p.loadParked(r.Context(), info, requestID)
	if a == nil {
		return err
	}
	if err := p.store.DeleteAuthRequest(r.Context(), info.Tenant.ID, a.req.ID); err != nil && !errors.Is(err, idp.ErrNotFound) {
		return fmt.Errorf("authorize: delete request: %w", err)
	}
	return p.redirectError(w, r, a, errAuthz(errAccessDenied, "The user denied the request."))
}
