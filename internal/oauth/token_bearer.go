package oauth

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// bearerError is an RFC 6750 §3 error: the status, the JSON body and a
// WWW-Authenticate challenge naming the error code (and, for
// insufficient_scope, the scope needed).
func bearerError(status int, code, description, scope string) error {
	challenge := `Bearer error="` + code + `"`
	if scope != "" {
		challenge += `, scope="` + scope + `"`
	}
	return &httpx.OAuthError{Code: code, Description: description, Status: status, WWWAuthenticate: challenge}
}

// invalidTokenError is the one answer for a missing, malformed, expired,
// revoked or foreign access token (RFC 6750 §3.1; SECURITY-TESTS 6).
func invalidTokenError() error {
	return bearerError(http.StatusUnauthorized, "invalid_token", "The access token is missing, invalid, expired or revoked.", "")
}

// bearerToken returns the access token of a protected-resource request:
// from the Authorization header (RFC 6750 §2.1) or, when allowBody, from a
// form-encoded POST body (§2.2). A token in the URI query (§2.3) is
// refused: URIs are logged and leak through Referer (RFC 9700 §4.3.2).
// More than one method at once is an invalid_request (§2).
func bearerToken(w http.ResponseWriter, r *http.Request, allowBody bool) (string, error) {
	if r.URL.Query().Has("access_token") {
		return "", bearerError(http.StatusBadRequest, oauthInvalidRequest, "The access token must not be sent in the URI.", "")
	}
	var fromHeader, fromBody string
	switch hs := r.Header.Values("Authorization"); len(hs) {
	case 0:
	case 1:
		scheme, tok, _ := strings.Cut(hs[0], " ")
		if !strings.EqualFold(scheme, "Bearer") || !validB64Token(tok) {
			return "", invalidTokenError()
		}
		fromHeader = tok
	default:
		return "", bearerError(http.StatusBadRequest, oauthInvalidRequest, "Send one Authorization header.", "")
	}
	if allowBody && r.Method == http.MethodPost {
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err == nil && mt == "application/x-www-form-urlencoded" {
			form, err := readPostForm(w, r)
			if err != nil {
				return "", err
			}
			fromBody = form.Get("access_token")
		}
	}
	switch {
	case fromHeader != "" && fromBody != "":
		return "", bearerError(http.StatusBadRequest, oauthInvalidRequest, "Send the access token by one method only.", "")
	case fromHeader != "":
		return fromHeader, nil
	case fromBody != "":
		return fromBody, nil
	}
	return "", invalidTokenError()
}

// validB64Token reports whether s matches RFC 6750 §2.1 b64token:
// 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
func validB64Token(s string) bool {
	if s == "" {
		return false
	}
	body := strings.TrimRight(s, "=")
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}

// bearerUser authenticates a request to a user endpoint (UserInfo,
// PUT /oauth2/me): a live access token of this tenant (verifyAccessToken)
// issued to a user who still exists and is active, with openid in its
// scope (OIDC Core §5.3: UserInfo needs an OpenID Connect token; otherwise
// insufficient_scope, RFC 6750 §3.1).
func (p *Provider) bearerUser(ctx context.Context, info *tenant.Info, raw string) (*accessTokenClaims, *idp.User, error) {
	c, err := p.verifyAccessToken(ctx, info, raw)
	if errors.Is(err, errAccessTokenInvalid) {
		return nil, nil, invalidTokenError()
	}
	if err != nil {
		return nil, nil, internalFailure(ctx, "bearer: verify", err)
	}
	if !c.userToken() {
		return nil, nil, invalidTokenError()
	}
	u, err := p.store.GetUser(ctx, info.Tenant.ID, c.Subject)
	if errors.Is(err, idp.ErrNotFound) {
		return nil, nil, invalidTokenError()
	}
	if err != nil {
		return nil, nil, internalFailure(ctx, "bearer: get user", err)
	}
	if u.Status != idp.UserActive {
		return nil, nil, invalidTokenError()
	}
	if !slices.Contains(c.scopes(), scopeOpenID) {
		return nil, nil, bearerError(http.StatusForbidden, "insufficient_scope", "The access token lacks the openid scope.", scopeOpenID)
	}
	return c, u, nil
}
