package oauth

import (
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/tenant"
)

// handleUserInfo serves GET and POST /oauth2/userinfo (OIDC Core §5.3):
// the claims of the token's user that its scope releases (§5.4), with the
// same sub as the ID token. Token failures are 401 invalid_token with a
// Bearer challenge (RFC 6750 §3).
func (p *Provider) handleUserInfo(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	raw, err := bearerToken(w, r, true)
	if err != nil {
		return err
	}
	c, u, err := p.bearerUser(ctx, info, raw)
	if err != nil {
		return err
	}
	writeNoStoreJSON(w, http.StatusOK, userInfoResponse{Subject: u.ID, profileClaims: userProfileClaims(u, c.scopes())})
	return nil
}

// userInfoHandler is handleUserInfo as an http.Handler.
func (p *Provider) userInfoHandler() http.Handler { return httpx.Handle(p.handleUserInfo) }
