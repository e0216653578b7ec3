package login

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// formData is what the login and sign-up templates show.
type formData struct {
	ClientName  string
	RequestID   string
	Email       string
	Name        string
	Error       string
	AllowSignup bool
	SignupURL   string
	LoginURL    string
}

// errEmailSignInOff is shown when the tenant has not enabled email sign-in.
var errEmailSignInOff = &httpx.PageError{Status: http.StatusNotFound, Title: "Email sign-in is not available",
	Message: "This organisation does not offer sign-in by email."}

// errNoSignup is shown when the tenant does not allow registration.
var errNoSignup = &httpx.PageError{Status: http.StatusNotFound, Title: "Sign-up is closed",
	Message: "New accounts cannot be created here. Ask the organisation for an invitation."}

// newForm prepares the login or sign-up form, naming the client when the
// form continues a parked authorization request.
func (h *Handler) newForm(r *http.Request, info *tenant.Info, requestID string) (*formData, *idp.AuthRequest, error) {
	d := &formData{RequestID: requestID, AllowSignup: info.Tenant.AllowRegistration}
	var ar *idp.AuthRequest
	if requestID != "" {
		var c *idp.Client
		var err error
		if ar, c, err = h.authRequest(r.Context(), info, requestID); err != nil {
			return nil, nil, err
		}
		d.ClientName = c.Name
	}
	q := ""
	if requestID != "" {
		q = "?request=" + url.QueryEscape(requestID)
	}
	d.SignupURL = info.Path("/oauth2/signup") + q
	d.LoginURL = info.Path("/oauth2/login") + q
	return d, ar, nil
}

// loginPage shows the email form (GET /oauth2/login?request=…&login_hint=…).
func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.HasAuthMethod(idp.AuthMethodMagicLink) {
		return errEmailSignInOff
	}
	d, ar, err := h.newForm(r, info, r.URL.Query().Get("request"))
	if err != nil {
		return err
	}
	hint := r.URL.Query().Get("login_hint")
	if hint == "" && ar != nil {
		hint = ar.LoginHint // OIDC Core §3.1.2.1
	}
	if len(hint) <= maxEmailLen {
		d.Email = hint
	}
	return h.pages.Render(w, r, http.StatusOK, "login", "Sign in", d)
}

// loginSubmit starts an email sign-in (POST /oauth2/login).
func (h *Handler) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.HasAuthMethod(idp.AuthMethodMagicLink) {
		return errEmailSignInOff
	}
	d, ar, err := h.newForm(r, info, r.PostFormValue("request"))
	if err != nil {
		return err
	}
	d.Email = r.PostFormValue("email")
	email := normalizeEmail(d.Email)
	if email == "" {
		if len(d.Email) > maxEmailLen {
			d.Email = ""
		}
		d.Error = "Enter a valid email address, like name@example.com."
		return h.pages.Render(w, r, http.StatusOK, "login", "Sign in", d)
	}
	return h.start(w, r, info, email, "", ar)
}

// signupPage shows the sign-up form when the tenant allows registration.
func (h *Handler) signupPage(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.AllowRegistration || !info.Tenant.HasAuthMethod(idp.AuthMethodMagicLink) {
		return errNoSignup
	}
	d, ar, err := h.newForm(r, info, r.URL.Query().Get("request"))
	if err != nil {
		return err
	}
	if ar != nil && len(ar.LoginHint) <= maxEmailLen {
		d.Email = ar.LoginHint
	}
	return h.pages.Render(w, r, http.StatusOK, "signup", "Create your account", d)
}

// signupSubmit starts a sign-up (POST /oauth2/signup). An address that
// already has an account gets a normal sign-in email, and the response is
// the same either way.
func (h *Handler) signupSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := httpx.CheckCSRF(r); err != nil {
		return err
	}
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.AllowRegistration || !info.Tenant.HasAuthMethod(idp.AuthMethodMagicLink) {
		return errNoSignup
	}
	d, ar, err := h.newForm(r, info, r.PostFormValue("request"))
	if err != nil {
		return err
	}
	d.Email, d.Name = r.PostFormValue("email"), cleanName(r.PostFormValue("name"))
	email := normalizeEmail(d.Email)
	switch {
	case d.Name == "":
		d.Error = "Enter your name."
	case email == "":
		if len(d.Email) > maxEmailLen {
			d.Email = ""
		}
		d.Error = "Enter a valid email address, like name@example.com."
	}
	if d.Error != "" {
		return h.pages.Render(w, r, http.StatusOK, "signup", "Create your account", d)
	}
	return h.start(w, r, info, email, d.Name, ar)
}

// start creates a login challenge for email and sends the sign-in email
// when the address may sign in: an active user, or an unknown address on
// a tenant open to registration (a sign-up). For any other address
// (suspended or inactive user, unknown address on a closed tenant) it
// stores an inert challenge whose PIN and link were never sent to anyone
// and sends nothing. Both paths do the same store work, set the same
// cookies and answer with the same 303 to the PIN page, so a response
// never tells whether an account exists (SECURITY-TESTS 38). Mail is
// handed to the Sender in the background for the same reason.
func (h *Handler) start(w http.ResponseWriter, r *http.Request, info *tenant.Info, email, name string, ar *idp.AuthRequest) error {
	ctx := r.Context()
	if ok, retry := h.startIP.allow(info.Tenant.ID + "|" + h.clientIP(r)); !ok {
		return tooMany(w, retry)
	}
	if ok, retry := h.startEmail.allow(info.Tenant.ID + "|" + email); !ok {
		return tooMany(w, retry)
	}
	u, err := h.store.GetUserByEmail(ctx, info.Tenant.ID, email)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		u = nil
	case err != nil:
		return fmt.Errorf("login: user by email: %w", err)
	}
	send, signup := false, false
	userID := ""
	switch {
	case u != nil && u.Status == idp.UserActive:
		send, userID = true, u.ID
	case u == nil && info.Tenant.AllowRegistration:
		send, signup = true, true
	}

	browserHash, err := h.browserBinding(w, r, info)
	if err != nil {
		return err
	}
	pin, err := h.random.PIN(6)
	if err != nil {
		return err
	}
	link, err := h.random.Token(32)
	if err != nil {
		return err
	}
	id, err := h.random.ID("lch_")
	if err != nil {
		return err
	}
	now := h.clock.Now()
	c := &idp.LoginChallenge{
		TenantID: info.Tenant.ID, ID: id, Email: email, UserID: userID,
		BrowserHash: browserHash, PINHash: secret.HashBytes(pin), LinkHash: secret.HashBytes(link),
		PINExpiresAt: now.Add(idp.PINLifetime), LinkExpiresAt: now.Add(idp.LinkLifetime), CreatedAt: now,
	}
	if ar != nil {
		c.AuthRequestID = ar.ID
	}
	if signup {
		c.Name = name
	}
	if err := h.store.CreateLoginChallenge(ctx, info.Tenant.ID, c); err != nil {
		return fmt.Errorf("login: create challenge: %w", err)
	}
	if send {
		msg, err := h.signInMessage(info, email, pin, link, signup)
		if err != nil {
			return err
		}
		h.deliver(ctx, info.Tenant.ID, c.ID, msg)
	}
	return seeOther(w, r, info.Path("/oauth2/pin-code")+"?challenge="+url.QueryEscape(c.ID))
}

// signInMessage renders the one email carrying both the PIN and the link.
// The link is built from the configured issuer only, never from request
// headers (SECURITY-TESTS 39).
func (h *Handler) signInMessage(info *tenant.Info, email, pin, link string, signup bool) (mail.Message, error) {
	subject, text, html, err := mail.RenderSignIn(mail.SignInData{
		TenantName: info.Tenant.Name,
		Email:      email,
		PIN:        pin,
		Link:       info.URL("/oauth2/magic-link") + "?token=" + url.QueryEscape(link),
		PINMinutes: int(idp.PINLifetime / time.Minute),
		LinkHours:  int(idp.LinkLifetime / time.Hour),
		Signup:     signup,
	})
	if err != nil {
		return mail.Message{}, fmt.Errorf("login: render sign-in mail: %w", err)
	}
	return mail.Message{
		To: email, FromName: info.Tenant.EmailFromName, FromAddress: info.Tenant.EmailFromAddress,
		Subject: subject, Text: text, HTML: html,
	}, nil
}

// mailTimeout bounds one background delivery.
const mailTimeout = 30 * time.Second

// deliver hands msg to the Sender without making the response wait for
// SMTP, so response timing does not reveal whether mail was sent. At most
// cap(mailSlot) deliveries run at once; beyond that it sends inline. Errors
// are logged without the message (it holds the PIN and link).
func (h *Handler) deliver(ctx context.Context, tenantID, challengeID string, msg mail.Message) {
	ctx = context.WithoutCancel(ctx)
	send := func() {
		ctx, cancel := context.WithTimeout(ctx, mailTimeout)
		defer cancel()
		if err := h.mail.Send(ctx, msg); err != nil {
			h.log.ErrorContext(ctx, "login: sign-in mail not sent", slog.String("tenant", tenantID),
				slog.String("challenge", challengeID), slog.String("request_id", httpx.RequestID(ctx)), slog.Any("err", err))
		}
	}
	select {
	case h.mailSlot <- struct{}{}:
		h.mailWG.Add(1)
		go func() {
			defer h.mailWG.Done()
			defer func() { <-h.mailSlot }()
			send()
		}()
	default:
		send()
	}
}
