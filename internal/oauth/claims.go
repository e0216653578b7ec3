package oauth

import (
	"slices"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// accessTokenClaims are the claims of our JWT access tokens (RFC 9068 §2.2,
// PRODUCT §3). auth_time is present for tokens issued to a user.
type accessTokenClaims struct {
	Issuer    string       `json:"iss"`
	Subject   string       `json:"sub"`
	Audience  idp.Audience `json:"aud"`
	Expiry    int64        `json:"exp"`
	IssuedAt  int64        `json:"iat"`
	NotBefore int64        `json:"nbf"`
	JTI       string       `json:"jti"`
	TenantID  string       `json:"tid"`
	ClientID  string       `json:"client_id"`
	Scope     string       `json:"scope,omitempty"`
	AuthTime  int64        `json:"auth_time,omitempty"`
}

// scopes returns the token's scope as a list.
func (c *accessTokenClaims) scopes() []string { return strings.Fields(c.Scope) }

// userToken reports whether the token was issued to a user (through the
// authorization code or a refresh) rather than to a client acting for
// itself (client_credentials, whose sub is the client id).
func (c *accessTokenClaims) userToken() bool { return c.AuthTime != 0 }

// profileClaims are the standard claims released per scope (OIDC Core
// §5.4): profile gives name, picture and updated_at; email gives email
// and email_verified. Empty values are left out (OIDC Core §5.3.2).
type profileClaims struct {
	Name          string `json:"name,omitempty"`
	Picture       string `json:"picture,omitempty"`
	UpdatedAt     int64  `json:"updated_at,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified *bool  `json:"email_verified,omitempty"`
}

// userProfileClaims returns the claims of u that scope releases.
func userProfileClaims(u *idp.User, scope []string) profileClaims {
	var pc profileClaims
	if slices.Contains(scope, scopeProfile) {
		pc.Name = u.Name
		pc.Picture = u.Picture
		if !u.UpdatedAt.IsZero() {
			pc.UpdatedAt = u.UpdatedAt.Unix()
		}
	}
	if slices.Contains(scope, scopeEmail) && u.Email != "" {
		pc.Email = u.Email
		verified := u.EmailVerified
		pc.EmailVerified = &verified
	}
	return pc
}

// idTokenClaims are the claims of an ID token (OIDC Core §2, §5.1). aud is
// the client id alone, so azp is not needed (§2).
type idTokenClaims struct {
	Issuer   string   `json:"iss"`
	Subject  string   `json:"sub"`
	Audience string   `json:"aud"`
	Expiry   int64    `json:"exp"`
	IssuedAt int64    `json:"iat"`
	AuthTime int64    `json:"auth_time"`
	Nonce    string   `json:"nonce,omitempty"`
	SID      string   `json:"sid,omitempty"`
	AMR      []string `json:"amr,omitempty"`
	profileClaims
}

// userInfoResponse is the UserInfo answer (OIDC Core §5.3.2): sub, the
// same as in the ID token, plus the claims the token's scope releases.
type userInfoResponse struct {
	Subject string `json:"sub"`
	profileClaims
}

// tenantTTL turns a tenant setting in seconds into a duration, using def
// when the setting is not positive.
func tenantTTL(seconds, def int) time.Duration {
	if seconds <= 0 {
		seconds = def
	}
	return time.Duration(seconds) * time.Second
}
