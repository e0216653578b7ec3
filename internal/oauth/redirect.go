package oauth

import (
	"net/url"
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

// ValidateRedirectURI checks a redirect URI before a client of type
// clientType may register it (RFC 6749 §3.1.2, RFC 9700 §2.1 and §4.1,
// RFC 8252 §7). It requires an absolute URI without fragment, userinfo or
// wildcard; https, except http on a loopback host literal (127.0.0.1, [::1],
// localhost); native clients may also use private-use schemes such as
// "com.example.app:/cb" (RFC 8252 §7.1). Script, data and file schemes are
// always refused. The error is an *idp.ValidationError on field
// "redirect_uris" and never echoes the URI.
func ValidateRedirectURI(raw string, clientType idp.ClientType) error {
	bad := func(msg string) error { return idp.Invalid("redirect_uris", msg) }
	if clientType == idp.ClientBackend {
		return bad("backend clients use client_credentials and have no redirect URIs")
	}
	if raw == "" {
		return bad("a redirect URI must not be empty")
	}
	if len(raw) > 2000 {
		return bad("a redirect URI must be at most 2000 characters")
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= 0x20 || c >= 0x7f || c == '\\' {
			return bad("a redirect URI must be printable ASCII without spaces or backslashes")
		}
	}
	if strings.Contains(raw, "#") {
		return bad("a redirect URI must not contain a fragment (RFC 6749 §3.1.2)")
	}
	if strings.Contains(raw, "*") {
		return bad("a redirect URI must not contain wildcards")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return bad("a redirect URI must be an absolute URI")
	}
	if raw[:len(u.Scheme)] != u.Scheme {
		return bad("a redirect URI's scheme must be lower-case")
	}
	if forbiddenSchemes[u.Scheme] {
		return bad("this scheme is not allowed in a redirect URI")
	}
	if u.User != nil || strings.Contains(u.Host, "@") {
		return bad("a redirect URI must not contain userinfo")
	}
	if hasDotSegment(u.Path) || hasDotSegment(u.Opaque) {
		return bad("a redirect URI must not contain . or .. path segments")
	}
	switch u.Scheme {
	case "https":
		if u.Opaque != "" || u.Host == "" || u.Hostname() == "" {
			return bad("an https redirect URI must name a host")
		}
		if u.Port() == "" && strings.HasSuffix(u.Host, ":") {
			return bad("a redirect URI must not have an empty port")
		}
		return nil
	case "http":
		if _, _, ok := splitLoopback(raw); !ok {
			return bad("http is only allowed on loopback hosts (127.0.0.1, [::1], localhost); use https")
		}
		return nil
	}
	if clientType != idp.ClientNative {
		return bad("only native clients may use a private-use URI scheme; use https")
	}
	// RFC 8252 §7.1: a private-use scheme names the app; the URI after it
	// is the app's own business, but it must still be a usable target.
	if u.Opaque == "" && u.Host == "" && u.Path == "" {
		return bad("a private-use redirect URI needs a path")
	}
	return nil
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
