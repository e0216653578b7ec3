package oauth

import (
	"net/http"
	"strconv"
	"sync"
)

// Header values of every token response, shared by all responses: the
// server never modifies a value slice in place, and Header.Set replaces
// the slice rather than writing into it.
var (
	jsonContentType = []string{"application/json"}
	noStore         = []string{"no-store"}
	noCache         = []string{"no-cache"}
)

// writeTokenResponse writes a successful token response (RFC 6749 §5.1):
// 200, JSON, and Cache-Control no-store and Pragma no-cache. Its body is
// byte for byte what writeNoStoreJSON writes for resp (json.Encoder
// output: json.Marshal's bytes and a newline), without the reflection.
func writeTokenResponse(w http.ResponseWriter, resp *tokenResponse) {
	h := w.Header()
	h["Cache-Control"] = noStore
	h["Pragma"] = noCache
	h["Content-Type"] = jsonContentType
	w.WriteHeader(http.StatusOK)
	bp := responseBuffers.Get().(*[]byte)
	buf := append(resp.appendJSON((*bp)[:0]), '\n')
	_, _ = w.Write(buf) // Write does not keep buf (http.ResponseWriter)
	if cap(buf) <= maxPooledResponse {
		*bp = buf
		responseBuffers.Put(bp)
	}
}

// responseBuffers recycles the buffers token responses are encoded into,
// as encoding/json recycles its own; maxPooledResponse keeps an unusually
// large answer from being held.
var responseBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

const maxPooledResponse = 16 << 10

// appendJSON appends resp as json.Marshal writes it: the members in the
// struct's order, empty optional members left out.
func (resp *tokenResponse) appendJSON(dst []byte) []byte {
	dst = append(dst, `{"access_token":`...)
	dst = appendJSONString(dst, resp.AccessToken)
	dst = append(dst, `,"token_type":`...)
	dst = appendJSONString(dst, resp.TokenType)
	dst = append(dst, `,"expires_in":`...)
	dst = strconv.AppendInt(dst, resp.ExpiresIn, 10)
	if resp.Scope != "" {
		dst = append(dst, `,"scope":`...)
		dst = appendJSONString(dst, resp.Scope)
	}
	if resp.IDToken != "" {
		dst = append(dst, `,"id_token":`...)
		dst = appendJSONString(dst, resp.IDToken)
	}
	if resp.RefreshToken != "" {
		dst = append(dst, `,"refresh_token":`...)
		dst = appendJSONString(dst, resp.RefreshToken)
	}
	return append(dst, '}')
}
