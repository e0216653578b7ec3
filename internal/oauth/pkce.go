package oauth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
)

// pkceS256 is the only code_challenge_method we accept: "plain" offers no
// protection against a leaked authorization request (RFC 9700 §2.1.1).
const pkceS256 = "S256"

// validCodeChallenge reports whether c can be an S256 code challenge: the
// unpadded base64url encoding of a SHA-256 digest, hence exactly 43
// characters (RFC 7636 §4.2) in canonical encoding.
func validCodeChallenge(c string) bool {
	if len(c) != 43 {
		return false
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(c)
	return err == nil && len(b) == sha256.Size
}

// validCodeVerifier reports whether v is 43–128 characters of the
// unreserved set [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~"
// (RFC 7636 §4.1).
func validCodeVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z', 'a' <= c && c <= 'z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~':
		default:
			return false
		}
	}
	return true
}

// verifyPKCE checks a token request's code_verifier against the challenge
// stored with the authorization code (RFC 7636 §4.6). Only S256 passes; the
// verifier must be well formed; the comparison is constant time. An empty
// challenge never verifies: the token endpoint must itself refuse a
// verifier sent for a code issued without a challenge (PKCE downgrade,
// RFC 9700 §4.8) and accept no verifier for such a code.
func verifyPKCE(challenge, method, verifier string) bool {
	if method != pkceS256 || challenge == "" || !validCodeVerifier(verifier) {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	want := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(want), []byte(challenge)) == 1
}
