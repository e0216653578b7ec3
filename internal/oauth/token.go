package oauth

import (
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// tokenResponse is a successful token response (RFC 6749 §5.1; the
// id_token member is OIDC Core §3.1.3.3).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	Scope        string `json:"scope,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// handleToken serves POST /oauth2/token (RFC 6749 §3.2). The grant type is
// checked first (unknown and removed grants such as `password` and
// `implicit` are unsupported_grant_type, RFC 9700 §2.4), then the client
// authenticates, then its type must allow the grant (unauthorized_client),
// then the grant runs. Every response is JSON and never cached.
func (p *Provider) handleToken(w http.ResponseWriter, r *http.Request) (err error) {
	var grantType string
	var resp *tokenResponse
	defer func() { p.countToken(grantType, resp, err) }()
	if err := rejectQuery(r); err != nil {
		return err
	}
	form, err := readPostForm(w, r)
	if err != nil {
		return err
	}
	grantType = form.Get("grant_type")
	switch grantType {
	case "":
		return oauthError(oauthInvalidRequest, "grant_type is required.")
	case idp.GrantAuthorizationCode, idp.GrantRefreshToken, idp.GrantClientCredentials:
	default:
		return oauthError(oauthUnsupportedGrantType, "The grant type is not supported.")
	}
	client, err := p.authenticateClient(w, r, form, true)
	if err != nil {
		return err
	}
	if !client.Type.AllowsGrant(grantType) {
		return oauthError(oauthUnauthorizedClient, "The client is not allowed to use this grant type.")
	}
	switch grantType {
	case idp.GrantAuthorizationCode:
		resp, err = p.grantAuthorizationCode(r, form, client)
	case idp.GrantRefreshToken:
		resp, err = p.grantRefreshToken(r, form, client)
	case idp.GrantClientCredentials:
		resp, err = p.grantClientCredentials(r, form, client)
	}
	if err != nil {
		return err
	}
	writeTokenResponse(w, resp)
	return nil
}

// tokenHandler is handleToken as an http.Handler.
func (p *Provider) tokenHandler() http.Handler { return httpx.Handle(p.handleToken) }
