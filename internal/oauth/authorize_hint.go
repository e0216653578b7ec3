package oauth

import (
	"context"
	"encoding/json"
	"slices"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// idTokenHintSubject verifies an id_token_hint (OIDC Core §3.1.2.1) and
// returns its sub. The token must be one of our ID tokens for this client:
// signed by a key this tenant publishes, with iss equal to this issuer and
// aud holding the client. An expired token is acceptable: the hint only
// names a user. Anything else is invalid_request, so an ID token of another
// tenant (or an access token) is refused.
func (p *Provider) idTokenHintSubject(ctx context.Context, info *tenant.Info, client *idp.Client, hint string) (string, error) {
	invalid := errAuthz(errInvalidRequest, "The id_token_hint is not a valid ID token issued to this client.")
	if len(hint) > maxIDTokenHint {
		return "", invalid
	}
	v, err := p.keys.Verify(ctx, info.Tenant.ID, hint)
	if err != nil {
		return "", invalid
	}
	if v.Type != "" && v.Type != "JWT" {
		return "", invalid // e.g. an at+jwt access token (RFC 9068 §2.1)
	}
	var c struct {
		Iss string          `json:"iss"`
		Sub string          `json:"sub"`
		Aud json.RawMessage `json:"aud"`
	}
	if err := json.Unmarshal(v.Payload, &c); err != nil || c.Iss != info.Issuer || c.Sub == "" {
		return "", invalid
	}
	if !audienceHas(c.Aud, client.ID) {
		return "", invalid
	}
	return c.Sub, nil
}

// audienceHas reports whether a JWT aud claim (a string or an array of
// strings, RFC 7519 §4.1.3) contains want.
func audienceHas(raw json.RawMessage, want string) bool {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return one == want
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return slices.Contains(many, want)
	}
	return false
}
