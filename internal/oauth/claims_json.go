package oauth

import (
	"strconv"

	"github.com/authalla/authalla/internal/idp"
)

// AppendJSON appends the claims set as json.Marshal writes it: the
// members in the struct's order, scope and auth_time left out when empty
// (RFC 9068 §2.2), aud a string for one audience and an array otherwise
// (idp.Audience). keys.Sign uses it instead of encoding/json (see
// json_append.go); the tests hold the two to the same bytes.
func (c *accessTokenClaims) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"iss":`...)
	dst = appendJSONString(dst, c.Issuer)
	dst = append(dst, `,"sub":`...)
	dst = appendJSONString(dst, c.Subject)
	dst = append(dst, `,"aud":`...)
	dst = appendAudience(dst, c.Audience)
	dst = append(dst, `,"exp":`...)
	dst = strconv.AppendInt(dst, c.Expiry, 10)
	dst = append(dst, `,"iat":`...)
	dst = strconv.AppendInt(dst, c.IssuedAt, 10)
	dst = append(dst, `,"nbf":`...)
	dst = strconv.AppendInt(dst, c.NotBefore, 10)
	dst = append(dst, `,"jti":`...)
	dst = appendJSONString(dst, c.JTI)
	dst = append(dst, `,"tid":`...)
	dst = appendJSONString(dst, c.TenantID)
	dst = append(dst, `,"client_id":`...)
	dst = appendJSONString(dst, c.ClientID)
	if c.Scope != "" {
		dst = append(dst, `,"scope":`...)
		dst = appendJSONString(dst, c.Scope)
	}
	if c.AuthTime != 0 {
		dst = append(dst, `,"auth_time":`...)
		dst = strconv.AppendInt(dst, c.AuthTime, 10)
	}
	return append(dst, '}')
}

// appendAudience appends a as idp.Audience.MarshalJSON writes it.
func appendAudience(dst []byte, a idp.Audience) []byte {
	if len(a) == 1 {
		return appendJSONString(dst, a[0])
	}
	return appendJSONStrings(dst, a)
}
