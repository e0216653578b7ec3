package login

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// amrEmailOTP are the authentication methods of an email PIN or link
// (RFC 8176 §2 "otp", plus "email" for the delivery channel).
var amrEmailOTP = []string{"email", "otp"}

// errCannotSignIn is shown when a verified challenge still may not sign
// anyone in (suspended or inactive user, closed registration, an inert
// challenge). It says nothing about why.
var errCannotSignIn = &httpx.PageError{Status: http.StatusForbidden, Title: "You cannot sign in",
	Message: "This account cannot sign in right now. Contact the organisation if you think this is a mistake."}

// complete finishes a verified challenge: it consumes it (single use across
// PIN and link), finds or creates the user, starts a fresh session (the id
// rotates: ASVS 7.2.4), clears the pre-login cookies and resumes the
// authorization request with a 303.
func (h *Handler) complete(w http.ResponseWriter, r *http.Request, info *tenant.Info, c *idp.LoginChallenge, method string) error {
	ctx := r.Context()
	now := h.clock.Now()
	if err := h.store.ConsumeLoginChallenge(ctx, info.Tenant.ID, c.ID, now); err != nil {
		if errors.Is(err, idp.ErrAlreadyUsed) || errors.Is(err, idp.ErrNotFound) {
			h.audit(r, info, "login.failure", "failure", c.UserID, c.ID, map[string]string{"method": method, "reason": "already_used"})
			return errChallengeUsed
		}
		return fmt.Errorf("login: consume challenge: %w", err)
	}
	u, err := h.userFor(r, info, c)
	if err != nil {
		return err
	}
	if u == nil || u.Status != idp.UserActive {
		id := ""
		if u != nil {
			id = u.ID
		}
		h.audit(r, info, "login.failure", "failure", id, c.ID, map[string]string{"method": method, "reason": "not_allowed"})
		return errCannotSignIn
	}
	if err := h.store.TouchUserLogin(ctx, info.Tenant.ID, u.ID, now); err != nil {
		return fmt.Errorf("login: touch user: %w", err)
	}
	if _, err := h.sessions.Start(w, r, u.ID, amrEmailOTP); err != nil {
		return fmt.Errorf("login: start session: %w", err)
	}
	h.clearLoginCookies(w, r, info)
	h.audit(r, info, "login.success", "success", u.ID, c.ID, map[string]string{"method": method})
	return seeOther(w, r, resumeURL(info, c.AuthRequestID))
}

// userFor returns the user a challenge signs in: its bound user, or for a
// challenge without one the user with its address — created now (a
// sign-up, email verified by this very challenge) when there is none and
// the tenant allows registration. It returns nil when nobody may sign in.
func (h *Handler) userFor(r *http.Request, info *tenant.Info, c *idp.LoginChallenge) (*idp.User, error) {
	ctx := r.Context()
	if c.UserID != "" {
		u, err := h.store.GetUser(ctx, info.Tenant.ID, c.UserID)
		if errors.Is(err, idp.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, fmt.Errorf("login: user: %w", err)
		}
		return u, nil
	}
	u, err := h.store.GetUserByEmail(ctx, info.Tenant.ID, c.Email)
	if err == nil {
		return u, nil
	}
	if !errors.Is(err, idp.ErrNotFound) {
		return nil, fmt.Errorf("login: user by email: %w", err)
	}
	if !info.Tenant.AllowRegistration || normalizeEmail(c.Email) == "" {
		return nil, nil
	}
	id, err := h.random.ID("usr_")
	if err != nil {
		return nil, err
	}
	now := h.clock.Now()
	u = &idp.User{
		TenantID: info.Tenant.ID, ID: id, Email: c.Email, Name: cleanName(c.Name),
		EmailVerified: true, Status: idp.UserActive, CreatedAt: now, UpdatedAt: now,
	}
	if err := h.store.CreateUser(ctx, info.Tenant.ID, u); err != nil {
		if errors.Is(err, idp.ErrConflict) { // signed up a moment ago through another challenge
			return h.store.GetUserByEmail(ctx, info.Tenant.ID, c.Email)
		}
		return nil, fmt.Errorf("login: create user: %w", err)
	}
	return u, nil
}
