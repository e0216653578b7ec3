package login

import (
	"encoding/json"
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

// logoutData is what the logout templates show.
type logoutData struct {
	ClientName            string
	ClientID              string
	PostLogoutRedirectURI string // only when registered for ClientID
	State                 string
	UserEmail             string
	Initial               string
	ReturnURL             string // logged-out page: link back to the client
}

// errLogoutURI is shown, without redirecting, when post_logout_redirect_uri
// is not exactly one of the client's registered logout URIs.
var errLogoutURI = &httpx.PageError{Status: http.StatusBadRequest, Title: "Sign-out address not allowed",
	Message: "The application asked to return to an address it has not registered. You have not been signed out."}

// maxParam bounds every logout parameter.
const maxParam = 4096

// logout implements OpenID Connect RP-Initiated Logout 1.0 (GET and POST
// /oauth2/logout, §2) and the confirmation it falls back to.
//
//   - post_logout_redirect_uri must match one of the client's registered
//     logout URIs exactly (§3); otherwise an error page, no redirect.
//   - With a valid id_token_hint for this issuer and client (§2: an expired
//     one is fine) and a registered URI, the session ends and the browser
//     goes back to the URI with state (303).
//   - Otherwise (no hint, a hint that fails verification — alg none,
//     foreign key, another tenant or client — or no URI) nothing is ended
//     by this request: a signed-in user gets a confirmation page whose POST
//     carries a CSRF token; a signed-out user gets the signed-out page.
//
// A POST with confirm=1 is that confirmation (our own form, CSRF-checked);
// a POST without it is an RP's logout request, treated like the GET.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	if r.Method == http.MethodPost && r.PostFormValue("confirm") != "" {
		return h.logoutConfirmed(w, r, info)
	}
	if err := r.ParseForm(); err != nil {
		return &httpx.PageError{Status: http.StatusBadRequest, Title: "Bad request", Message: "The sign-out request could not be read."}
	}
	p := func(k string) string {
		v := r.Form.Get(k)
		if len(v) > maxParam {
			return ""
		}
		return v
	}
	hint, uri, state, clientID := p("id_token_hint"), p("post_logout_redirect_uri"), p("state"), p("client_id")

	claims := h.verifyHint(r, info, hint, clientID)
	if clientID == "" && claims != nil {
		clientID = claims.client()
	}
	var client *idp.Client
	if clientID != "" {
		c, err := h.store.GetClient(r.Context(), info.Tenant.ID, clientID)
		switch {
		case err == nil:
			client = c
		case !errors.Is(err, idp.ErrNotFound):
			return fmt.Errorf("login: logout client: %w", err)
		}
	}
	if uri != "" && (client == nil || !slices.Contains(client.PostLogoutRedirectURIs, uri)) {
		return errLogoutURI
	}
	s, err := h.sessions.Current(r)
	if err != nil {
		return err
	}
	if claims != nil && uri != "" && (s == nil || s.UserID == claims.Sub) {
		if err := h.sessions.End(w, r); err != nil {
			return err
		}
		return seeOther(w, r, withState(uri, state))
	}
	d := &logoutData{State: state}
	if client != nil {
		d.ClientID, d.ClientName = client.ID, client.Name
		if uri != "" {
			d.PostLogoutRedirectURI = uri
		}
	}
	if s == nil {
		if d.PostLogoutRedirectURI != "" {
			d.ReturnURL = withState(d.PostLogoutRedirectURI, state)
		}
		return h.pages.Render(w, r, http.StatusOK, "logged_out", "Signed out", d)
	}
	if u, err := h.store.GetUser(r.Context(), info.Tenant.ID, s.UserID); err == nil {
		d.UserEmail, d.Initial = u.Email, page.Initial(u.Email)
	}
	return h.pages.Render(w, r, http.StatusOK, "logout_confirm", "Sign out", d)
}

// logoutConfirmed ends the session after the user confirmed on our page
// (or pressed "Sign out" on the start page) and shows the signed-out page,
// with a link back to the client when its URI is registered. It never
// redirects on its own.
func (h *Handler) logoutConfirmed(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	if err := h.sessions.End(w, r); err != nil {
		return err
	}
	d := &logoutData{}
	clientID, uri := r.PostFormValue("client_id"), r.PostFormValue("post_logout_redirect_uri")
	if clientID != "" && uri != "" && len(clientID) <= maxParam && len(uri) <= maxParam {
		c, err := h.store.GetClient(r.Context(), info.Tenant.ID, clientID)
		if err == nil && slices.Contains(c.PostLogoutRedirectURIs, uri) {
			d.ClientName = c.Name
			if d.ClientName == "" {
				d.ClientName = c.ID
			}
			d.ReturnURL = withState(uri, r.PostFormValue("state"))
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "logged_out", "Signed out", d)
}

// withState appends state to a registered URI without re-encoding what
// is already there (§3: the URI must be used exactly as registered).
func withState(uri, state string) string {
	if state == "" {
		return uri
	}
	frag := ""
	if i := strings.IndexByte(uri, '#'); i >= 0 {
		uri, frag = uri[:i], uri[i:]
	}
	sep := "?"
	if strings.Contains(uri, "?") {
		sep = "&"
	}
	return uri + sep + "state=" + url.QueryEscape(state) + frag
}

// hintClaims are the ID token claims logout looks at.
type hintClaims struct {
	Iss string       `json:"iss"`
	Sub string       `json:"sub"`
	Aud idp.Audience `json:"aud"`
	Azp string       `json:"azp"`
}

// client is the client the ID token was issued to (OIDC Core §2: azp, or
// the single audience).
func (c *hintClaims) client() string {
	if c.Azp != "" {
		return c.Azp
	}
	if len(c.Aud) == 1 {
		return c.Aud[0]
	}
	return ""
}

// verifyHint returns the claims of an id_token_hint that is one of our own
// ID tokens for this issuer, or nil. The signature must verify against this
// tenant's published keys (keys.Verifier refuses alg none, HMAC and
// embedded keys); iss must be this issuer; an access token (typ at+jwt,
// RFC 9068 §4) is not an ID token; when client_id is given the token's
// audience must contain it (RP-Initiated Logout §2). Expiry is not checked:
// an expired ID token is an acceptable hint.
func (h *Handler) verifyHint(r *http.Request, info *tenant.Info, hint, clientID string) *hintClaims {
	if hint == "" || h.keys == nil {
		return nil
	}
	v, err := h.keys.Verify(r.Context(), info.Tenant.ID, hint)
	if err != nil {
		return nil
	}
	if t := strings.ToLower(v.Type); t == "at+jwt" || t == "application/at+jwt" {
		return nil
	}
	var c hintClaims
	if err := json.Unmarshal(v.Payload, &c); err != nil {
		return nil
	}
	if c.Iss != info.Issuer || c.Sub == "" || len(c.Aud) == 0 {
		return nil
	}
	if clientID != "" && !c.Aud.Contains(clientID) {
		return nil
	}
	return &c
}
