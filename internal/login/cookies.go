package login

import (
	"encoding/base64"
	"net/http"

	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// Cookie names before issuer prefixes (tenant.Info.CookieName).
const (
	// preloginCookie binds a PIN to the browser that asked for it: the
	// challenge stores the SHA-256 of its value. It is not a session and
	// never becomes one (ASVS 7.2.4).
	preloginCookie = "authalla_prelogin"
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

// clearLoginCookies removes the pre-login binding once a sign-in completed.
func (h *Handler) clearLoginCookies(w http.ResponseWriter, r *http.Request, info *tenant.Info) {
	for _, base := range []string{preloginCookie} {
		if _, err := r.Cookie(info.CookieName(base)); err == nil {
			h.setCookie(w, info, base, "", -1)
		}
	}
}
