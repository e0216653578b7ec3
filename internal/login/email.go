package login

import (
	"net/mail"
	"strings"
	"unicode/utf8"
)

// maxEmailLen is the longest address accepted (RFC 5321 §4.5.3.1.3 path
// limit less the angle brackets).
const maxEmailLen = 254

// normalizeEmail trims and lower-cases an address and checks that it is a
// bare addr-spec (RFC 5322 §3.4.1): no display name, no comments, exactly
// one "@", a non-empty local part of at most 64 octets and a domain. It
// returns "" when the address is not acceptable.
func normalizeEmail(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > maxEmailLen || !utf8.ValidString(s) {
		return ""
	}
	for _, c := range s {
		if c < 0x21 || c == 0x7f {
			return ""
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return ""
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || domain == "" || strings.Contains(domain, "@") {
		return ""
	}
	if strings.HasPrefix(domain, "[") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return ""
	}
	return s
}

// cleanName trims a display name, collapses inner whitespace and drops
// control characters; it caps the length at 100 characters.
func cleanName(s string) string {
	var b strings.Builder
	space := false
	for _, c := range strings.TrimSpace(s) {
		switch {
		case c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0):
			continue
		case c == ' ' || c == '\t' || c == '\u00a0':
			space = true
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(c)
		if utf8.RuneCountInString(b.String()) >= 100 {
			break
		}
	}
	return b.String()
}
