package oauth

import (
	"strings"
	"testing"
)

func TestValidDisplayName(t *testing.T) {
	tests := map[string]bool{
		"Ada Lovelace":           true,
		"Zoë 山田":                 true,
		"x":                      true,
		strings.Repeat("é", 200): true,
		strings.Repeat("é", 201): false,
		"":                       false,
		"tab\there":              false,
		"new\nline":              false,
		"nul\x00":                false,
		"bidi\u202eoverride":     false,
		"zero\u200bwidth":        false,
		"bad \xff utf8":          false,
	}
	for name, want := range tests {
		if err := validDisplayName(name); (err == nil) != want {
			t.Errorf("validDisplayName(%q) = %v, want ok=%v", name, err, want)
		}
	}
}
