package admin

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/tenant"
)

// call is one authenticated Admin UI request.
type call struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context // carries the manage.Actor
	info   *tenant.Info
	email  string
	flash  *flash
	tenant *manage.TenantResult // the tenant in the path, once loaded
	// back is where a failed form returns (default: the request path).
	back string
}

// flash is one message carried across a 303 to the next page, sealed in a
// short-lived cookie. A new client secret travels this way so that it is
// shown once and never lands in a URL or a log.
type flash struct {
	Error   string            `json:"e,omitempty"`
	Field   string            `json:"f,omitempty"`
	Notice  string            `json:"n,omitempty"`
	Form    map[string]string `json:"v,omitempty"`
	Secret  string            `json:"s,omitempty"`
	ForPath string            `json:"p,omitempty"` // the page the flash is for
	Items   []string          `json:"w,omitempty"` // warnings (contrast)
}

const flashTTL = 2 * time.Minute

// maxFlashJSON keeps the sealed, base64url flash cookie under 4 KB.
const maxFlashJSON = 2800

// view is what every admin template sees.
type view struct {
	Title   string
	Section string // the active tab
	Email   string
	Tenant  *manage.TenantResult
	Flash   *flash
	Data    any
	Nonce   string
	CSS, JS string

	csrf   string
	secure bool
}

// CSRF returns the form's anti-forgery value.
func (v *view) CSRF() string { return v.csrf }

// CSRFField is the hidden field's name.
func (v *view) CSRFField() string { return httpx.CSRFField }

// Val returns the value the user submitted for name (after a failed form)
// or def.
func (v *view) Val(name, def string) string {
	if v.Flash != nil && v.Flash.Form != nil {
		if s, ok := v.Flash.Form[name]; ok {
			return s
		}
	}
	return def
}

// FieldError returns the error message for field name, or "".
func (v *view) FieldError(name string) string {
	if v.Flash != nil && v.Flash.Field == name {
		return v.Flash.Error
	}
	return ""
}

// GeneralError is a failed form's message that belongs to no field shown.
func (v *view) GeneralError() string {
	if v.Flash == nil || v.Flash.Error == "" {
		return ""
	}
	return v.Flash.Error
}

// Is reports whether the active tab is s.
func (v *view) Is(s string) bool { return v.Section == s }

// TenantPath is a link under the current tenant.
func (v *view) TenantPath(p string) string {
	if v.Tenant == nil {
		return "/admin/tenants"
	}
	return "/admin/tenants/" + v.Tenant.ID + p
}

// session authenticates r: a sealed session cookie with an access token
// that still verifies, whose subject is an active administrator.
func (h *Handler) session(r *http.Request, info *tenant.Info) (context.Context, string, []string, bool) {
	var s sessionState
	if !h.readSealed(r, info, sessionCookie, &s) {
		return nil, "", nil, false
	}
	c, err := h.verifyAccess(r.Context(), info, s.AccessToken)
	if err != nil {
		return nil, "", nil, false
	}
	a, err := h.o.Manage.AdminActor(r.Context(), c.Subject)
	if err != nil {
		return nil, "", nil, false
	}
	a.RequestID = httpx.RequestID(r.Context())
	a.ClientIP = h.o.Proxies.ClientIP(r)
	return manage.WithActor(r.Context(), a), s.Email, strings.Fields(c.Scope), true
}

// errScope answers a request whose token lacks the route's scope.
var errScope = &httpx.PageError{Status: http.StatusForbidden, Title: "Not allowed", Message: "Your sign-in does not allow this. Sign out and sign in again."}

// page wraps a GET handler: an unauthenticated browser is sent to sign in.
func (h *Handler) page(scope string, fn func(*call) error) http.Handler {
	return h.adminOnly(func(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
		ctx, email, scopes, ok := h.session(r, info)
		if !ok {
			clearCookie(w, info, sessionCookie)
			http.Redirect(w, r, signInURL(r), http.StatusSeeOther)
			return nil
		}
		if !slices.Contains(scopes, scope) {
			return errScope
		}
		c := &call{w: w, r: r, ctx: ctx, info: info, email: email}
		var f flash
		if h.readSealed(r, info, flashCookie, &f) && f.ForPath == r.URL.Path {
			c.flash = &f
		}
		if c.flash != nil || hasCookie(r, cookieName(info, flashCookie)) {
			clearCookie(w, info, flashCookie)
		}
		return fn(c)
	})
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

// form wraps a POST handler: the CSRF check comes first (a forged request
// changes nothing and gets 403), then the session. fn returns where to go
// next; every outcome answers 303 See Other, a validation or permission
// failure with a flash on the form's page.
func (h *Handler) form(scope string, fn func(*call) (string, error)) http.Handler {
	return h.adminOnly(func(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
		if err := httpx.CheckCSRF(r); err != nil {
			return err
		}
		ctx, email, scopes, ok := h.session(r, info)
		if !ok {
			http.Redirect(w, r, signInURL(r), http.StatusSeeOther)
			return nil
		}
		if !slices.Contains(scopes, scope) {
			return errScope
		}
		c := &call{w: w, r: r, ctx: ctx, info: info, email: email, back: r.URL.Path}
		next, err := fn(c)
		var ve *idp.ValidationError
		switch {
		case err == nil:
		case errors.As(err, &ve):
			next = c.back
			h.setFlash(c, next, &flash{Error: ve.Message, Field: ve.Field, Form: formValues(r)})
		case errors.Is(err, idp.ErrForbidden):
			next = c.back
			h.setFlash(c, next, &flash{Error: "Your role in this account does not allow changes.", Form: formValues(r)})
		default:
			return err
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	})
}

// setFlash stores f for the page at path.
func (h *Handler) setFlash(c *call, path string, f *flash) {
	f.ForPath = path
	// A cookie over ~4 KB is dropped by browsers without a word: give up
	// refilling the form rather than the message.
	if b, err := json.Marshal(f); err == nil && len(b) > maxFlashJSON {
		f.Form = nil
	}
	if err := h.setSealed(c.w, c.info, flashCookie, f, flashTTL); err != nil {
		h.o.Log.ErrorContext(c.r.Context(), "admin: flash not set", "err", err)
	}
}

// formValues keeps the submitted single values (no CSRF token, no files)
// to refill a form after an error.
func formValues(r *http.Request) map[string]string {
	out := map[string]string{}
	for k, vs := range r.PostForm {
		if k == httpx.CSRFField || len(vs) == 0 || len(vs[0]) > 2000 {
			continue
		}
		out[k] = strings.Join(vs, "\n")
	}
	return out
}

// show renders an admin page for c.
func (h *Handler) show(c *call, name, title, section string, data any) error {
	v := &view{Title: title, Section: section, Email: c.email, Tenant: c.tenant, Flash: c.flash, Data: data,
		csrf: httpx.CSRFToken(c.w, c.r), secure: c.info.Secure}
	return h.pages.render(c.w, http.StatusOK, name, v)
}

// loadTenant loads the tenant named in the path (404 when the caller
// cannot see it: manage decides).
func (h *Handler) loadTenant(c *call) error {
	t, err := h.o.Manage.GetTenant(c.ctx, c.r.PathValue("tenant"))
	if err != nil {
		return err
	}
	c.tenant = t
	return nil
}

// fail writes err: pages get the hosted error page, with the right status.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, errSignIn) {
		// The page says only that it failed; the reason is for operators.
		h.o.Log.WarnContext(r.Context(), "admin: sign-in failed", "request_id", httpx.RequestID(r.Context()), "err", err)
	}
	var ve *idp.ValidationError
	if errors.As(err, &ve) {
		err = &httpx.PageError{Status: http.StatusBadRequest, Title: "Invalid request", Message: ve.Error()}
	}
	httpx.WriteError(w, r, err)
}

// home sends the administrator to the tenant list.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, _ *tenant.Info) error {
	http.Redirect(w, r, "/admin/tenants", http.StatusSeeOther)
	return nil
}

// signedOut confirms the sign-out.
func (h *Handler) signedOut(w http.ResponseWriter, r *http.Request, info *tenant.Info) error {
	v := &view{Title: "Signed out", csrf: "", secure: info.Secure}
	return h.pages.render(w, http.StatusOK, "signed_out", v)
}
