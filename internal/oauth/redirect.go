package oauth

import (
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// matchRedirectURI reports whether got may receive authorization responses
// for client. The comparison is exact string equality against each
// registered URI (RFC 9700 §2.1, §4.1.3; OAuth 2.1 §2.3.1): nothing is
// normalised, so case changes, trailing slashes, percent-encoding, dot
// segments, userinfo, added ports or fragments all fail.
//
// The one exception is RFC 8252 §7.3: for native clients whose registered
// URI is http on a loopback host literal, the port may differ, because the
// app picks an ephemeral port at run time. Scheme, host literal, path and
// query must still be identical, and a registered 127.0.0.1 never matches
// localhost (or the reverse).
func matchRedirectURI(client *idp.Client, got string) bool {
	for _, reg := range client.RedirectURIs {
		if got == reg {
			return true
		}
		if client.Type == idp.ClientNative && loopbackPortMatch(reg, got) {
			return true
		}
	}
	return false
}

// loopbackHosts are the host literals that RFC 8252 §7.3 and PRODUCT §3
// treat as loopback.
var loopbackHosts = []string{"127.0.0.1", "[::1]", "localhost"}

// splitLoopback splits an http loopback URI into its host literal and the
// rest after the authority (path and query). It works on the raw string so
// that nothing is normalised; ok is false for anything else, including
// userinfo, a fragment, an empty or non-numeric port.
func splitLoopback(s string) (host, rest string, ok bool) {
	const prefix = "http://"
	if !strings.HasPrefix(s, prefix) {
		return "", "", false
	}
	s = s[len(prefix):]
	authority := s
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		authority, rest = s[:i], s[i:]
	}
	if strings.Contains(rest, "#") {
		return "", "", false
	}
	for _, h := range loopbackHosts {
		if !strings.HasPrefix(authority, h) {
			continue
		}
		port := authority[len(h):]
		if port == "" || (port[0] == ':' && validPort(port[1:])) {
			return h, rest, true
		}
		return "", "", false
	}
	return "", "", false
}

// validPort reports whether p is a decimal port 1–65535 without leading
// zeros.
func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n <= 65535
}

// loopbackPortMatch reports whether reg and got are http URIs on the same
// loopback host literal, differing at most in the port (RFC 8252 §7.3).
func loopbackPortMatch(reg, got string) bool {
	rh, rr, ok := splitLoopback(reg)
	if !ok {
		return false
	}
	gh, gr, ok := splitLoopback(got)
	return ok && rh == gh && rr == gr
}

// forbiddenSchemes can execute script, read local files or embed content;
// they are never acceptable redirect targets.
var forbiddenSchemes = map[string]bool{
	"javascript": true, "data": true, "file": true, "vbscript": true,
	"blob": true, "about": true, "filesystem": true,
}

// hasDotSegment reports whether path (decoded, so %2e%2e counts) has a "."
// or ".." segment, which servers resolve differently and so has no place
// in an exact-match URI (RFC 3986 §5.2.4).
func hasDotSegment(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
