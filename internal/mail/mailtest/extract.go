package mailtest

import (
	"regexp"
	"strings"
)

// ExtractPIN returns the first standalone 6-digit number in text (a
// whitespace-separated word of exactly six digits, trailing punctuation
// allowed), or "" if there is none.
func ExtractPIN(text string) string {
	for _, w := range strings.Fields(text) {
		w = strings.TrimRight(w, ".,;:!?)")
		w = strings.TrimLeft(w, "(")
		if len(w) == 6 && strings.Trim(w, "0123456789") == "" {
			return w
		}
	}
	return ""
}

var urlPattern = regexp.MustCompile(`https?://[^\s<>"'()]+`)

// ExtractLink returns the first http(s) URL in text whose path contains
// "/oauth2/", or "" if there is none.
func ExtractLink(text string) string {
	for _, u := range urlPattern.FindAllString(text, -1) {
		u = strings.TrimRight(u, ".,;:!?")
		if strings.Contains(u, "/oauth2/") {
			return u
		}
	}
	return ""
}
