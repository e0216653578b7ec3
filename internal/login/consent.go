package login

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/tenant"
)

// consentData is what the consent template shows (SECURITY-TESTS 47: the
// client's name, its redirect host and the scopes).
type consentData struct {
	RequestID    string
	ClientName   string
	RedirectHost string
	// ThirdParty marks a client the tenant does not operate (registered by
	// itself through dynamic registration or a metadata document): the
	// page says so, and shows the host of its ClientURI when it has one.
	// That host is only the client's claim; PublishedHost, the host of a
	// client id that is a URL, is where the server itself fetched the
	// client's metadata document over TLS.
	ThirdParty    bool
	ClientURIHost string
	PublishedHost string
	Scopes        []consentScope
	UserEmail     string
	Initial       string
}

// consentScope is one requested scope on the consent page. Required
// scopes are shown without a checkbox; the others are checked by default
// and the user may clear them (RFC 6749 §3.3: the authorization server
// may issue a narrower scope than requested, based on the resource
// owner's instructions).
type consentScope struct {
	Value       string
	Description string // in plain words
	Required    bool
}

// requiredScope reports whether a requested scope cannot be deselected:
// openid, without which the request is not an OpenID Connect sign-in
// (OIDC Core §3.1.2.1) and which the protocol layer requires.
func requiredScope(scope string) bool { return scope == "openid" }

// consentPage asks the signed-in user to allow a client (GET
// /oauth2/consent?request=…). Without a session it sends the browser to
// sign in first. It never records consent: only the POST does.
func (h *Handler) consentPage(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	id := r.URL.Query().Get("request")
	s, err := h.sessions.Current(r)
	if err != nil {
		return err
	}
	if s == nil {
		return seeOther(w, r, info.Path("/oauth2/login")+"?request="+url.QueryEscape(id))
	}
	ar, client, err := h.authRequest(r.Context(), info, id)
	if err != nil {
		return err
	}
	u, err := h.store.GetUser(r.Context(), info.Tenant.ID, s.UserID)
	if err != nil {
		return fmt.Errorf("login: consent user: %w", err)
	}
	d := &consentData{
		RequestID: ar.ID, ClientName: client.Name, RedirectHost: redirectHost(ar.RedirectURI),
		ThirdParty: client.ThirdParty, ClientURIHost: clientURIHost(client.ClientURI), PublishedHost: publishedHost(client.ID),
		Scopes: h.describeScopes(r, info, ar, client), UserEmail: u.Email, Initial: page.Initial(u.Email),
	}
	if d.ClientName == "" {
		d.ClientName = client.ID
	}
	return h.pages.Render(w, r, http.StatusOK, "consent", "Allow access", d)
}

// consentSubmit records the user's answer (POST /oauth2/consent). Allow
// stores the consent and marks the request approved, then resumes it
// (303); Deny lets the protocol layer answer access_denied.
func (h *Handler) consentSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	info := tenant.MustFromContext(r.Context())
	id := r.PostFormValue("request")
	s, err := h.sessions.Current(r)
	if err != nil {
		return err
	}
	if s == nil {
		return seeOther(w, r, info.Path("/oauth2/login")+"?request="+url.QueryEscape(id))
	}
	ar, _, err := h.authRequest(r.Context(), info, id)
	if err != nil {
		return err
	}
	switch r.PostFormValue("action") {
	case "approve":
		chosen, err := chosenScopes(ar.Scope, r.PostForm["scope"])
		if err != nil {
			return err
		}
		if err := h.approve(r, info, s.UserID, ar, chosen); err != nil {
			return err
		}
		return seeOther(w, r, resumeURL(info, ar.ID))
	case "deny":
		if h.finisher == nil {
			return errors.New("login: no Finisher configured")
		}
		return h.finisher.Deny(w, r, ar.ID)
	}
	return &httpx.PageError{Status: http.StatusBadRequest, Title: "Choose Allow or Deny", Message: "Go back and choose one of the buttons."}
}

// errScopeNotRequested answers an approval naming a scope the request did
// not ask for: a forged or stale form. Nothing is recorded.
var errScopeNotRequested = &httpx.PageError{Status: http.StatusBadRequest, Title: "This permission was not requested",
	Message: "The form named a permission the application did not ask for. Go back to the application and start again."}

// maxChosenScopes bounds the scope values one approval may post.
const maxChosenScopes = 100

// chosenScopes returns the scopes the user left checked, in the order the
// request named them, plus the required ones. Every posted value must be
// one the request asked for (a consent may narrow a request, never widen
// it: RFC 6749 §3.3); anything else is errScopeNotRequested.
func chosenScopes(requested, posted []string) ([]string, error) {
	if len(posted) > maxChosenScopes {
		return nil, errScopeNotRequested
	}
	for _, p := range posted {
		if !slices.Contains(requested, p) {
			return nil, errScopeNotRequested
		}
	}
	out := make([]string, 0, len(requested))
	for _, sc := range requested {
		if (requiredScope(sc) || slices.Contains(posted, sc)) && !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	return out, nil
}

// approve stores the consent and narrows the parked request to the
// chosen scopes, marking it consented. The stored consent keeps what the
// user allowed before for scopes this request did not ask for; for the
// requested ones it now holds exactly the user's choice, so clearing a
// scope here also withdraws an earlier consent to it.
func (h *Handler) approve(r *http.Request, info *tenant.Info, userID string, ar *idp.AuthRequest, chosen []string) error {
	ctx := r.Context()
	now := h.clock.Now()
	c := &idp.Consent{TenantID: info.Tenant.ID, UserID: userID, ClientID: ar.ClientID, CreatedAt: now, UpdatedAt: now}
	prev, err := h.store.GetConsent(ctx, info.Tenant.ID, userID, ar.ClientID)
	switch {
	case err == nil:
		c.CreatedAt = prev.CreatedAt
		for _, sc := range prev.Scopes {
			if !slices.Contains(ar.Scope, sc) {
				c.Scopes = append(c.Scopes, sc)
			}
		}
	case !errors.Is(err, idp.ErrNotFound):
		return fmt.Errorf("login: get consent: %w", err)
	}
	for _, sc := range chosen {
		if !slices.Contains(c.Scopes, sc) {
			c.Scopes = append(c.Scopes, sc)
		}
	}
	// The request is narrowed first: if that fails (the store refuses to
	// widen it), no consent is recorded.
	err = h.store.SetAuthRequestConsent(ctx, info.Tenant.ID, ar.ID, chosen)
	if errors.Is(err, idp.ErrInvalid) {
		return errScopeNotRequested
	}
	if err != nil {
		return fmt.Errorf("login: set request consent: %w", err)
	}
	if err := h.store.PutConsent(ctx, info.Tenant.ID, c); err != nil {
		return fmt.Errorf("login: put consent: %w", err)
	}
	return nil
}

// redirectHost is the host the browser will be sent to after consent.
func redirectHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || u.Host == "" {
		return uri
	}
	return u.Host
}

// clientURIHost is the host of a client's home page (RFC 7591 §2
// client_uri) when it is an https or http URL, else "".
func clientURIHost(uri string) string {
	u, err := url.Parse(uri)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
		return ""
	}
	return u.Host
}

// publishedHost is the host of a client id that is an https URL (a Client
// ID Metadata Document, whose document the server fetched from there),
// else "".
func publishedHost(clientID string) string {
	if !strings.HasPrefix(clientID, "https://") {
		return ""
	}
	u, err := url.Parse(clientID)
	if err != nil {
		return ""
	}
	return u.Host
}
