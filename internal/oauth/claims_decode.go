package oauth

import (
	"github.com/authalla/authalla/internal/flatjson"
	"github.com/authalla/authalla/internal/idp"
)

// DecodeClaims reads the JSON written by AppendJSON (or json.Marshal) of
// an access token's claims without reflection (keys.ClaimsDecoder). It
// reports false, leaving c partly set, at anything it does not read as
// encoding/json would: a member it does not know (encoding/json matches
// names case-insensitively), a member written twice, a value
// flatjson.Walk leaves to encoding/json. keys.Claims then decodes the
// same bytes with encoding/json.
func (c *accessTokenClaims) DecodeClaims(payload []byte) bool {
	var seen uint16
	return flatjson.Walk(payload, func(name string, v flatjson.Value) bool {
		bit, ok := accessClaimBits[name]
		if !ok || seen&bit != 0 {
			return false
		}
		seen |= bit
		switch name {
		case "iss":
			c.Issuer, ok = v.Text()
		case "sub":
			c.Subject, ok = v.Text()
		case "aud":
			if s, one := v.Text(); one {
				c.Audience = idp.Audience{s}
			} else {
				c.Audience, ok = v.Strings()
			}
		case "exp":
			c.Expiry, ok = v.Int()
		case "iat":
			c.IssuedAt, ok = v.Int()
		case "nbf":
			c.NotBefore, ok = v.Int()
		case "jti":
			c.JTI, ok = v.Text()
		case "tid":
			c.TenantID, ok = v.Text()
		case "client_id":
			c.ClientID, ok = v.Text()
		case "scope":
			c.Scope, ok = v.Text()
		case "auth_time":
			c.AuthTime, ok = v.Int()
		}
		return ok
	})
}

// accessClaimBits gives each member of accessTokenClaims a bit, to refuse
// a member written twice.
var accessClaimBits = map[string]uint16{
	"iss": 1 << 0, "sub": 1 << 1, "aud": 1 << 2, "exp": 1 << 3, "iat": 1 << 4, "nbf": 1 << 5,
	"jti": 1 << 6, "tid": 1 << 7, "client_id": 1 << 8, "scope": 1 << 9, "auth_time": 1 << 10,
}
