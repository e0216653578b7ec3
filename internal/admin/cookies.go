package admin

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/authalla/authalla/internal/tenant"
)

// Cookie names (before the __Secure- prefix of an https issuer). All are
// HttpOnly, SameSite=Lax and scoped to Path=/admin/.
const (
	sessionCookie = "authalla_admin"       // the sealed access token
	flowCookie    = "authalla_admin_login" // state, nonce and PKCE verifier of a sign-in
	flashCookie   = "authalla_admin_flash" // one message (or a new secret) for the next page
	cookiePath    = "/admin/"
)

// cookieName prefixes base with __Secure- on an https issuer (RFC 6265bis
// §4.1.3.1: the browser then only accepts it with Secure).
func cookieName(info *tenant.Info, base string) string {
	if info.Secure {
		return "__Secure-" + base
	}
	return base
}

// sealedAD binds a sealed cookie to its name and issuer, so a value cannot
// be replayed as another cookie or on another admin host.
func sealedAD(info *tenant.Info, name string) []byte {
	return []byte("authalla-admin|" + name + "|" + info.Issuer)
}

// setSealed stores v, sealed, in cookie base for maxAge.
func (h *Handler) setSealed(w http.ResponseWriter, info *tenant.Info, base string, v any, maxAge time.Duration) error {
	plain, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("admin: cookie %s: %w", base, err)
	}
	sealed, err := h.o.Sealer.Seal(plain, sealedAD(info, base))
	if err != nil {
		return fmt.Errorf("admin: seal cookie %s: %w", base, err)
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(info, base), Value: base64.RawURLEncoding.EncodeToString(sealed),
		Path: cookiePath, MaxAge: int(maxAge.Seconds()), HttpOnly: true, Secure: info.Secure, SameSite: http.SameSiteLaxMode,
	})
	return nil
}

// readSealed opens cookie base into v; false when it is absent or does not
// open (tampered, another key, another issuer).
func (h *Handler) readSealed(r *http.Request, info *tenant.Info, base string, v any) bool {
	c, err := r.Cookie(cookieName(info, base))
	if err != nil || c.Value == "" || len(c.Value) > 8192 {
		return false
	}
	sealed, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return false
	}
	plain, err := h.o.Sealer.Open(sealed, sealedAD(info, base))
	if err != nil {
		return false
	}
	return json.Unmarshal(plain, v) == nil
}

// clearCookie removes cookie base.
func clearCookie(w http.ResponseWriter, info *tenant.Info, base string) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName(info, base), Value: "", Path: cookiePath, MaxAge: -1,
		HttpOnly: true, Secure: info.Secure, SameSite: http.SameSiteLaxMode,
	})
}
