package manage

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// forbiddenSchemes can run code or read local data in the user agent and
// are never redirect targets (RFC 9700 §4.1; RFC 8252 §7.1 allows only
// private-use schemes in reverse-domain form, claimed https and loopback).
var forbiddenSchemes = map[string]bool{
	"javascript": true, "data": true, "file": true, "vbscript": true,
	"blob": true, "about": true, "filesystem": true, "view-source": true,
	"jar": true, "mailto": true, "tel": true, "sms": true, "ftp": true,
	"ws": true, "wss": true, "chrome": true, "resource": true,
}

// ValidateRedirectURI checks a redirect or post-logout redirect URI at
// registration. It is the one registration validator; the protocol layer
// only matches requests against what passed here. Rules:
//   - at most 2000 characters, no whitespace or control characters, no `\`;
//   - an absolute URI (RFC 6749 §3.1.2) with no fragment, not even an
//     empty `#` (RFC 6749 §3.1.2; OIDC Registration §2);
//   - no userinfo and no wildcard `*` (RFC 9700 §4.1.3: exact matching);
//   - `https` with a host; `http` only on a loopback host (127.0.0.1,
//     [::1] or localhost, RFC 8252 §7.3);
//   - private-use schemes (`com.example.app:/cb`, RFC 8252 §7.1) only for
//     native clients; javascript:, data:, file:, vbscript: and other
//     active or local schemes never;
//   - no `.` or `..` path segments, so the registered string is the path
//     a browser will request.
//
// The error is a *idp.ValidationError for field.
func ValidateRedirectURI(field string, typ idp.ClientType, raw string) error {
	bad := func(why string) error { return idp.Invalid(field, fmt.Sprintf("%q: %s", clip(raw), why)) }
	if raw == "" {
		return idp.Invalid(field, "empty URI")
	}
	if len(raw) > maxURILen {
		return idp.Invalid(field, fmt.Sprintf("longer than %d characters", maxURILen))
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= 0x20 || c >= 0x7f {
			return bad("must not contain spaces, control or non-ASCII characters (percent-encode them)")
		}
	}
	if strings.Contains(raw, "#") {
		return bad("must not contain a fragment")
	}
	if strings.Contains(raw, "*") {
		return bad("wildcards are not allowed")
	}
	if strings.Contains(raw, `\`) {
		return bad("must not contain a backslash")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return bad("not a valid URI")
	}
	if u.Scheme == "" {
		return bad("must be an absolute URI")
	}
	scheme := strings.ToLower(u.Scheme)
	if raw[:len(scheme)] != scheme {
		return bad("the scheme must be lower-case")
	}
	if u.User != nil || strings.Contains(authority(raw), "@") {
		return bad("must not contain user information")
	}
	if forbiddenSchemes[scheme] {
		return bad("this scheme is not allowed")
	}
	if hasDotSegment(u.EscapedPath()) {
		return bad("must not contain . or .. path segments")
	}
	switch scheme {
	case "https":
		if u.Host == "" || u.Hostname() == "" || u.Opaque != "" {
			return bad("must have a host")
		}
		if p := u.Port(); p != "" && !validPort(p) {
			return bad("invalid port")
		}
		if strings.HasSuffix(u.Host, ":") {
			return bad("empty port")
		}
		if strings.Contains(u.Hostname(), "%") {
			return bad("the host must not be percent-encoded")
		}
		return nil
	case "http":
		if u.Host == "" || u.Opaque != "" {
			return bad("must have a host")
		}
		if !isLoopbackRedirectHost(u.Hostname()) {
			return bad("http is allowed only on a loopback host (127.0.0.1, [::1] or localhost); use https")
		}
		if p := u.Port(); p != "" && !validPort(p) {
			return bad("invalid port")
		}
		if strings.HasSuffix(u.Host, ":") {
			return bad("empty port")
		}
		return nil
	}
	// A private-use URI scheme (RFC 8252 §7.1).
	if typ != idp.ClientNative {
		return bad("custom schemes are allowed only for native clients; use https")
	}
	if u.Host == "" && u.Opaque == "" && u.Path == "" {
		return bad("must have a path")
	}
	return nil
}

// isLoopbackRedirectHost: the loopback names RFC 8252 §7.3 and §8.3 admit,
// in their canonical spelling only (no IPv4-mapped or expanded forms, so
// the registered string is what the request-time matcher expects).
func isLoopbackRedirectHost(h string) bool {
	return h == "127.0.0.1" || h == "::1" || strings.EqualFold(h, "localhost")
}

// authority returns the raw authority component of raw, or "".
func authority(raw string) string {
	i := strings.Index(raw, "://")
	if i < 0 {
		return ""
	}
	rest := raw[i+3:]
	if j := strings.IndexAny(rest, "/?#"); j >= 0 {
		rest = rest[:j]
	}
	return rest
}

// hasDotSegment reports whether an escaped path contains "." or ".."
// segments, also percent-encoded (%2e).
func hasDotSegment(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		s := strings.ToLower(strings.ReplaceAll(strings.ToLower(seg), "%2e", "."))
		if s == "." || s == ".." {
			return true
		}
	}
	return false
}

// clip shortens a URI quoted in an error message.
func clip(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}

// validRedirectURIs checks and de-duplicates a list of URIs for typ.
func validRedirectURIs(field string, typ idp.ClientType, in []string) ([]string, error) {
	if len(in) > maxListItems {
		return nil, idp.Invalid(field, fmt.Sprintf("at most %d URIs", maxListItems))
	}
	out := make([]string, 0, len(in))
	for _, u := range in {
		if err := ValidateRedirectURI(field, typ, u); err != nil {
			return nil, err
		}
		if !contains(out, u) {
			out = append(out, u)
		}
	}
	return out, nil
}
