package oauth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// maxMaxAge caps max_age (100 years, in seconds): a larger value cannot
// be exceeded by any session and would overflow a time.Duration.
const maxMaxAge = 100 * 365 * 24 * 3600

// authRequestLifetime is how long a parked authorization request waits
// for the user to sign in or consent.
const authRequestLifetime = 30 * time.Minute

// Hosted pages an authorization request is parked for. They send the
// browser back to GET /oauth2/authorize?request_id=ID when done.
const (
	loginPage   = "/oauth2/login"
	consentPage = "/oauth2/consent"
)

// authorize serves GET and POST /oauth2/authorize (OAuth 2.1 §4.1.1, OIDC
// Core §3.1.2). A GET with request_id resumes a parked request.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	w.Header().Set("Cache-Control", "no-store")
	v, err := readAuthorizeParams(w, r)
	if err != nil {
		return err
	}
	if r.Method != http.MethodPost && v.Has("request_id") {
		id, rep := param(v, "request_id")
		if rep {
			return pageError("The request_id parameter was sent more than once.")
		}
		return p.resume(w, r, info, id)
	}
	client, redirectURI, err := p.checkClient(r.Context(), info, v)
	if err != nil {
		return err
	}
	a := &authorization{info: info, client: client, redirectURI: redirectURI}
	if err := p.checkParams(r.Context(), a, v); err != nil {
		return p.answerError(w, r, a, err)
	}
	return p.answerError(w, r, a, p.proceed(w, r, a))
}

// answerError redirects an *authzError to the client (or shows the
// interstitial, see redirectError) and passes any other error (a store
// failure) to the error mapper.
func (p *Provider) answerError(w http.ResponseWriter, r *http.Request, a *authorization, err error) error {
	var ae *authzError
	if errors.As(err, &ae) {
		return p.redirectError(w, r, a, ae)
	}
	return err
}

// proceed performs steps (d) to (f) on a validated request: sign-in,
// consent, then the code.
func (p *Provider) proceed(w http.ResponseWriter, r *http.Request, a *authorization) error {
	ctx := r.Context()
	now := p.clock.Now()
	sess, user, err := p.currentUser(r, a.info)
	if err != nil {
		return err
	}
	promptNoneSet := slices.Contains(a.req.Prompt, promptNone)
	// A login that happened after the request was parked is the login this
	// request asked for: it satisfies prompt=login and max_age.
	fresh := a.parked && sess != nil && !a.req.CreatedAt.After(sess.AuthTime)
	if needsLogin(a.req, sess, user, fresh, now) {
		if promptNoneSet {
			return errAuthz(errLoginRequired, "The user is not signed in.")
		}
		return p.park(w, r, a, loginPage)
	}
	if a.hintSubject != "" && a.hintSubject != user.ID {
		// OIDC Core §3.1.2.1: the user named by id_token_hint must be the
		// one signed in (or signing in by this request).
		if promptNoneSet || fresh {
			return errAuthz(errLoginRequired, "The signed-in user is not the one the id_token_hint names.")
		}
		return p.park(w, r, a, loginPage)
	}
	scopes := userScopes(user, a.req.Scope, a.resources)
	if a.client.RequireConsent || a.client.ThirdParty {
		need, err := p.needsConsent(r, a, user, scopes)
		if err != nil {
			return err
		}
		if need {
			if promptNoneSet {
				return errAuthz(errConsentRequired, "The user has not consented to this application.")
			}
			return p.park(w, r, a, consentPage)
		}
	}
	if a.parked {
		// Answering deletes the parked request, so that it yields one code
		// at most even when the resume URL is replayed.
		err := p.store.DeleteAuthRequest(ctx, a.info.Tenant.ID, a.req.ID)
		if errors.Is(err, idp.ErrNotFound) {
			return pageError("This sign-in request was already answered. Start again from the application.")
		}
		if err != nil {
			return fmt.Errorf("authorize: delete request: %w", err)
		}
	}
	return p.issueCode(w, r, a, sess, user, scopes, now)
}

// currentUser returns the request's session and its user, or nils when
// there is no session or its user is gone or not active.
func (p *Provider) currentUser(r *http.Request, info *tenant.Info) (*idp.Session, *idp.User, error) {
	sess, err := p.sessions.Current(r)
	if err != nil || sess == nil {
		return nil, nil, err
	}
	user, err := p.store.GetUser(r.Context(), info.Tenant.ID, sess.UserID)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("authorize: load user: %w", err)
	}
	if user.Status != idp.UserActive {
		return nil, nil, nil
	}
	return sess, user, nil
}

// needsLogin reports whether the user must (re-)authenticate (OIDC Core
// §3.1.2.1): no usable session, prompt=login or select_account, or a
// max_age that the session's auth_time exceeds.
func needsLogin(ar *idp.AuthRequest, sess *idp.Session, user *idp.User, fresh bool, now time.Time) bool {
	switch {
	case sess == nil || user == nil:
		return true
	case fresh:
		return false
	case slices.Contains(ar.Prompt, promptLogin), slices.Contains(ar.Prompt, promptSelectAccount):
		return true
	case ar.MaxAge == nil:
		return false
	case *ar.MaxAge > maxMaxAge:
		return false // longer than any session lives; also keeps the Duration from overflowing
	case *ar.MaxAge == 0:
		// max_age=0 asks for a fresh login, like prompt=login (OIDC Core
		// §3.1.2.1), whatever the clock's resolution.
		return true
	case now.Sub(sess.AuthTime) > time.Duration(*ar.MaxAge)*time.Second:
		return true
	}
	return false
}

// needsConsent reports whether a consent-requiring client must ask the
// user: prompt=consent, or no stored consent covering scopes, unless the
// user just approved this very request on the consent page. An approval is
// remembered so that the next request is silent.
func (p *Provider) needsConsent(r *http.Request, a *authorization, user *idp.User, scopes []string) (bool, error) {
	ctx := r.Context()
	tid := a.info.Tenant.ID
	c, err := p.store.GetConsent(ctx, tid, user.ID, a.client.ID)
	if err != nil && !errors.Is(err, idp.ErrNotFound) {
		return false, fmt.Errorf("authorize: load consent: %w", err)
	}
	if a.parked && a.req.ConsentGiven {
		now := p.clock.Now()
		merged := &idp.Consent{TenantID: tid, UserID: user.ID, ClientID: a.client.ID, CreatedAt: now, UpdatedAt: now}
		if c != nil {
			merged.Scopes, merged.CreatedAt = slices.Clone(c.Scopes), c.CreatedAt
		}
		for _, s := range scopes {
			if !slices.Contains(merged.Scopes, s) {
				merged.Scopes = append(merged.Scopes, s)
			}
		}
		if err := p.store.PutConsent(ctx, tid, merged); err != nil {
			return false, fmt.Errorf("authorize: store consent: %w", err)
		}
		return false, nil
	}
	if slices.Contains(a.req.Prompt, promptConsent) {
		return true, nil
	}
	return c == nil || !coversScopes(c.Scopes, scopes), nil
}

// park stores the request (once) and sends the browser to a hosted page
// that resumes it by id.
func (p *Provider) park(w http.ResponseWriter, r *http.Request, a *authorization, page string) error {
	if !a.parked {
		id, err := p.random.Token(32)
		if err != nil {
			return fmt.Errorf("authorize: request id: %w", err)
		}
		now := p.clock.Now()
		a.req.ID, a.req.CreatedAt, a.req.ExpiresAt = id, now, now.Add(authRequestLifetime)
		if err := p.store.CreateAuthRequest(r.Context(), a.info.Tenant.ID, a.req); err != nil {
			return fmt.Errorf("authorize: park request: %w", err)
		}
		a.parked = true
	}
	redirect(w, r, a.info.Path(page)+"?request="+url.QueryEscape(a.req.ID))
	return nil
}

// issueCode mints the authorization code (RFC 6749 §4.1.2): 256 random
// bits, of which only the SHA-256 is stored, redeemable for
// idp.AuthCodeLifetime, bound to the client, the redirect_uri as sent, the
// PKCE challenge and the session.
func (p *Provider) issueCode(w http.ResponseWriter, r *http.Request, a *authorization, sess *idp.Session, user *idp.User, scopes []string, now time.Time) error {
	code, err := p.random.Token(32)
	if err != nil {
		return fmt.Errorf("authorize: code: %w", err)
	}
	ac := &idp.AuthCode{
		TenantID: a.info.Tenant.ID, Hash: secret.Hash(code), ClientID: a.client.ID,
		UserID: user.ID, SessionID: sess.ID, RedirectURI: a.req.RedirectURI,
		Scope: scopes, Audience: a.req.Resource, Nonce: a.req.Nonce,
		CodeChallenge: a.req.CodeChallenge, CodeChallengeMethod: a.req.CodeChallengeMethod,
		AuthTime: sess.AuthTime, AMR: sess.AMR,
		CreatedAt: now, ExpiresAt: now.Add(idp.AuthCodeLifetime),
	}
	if err := p.store.CreateAuthCode(r.Context(), a.info.Tenant.ID, ac); err != nil {
		return fmt.Errorf("authorize: store code: %w", err)
	}
	redirectResponse(w, r, a.redirectURI, a.req.State, a.info.Issuer, url.Values{"code": {code}})
	return nil
}
