package login

import (
	"encoding/base64"
	"net/http"
	"net/url"

	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// Cookie names before issuer prefixes (tenant.Info.CookieName).
const (
	// preloginCookie binds a PIN to the browser that asked for it: the
	// challenge stores the SHA-256 of its value. It is not a session and
	// never becomes one (ASVS 7.2.4).
	preloginCookie = "authalla_prelogin"
	// signupCookie carries the name typed on the sign-up form to the moment
	// the account is created, bound to the address it was typed with.
	signupCookie = "authalla_signup"
)

// preloginMaxAge outlives the PIN (10 minutes) with room for a resend.
const preloginMaxAge = 3600

func (h *Handler) setCookie(w http.ResponseWriter, info *tenant.Info, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name: info.CookieName(base), Value: value, Path: info.CookiePath(), MaxAge: maxAge,
		HttpOnly: true, Secure: info.Secure, SameSite: http.SameSiteLaxMode,
	})
}

// browserValue returns the pre-login cookie's value if the browser holds a
// well-formed one.
func browserValue(r *http.Request, info *tenant.Info) string {
	c, err := r.Cookie(info.CookieName(preloginCookie))
	if err != nil || len(c.Value) != 43 {
		return ""
	}
	if _, err := base64.RawURLEncoding.DecodeString(c.Value); err != nil {
		return ""
	}
	return c.Value
}

// browserBinding returns the hash to store in a new challenge, reusing the
// browser's pre-login cookie or setting a new one (256 random bits).
func (h *Handler) browserBinding(w http.ResponseWriter, r *http.Request, info *tenant.Info) (string, error) {
	v := browserValue(r, info)
	if v == "" {
		var err error
		if v, err = h.random.Token(32); err != nil {
			return "", err
		}
	}
	h.setCookie(w, info, preloginCookie, v, preloginMaxAge)
	return secret.Hash(v), nil
}

// sameBrowser reports, in constant time, whether the request comes from the
// browser a challenge was bound to.
func sameBrowser(r *http.Request, info *tenant.Info, browserHash string) bool {
	v := browserValue(r, info)
	if v == "" || browserHash == "" {
		return false
	}
	return secret.Equal([]byte(secret.Hash(v)), []byte(browserHash))
}

// setSignupName remembers the name typed for email on this browser.
func (h *Handler) setSignupName(w http.ResponseWriter, info *tenant.Info, email, name string) {
	v := url.Values{"e": {email}, "n": {name}}.Encode()
	h.setCookie(w, info, signupCookie, base64.RawURLEncoding.EncodeToString([]byte(v)), preloginMaxAge)
}

// signupName returns the name this browser typed for email, or "".
func signupName(r *http.Request, info *tenant.Info, email string) string {
	c, err := r.Cookie(info.CookieName(signupCookie))
	if err != nil || len(c.Value) > 1024 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return ""
	}
	v, err := url.ParseQuery(string(b))
	if err != nil || v.Get("e") != email {
		return ""
	}
	return cleanName(v.Get("n"))
}

// clearLoginCookies removes the pre-login binding and sign-up name once a
// sign-in completed.
func (h *Handler) clearLoginCookies(w http.ResponseWriter, r *http.Request, info *tenant.Info) {
	for _, base := range []string{preloginCookie, signupCookie} {
		if _, err := r.Cookie(info.CookieName(base)); err == nil {
			h.setCookie(w, info, base, "", -1)
		}
	}
}
