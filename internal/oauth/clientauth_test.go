package oauth

import (
	"encoding/base64"
	"net/url"
	"testing"
)

func TestParseBasicAuth(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name, header, id, secret string
		ok                       bool
	}{
		{"plain", "Basic " + b64("app-web:s3cret"), "app-web", "s3cret", true},
		{"scheme is case-insensitive", "basic " + b64("app-web:s3cret"), "app-web", "s3cret", true},
		// RFC 6749 §2.3.1: both parts are form-urlencoded before Basic.
		{"form-urlencoded parts", "Basic " + b64(url.QueryEscape("a:b c")+":"+url.QueryEscape("p%:+ &")), "a:b c", "p%:+ &", true},
		{"plus is a space", "Basic " + b64("a+b:c+d"), "a b", "c d", true},
		{"colon in secret kept", "Basic " + b64("id:x:y"), "id", "x:y", true},
		{"empty secret", "Basic " + b64("id:"), "id", "", true},
		{"no colon", "Basic " + b64("idonly"), "", "", false},
		{"empty id", "Basic " + b64(":secret"), "", "", false},
		{"bad base64", "Basic !!!", "", "", false},
		{"bad escape", "Basic " + b64("%zz:secret"), "", "", false},
		{"bearer scheme", "Bearer abc", "", "", false},
		{"no credentials", "Basic", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, sec, ok := parseBasicAuth(tt.header)
			if ok != tt.ok || (ok && (id != tt.id || sec != tt.secret)) {
				t.Fatalf("parseBasicAuth(%q) = %q, %q, %v; want %q, %q, %v", tt.header, id, sec, ok, tt.id, tt.secret, tt.ok)
			}
		})
	}
}

// FuzzParseBasicAuth checks that any header parses without panicking and
// that every id and secret survive the RFC 6749 §2.3.1 encoding.
func FuzzParseBasicAuth(f *testing.F) {
	f.Add("app-web", "s3cret")
	f.Add("a:b c", "p%:+ &")
	f.Add("", "")
	f.Add("é", "\x00")
	f.Fuzz(func(t *testing.T, id, sec string) {
		raw := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(sec)))
		gotID, gotSec, ok := parseBasicAuth("Basic " + raw)
		if ok != (id != "") || (ok && (gotID != id || gotSec != sec)) {
			t.Fatalf("round trip of %q/%q gave %q/%q ok=%v", id, sec, gotID, gotSec, ok)
		}
		_, _, _ = parseBasicAuth(id + " " + sec) // arbitrary input must not panic
	})
}
