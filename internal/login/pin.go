package login

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// pinData is what the PIN template shows.
type pinData struct {
	ChallengeID string
	Email       string
	RequestID   string
	LoginURL    string
	Error       string
}

// errChallengeGone covers an unknown challenge and one bound to another
// browser alike, so neither can be told apart.
var errChallengeGone = &httpx.PageError{Status: http.StatusBadRequest, Title: "This sign-in attempt is not valid here",
	Message: "Codes only work in the browser where you asked for them. Start signing in again."}

// errChallengeUsed is shown for a challenge that already signed someone in.
var errChallengeUsed = &httpx.PageError{Status: http.StatusBadRequest, Title: "This code was already used",
	Message: "Each code and link works once. Start signing in again if you need to."}

// loadBoundChallenge returns the challenge named by id if it is bound to
// this browser; anything else gives errChallengeGone.
func (h *Handler) loadBoundChallenge(r *http.Request, info *tenant.Info, id string) (*idp.LoginChallenge, error) {
	if id == "" || len(id) > 128 {
		return nil, errChallengeGone
	}
	c, err := h.store.GetLoginChallenge(r.Context(), info.Tenant.ID, id)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, errChallengeGone
	}
	if err != nil {
		return nil, fmt.Errorf("login: challenge: %w", err)
	}
	if !sameBrowser(r, info, c.BrowserHash) {
		return nil, errChallengeGone
	}
	return c, nil
}

func (h *Handler) pinData(info *tenant.Info, c *idp.LoginChallenge) *pinData {
	d := &pinData{ChallengeID: c.ID, Email: c.Email, RequestID: c.AuthRequestID, LoginURL: info.Path("/oauth2/login")}
	if c.AuthRequestID != "" {
		d.LoginURL += "?request=" + url.QueryEscape(c.AuthRequestID)
	}
	return d
}

// pinPage shows the code form (GET /oauth2/pin-code?challenge=…).
func (h *Handler) pinPage(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	c, err := h.loadBoundChallenge(r, info, r.URL.Query().Get("challenge"))
	if err != nil {
		return err
	}
	if c.ConsumedAt != nil {
		return errChallengeUsed
	}
	return h.pages.Render(w, r, http.StatusOK, "pin_code", "Enter your code", h.pinData(info, c))
}

// normalizePIN strips spaces and hyphens a person may type or paste; it
// returns "" unless six digits remain.
func normalizePIN(s string) string {
	s = strings.Map(func(c rune) rune {
		if c == ' ' || c == '-' || c == '\u00a0' {
			return -1
		}
		return c
	}, s)
	if len(s) != 6 || strings.Trim(s, "0123456789") != "" {
		return ""
	}
	return s
}

// pinSubmit checks a code (POST /oauth2/pin-code). The order of checks
// makes a burned or expired challenge fail even with the right PIN; a
// wrong PIN is counted in the store atomically, and the fifth failure
// burns the challenge (idp.MaxPINAttempts).
func (h *Handler) pinSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	info := tenant.MustFromContext(r.Context())
	if ok, retry := h.verifyIP.allow(info.Tenant.ID + "|" + h.clientIP(r)); !ok {
		h.metrics.SignIn("pin", outcomeRateLimited)
		return tooMany(w, retry)
	}
	c, err := h.loadBoundChallenge(r, info, r.PostFormValue("challenge"))
	if err != nil {
		return err
	}
	d := h.pinData(info, c)
	fail := func(reason, msg string) error {
		h.audit(r, info, "login.failure", "failure", c.UserID, c.ID, map[string]string{"method": "pin", "reason": reason})
		d.Error = msg
		return h.pages.Render(w, r, http.StatusOK, "pin_code", "Enter your code", d)
	}
	now := h.clock.Now()
	switch {
	case c.ConsumedAt != nil:
		return errChallengeUsed
	case c.Attempts >= idp.MaxPINAttempts:
		return fail("burned", "Too many wrong codes. Ask for a new code.")
	case !now.Before(c.PINExpiresAt):
		return fail("expired", "This code has expired. Ask for a new code.")
	}
	pin := normalizePIN(r.PostFormValue("pin"))
	if pin == "" {
		d.Error = "Enter the 6-digit code from the email."
		return h.pages.Render(w, r, http.StatusOK, "pin_code", "Enter your code", d)
	}
	if !secret.Equal(secret.HashBytes(pin), c.PINHash) {
		n, err := h.store.RecordPINFailure(r.Context(), info.Tenant.ID, c.ID)
		if err != nil {
			return fmt.Errorf("login: record pin failure: %w", err)
		}
		if left := idp.MaxPINAttempts - n; left > 0 {
			return fail("wrong_pin", fmt.Sprintf("That code is not right. You can try %d more %s.", left, plural(left, "time", "times")))
		}
		return fail("burned", "Too many wrong codes. Ask for a new code.")
	}
	return h.complete(w, r, info, c, "pin")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
