package login

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// magicLinkData is what the magic-link template shows.
type magicLinkData struct {
	Token      string
	Email      string
	ClientName string
}

// errLinkGone covers unknown, expired and used links alike.
var errLinkGone = &httpx.PageError{Status: http.StatusBadRequest, Title: "This link has expired",
	Message: "Sign-in links work once and for 24 hours. Start signing in again to get a new one."}

// maxLinkToken bounds the token parameter (ours are 43 characters).
const maxLinkToken = 128

// linkChallenge finds the live challenge of a magic-link token. The PIN's
// attempt counter does not burn the link: the link is a 256-bit secret
// that cannot be guessed, and it may be the way out after mistyped codes.
func (h *Handler) linkChallenge(r *http.Request, info *tenant.Info, token string) (*idp.LoginChallenge, error) {
	if token == "" || len(token) > maxLinkToken {
		return nil, errLinkGone
	}
	c, err := h.store.GetLoginChallengeByLink(r.Context(), info.Tenant.ID, secret.HashBytes(token))
	if errors.Is(err, idp.ErrNotFound) {
		return nil, errLinkGone
	}
	if err != nil {
		return nil, fmt.Errorf("login: challenge by link: %w", err)
	}
	if c.ConsumedAt != nil || !h.clock.Now().Before(c.LinkExpiresAt) {
		return nil, errLinkGone
	}
	return c, nil
}

// magicLinkPage shows "Continue signing in as …" (GET
// /oauth2/magic-link?token=…). It changes nothing: mail scanners fetch
// links before people click them.
func (h *Handler) magicLinkPage(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	token := r.URL.Query().Get("token")
	c, err := h.linkChallenge(r, info, token)
	if err != nil {
		return err
	}
	d := &magicLinkData{Token: token, Email: c.Email}
	if c.AuthRequestID != "" {
		if _, client, err := h.authRequest(r.Context(), info, c.AuthRequestID); err == nil {
			d.ClientName = client.Name
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "magic_link", "Continue signing in", d)
}

// magicLinkSubmit signs in with a link (POST /oauth2/magic-link). It works
// from any browser, once, within 24 hours, and resumes the challenge's
// authorization request (or goes to the start page, as the first
// administrator's link does).
func (h *Handler) magicLinkSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	info := tenant.MustFromContext(r.Context())
	if ok, retry := h.verifyIP.allow(info.Tenant.ID + "|" + h.clientIP(r)); !ok {
		h.metrics.SignIn("magic_link", outcomeRateLimited)
		return tooMany(w, retry)
	}
	c, err := h.linkChallenge(r, info, r.PostFormValue("token"))
	if err != nil {
		if err == errLinkGone {
			h.metrics.SignIn("magic_link", outcomeInvalidLink)
		}
		return err
	}
	return h.complete(w, r, info, c, "magic_link")
}
