package oauth

import (
	"net/http"
	"strconv"
)

// AppendJSON appends the introspection response as encoding/json writes
// the struct: the members in the struct's order, every one but active
// left out when empty (omitempty), aud a string for one audience and an
// array otherwise (idp.Audience). The answer is written on every
// introspection, so it skips reflection; TestIntrospectionAppendJSON holds
// it to encoding/json's bytes.
func (r *introspection) AppendJSON(dst []byte) []byte {
	if r.Active {
		dst = append(dst, `{"active":true`...)
	} else {
		dst = append(dst, `{"active":false`...)
	}
	dst = appendStringMember(dst, "scope", r.Scope)
	dst = appendStringMember(dst, "client_id", r.ClientID)
	dst = appendStringMember(dst, "sub", r.Subject)
	if len(r.Audience) > 0 {
		dst = append(dst, `,"aud":`...)
		dst = appendAudience(dst, r.Audience)
	}
	dst = appendStringMember(dst, "iss", r.Issuer)
	dst = appendIntMember(dst, "exp", r.Expiry)
	dst = appendIntMember(dst, "iat", r.IssuedAt)
	dst = appendIntMember(dst, "nbf", r.NotBefore)
	dst = appendStringMember(dst, "jti", r.JTI)
	dst = appendStringMember(dst, "token_type", r.TokenType)
	dst = appendStringMember(dst, "tid", r.TenantID)
	return append(dst, '}')
}

// appendStringMember appends ,"name":value unless value is empty. name
// is a constant that needs no escaping.
func appendStringMember(dst []byte, name, value string) []byte {
	if value == "" {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return appendJSONString(dst, value)
}

// appendIntMember appends ,"name":value unless value is 0.
func appendIntMember(dst []byte, name string, value int64) []byte {
	if value == 0 {
		return dst
	}
	dst = append(dst, ',', '"')
	dst = append(dst, name...)
	dst = append(dst, '"', ':')
	return strconv.AppendInt(dst, value, 10)
}

// writeIntrospection writes r as writeNoStoreJSON would: 200, no-store,
// application/json, the document and a newline (json.Encoder's).
func writeIntrospection(w http.ResponseWriter, r *introspection) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	b := r.AppendJSON(make([]byte, 0, 512))
	_, _ = w.Write(append(b, '\n'))
}
