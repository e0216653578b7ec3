package login

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"

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
	Scopes       []string // in plain words
	UserEmail    string
	Initial      string
}

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
		if err := h.approve(r, info, s.UserID, ar); err != nil {
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

// approve stores the consent (adding to what the user allowed before) and
// marks the parked request as consented.
func (h *Handler) approve(r *http.Request, info *tenant.Info, userID string, ar *idp.AuthRequest) error {
	ctx := r.Context()
	now := h.clock.Now()
	c := &idp.Consent{TenantID: info.Tenant.ID, UserID: userID, ClientID: ar.ClientID, Scopes: slices.Clone(ar.Scope), CreatedAt: now, UpdatedAt: now}
	prev, err := h.store.GetConsent(ctx, info.Tenant.ID, userID, ar.ClientID)
	switch {
	case err == nil:
		c.CreatedAt = prev.CreatedAt
		for _, sc := range prev.Scopes {
			if !slices.Contains(c.Scopes, sc) {
				c.Scopes = append(c.Scopes, sc)
			}
		}
	case !errors.Is(err, idp.ErrNotFound):
		return fmt.Errorf("login: get consent: %w", err)
	}
	if err := h.store.PutConsent(ctx, info.Tenant.ID, c); err != nil {
		return fmt.Errorf("login: put consent: %w", err)
	}
	if err := h.store.SetAuthRequestConsent(ctx, info.Tenant.ID, ar.ID, nil); err != nil {
		return fmt.Errorf("login: set request consent: %w", err)
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
