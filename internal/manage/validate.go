package manage

import (
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authalla/authalla/internal/idp"
)

// Limits on free-text and list inputs.
const (
	maxNameLen   = 100
	maxListItems = 100
	maxURILen    = 2000
	maxEmailLen  = 254 // RFC 5321 §4.5.3.1.3 path limit
	maxScopeLen  = 200
)

// validName trims s and checks it is 1..max characters of printable text.
func validName(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return "", idp.Invalid(field, "required")
	}
	if n > max {
		return "", idp.Invalid(field, fmt.Sprintf("at most %d characters", max))
	}
	if !utf8.ValidString(s) {
		return "", idp.Invalid(field, "not valid UTF-8")
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return "", idp.Invalid(field, "must not contain control characters")
		}
	}
	return s, nil
}

// validScopeToken checks one scope value: RFC 6749 §3.3 scope-token =
// 1*( %x21 / %x23-5B / %x5D-7E ), i.e. printable ASCII without space, `"`
// and `\`.
func validScopeToken(s string) bool {
	if s == "" || len(s) > maxScopeLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// validScopes checks and de-duplicates a list of scope tokens, keeping order.
func validScopes(field string, in []string) ([]string, error) {
	if len(in) > maxListItems {
		return nil, idp.Invalid(field, fmt.Sprintf("at most %d scopes", maxListItems))
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if !validScopeToken(s) {
			return nil, idp.Invalid(field, fmt.Sprintf("%q is not a valid scope (RFC 6749 §3.3)", s))
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

// normalizeEmail lower-cases and checks an email address: a bare
// addr-spec (RFC 5322 §3.4.1) with a domain, no display name.
func normalizeEmail(field, s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", idp.Invalid(field, "required")
	}
	if len(s) > maxEmailLen {
		return "", idp.Invalid(field, fmt.Sprintf("at most %d characters", maxEmailLen))
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return "", idp.Invalid(field, "not a valid email address")
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " <>") {
		return "", idp.Invalid(field, "not a valid email address")
	}
	return s, nil
}

// normalizeOrigin checks a browser origin, scheme://host[:port] (RFC 6454
// §4), https or http on a loopback host, and returns it lower-cased.
func normalizeOrigin(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", idp.Invalid(field, fmt.Sprintf("%q is not an origin (scheme://host[:port])", s))
	}
	if u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.Contains(s, "#") || strings.Contains(s, "?") {
		return "", idp.Invalid(field, fmt.Sprintf("%q must be scheme://host[:port] with no path, query or credentials", s))
	}
	if strings.Contains(s, "*") {
		return "", idp.Invalid(field, "wildcards are not allowed")
	}
	scheme := strings.ToLower(u.Scheme)
	switch {
	case scheme == "https":
	case scheme == "http" && isLoopbackHost(u.Hostname()):
	default:
		return "", idp.Invalid(field, fmt.Sprintf("%q must use https (http only on a loopback host)", s))
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return "", idp.Invalid(field, fmt.Sprintf("%q has an invalid port", s))
	}
	return scheme + "://" + strings.ToLower(u.Host), nil
}

// validOrigins checks and de-duplicates origins.
func validOrigins(field string, in []string) ([]string, error) {
	if len(in) > maxListItems {
		return nil, idp.Invalid(field, fmt.Sprintf("at most %d origins", maxListItems))
	}
	out := make([]string, 0, len(in))
	seen := map[string]bool{}
	for _, o := range in {
		n, err := normalizeOrigin(field, o)
		if err != nil {
			return nil, err
		}
		if !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	return out, nil
}

// validPort reports whether p is a decimal port 1..65535.
func validPort(p string) bool {
	if len(p) == 0 || len(p) > 5 {
		return false
	}
	n := 0
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
		n = n*10 + int(p[i]-'0')
	}
	return n >= 1 && n <= 65535
}

// applyList returns base with add appended (skipping duplicates) and
// remove taken out; replace, when not nil, replaces base first.
func applyList(base []string, replace *[]string, add, remove []string) []string {
	out := append([]string(nil), base...)
	if replace != nil {
		out = append([]string(nil), (*replace)...)
	}
	for _, a := range add {
		if !contains(out, a) {
			out = append(out, a)
		}
	}
	if len(remove) > 0 {
		kept := out[:0]
		for _, x := range out {
			if !contains(remove, x) {
				kept = append(kept, x)
			}
		}
		out = kept
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// clampPage bounds a listing page: default 50, at most 200 items.
func clampPage(p idp.Page) (idp.Page, error) {
	if p.Limit < 0 {
		return p, idp.Invalid("limit", "must not be negative")
	}
	if p.Offset < 0 {
		return p, idp.Invalid("offset", "must not be negative")
	}
	if p.Limit == 0 {
		p.Limit = 50
	}
	if p.Limit > 200 {
		p.Limit = 200
	}
	return p, nil
}

// isLoopbackHost reports whether host is localhost, a *.localhost name
// (RFC 6761 §6.3: always loopback) or a loopback IP literal.
func isLoopbackHost(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
