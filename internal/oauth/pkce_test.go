package oauth

import (
	"strings"
	"testing"
)

// RFC 7636 Appendix B example.
const (
	rfcVerifier  = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	rfcChallenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
)

func TestVerifyPKCE(t *testing.T) {
	tests := []struct {
		name                        string
		challenge, method, verifier string
		want                        bool
	}{
		{"rfc 7636 appendix b", rfcChallenge, "S256", rfcVerifier, true},
		{"wrong verifier", rfcChallenge, "S256", strings.Replace(rfcVerifier, "d", "e", 1), false},
		{"plain method", rfcVerifier, "plain", rfcVerifier, false},
		{"empty method", rfcChallenge, "", rfcVerifier, false},
		{"lower-case method", rfcChallenge, "s256", rfcVerifier, false},
		{"no challenge (downgrade)", "", "S256", rfcVerifier, false},
		{"no verifier", rfcChallenge, "S256", "", false},
		{"verifier too short", rfcChallenge, "S256", rfcVerifier[:42], false},
		{"verifier too long", rfcChallenge, "S256", strings.Repeat("a", 129), false},
		{"verifier outside unreserved set", rfcChallenge, "S256", rfcVerifier[:42] + "+", false},
		{"verifier with space", rfcChallenge, "S256", rfcVerifier[:42] + " ", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := verifyPKCE(tt.challenge, tt.method, tt.verifier); got != tt.want {
				t.Errorf("verifyPKCE = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidCodeVerifier(t *testing.T) {
	for _, n := range []int{43, 64, 128} {
		if !validCodeVerifier(strings.Repeat("A-._~z9", 20)[:n]) {
			t.Errorf("length %d refused", n)
		}
	}
	for _, v := range []string{"", strings.Repeat("a", 42), strings.Repeat("a", 129), strings.Repeat("a", 42) + "=", strings.Repeat("a", 42) + "é"} {
		if validCodeVerifier(v) {
			t.Errorf("%q accepted", v)
		}
	}
}

func TestValidCodeChallenge(t *testing.T) {
	tests := []struct {
		c    string
		want bool
	}{
		{rfcChallenge, true},
		{rfcChallenge[:42], false},
		{rfcChallenge + "A", false},
		{rfcChallenge[:42] + "+", false},
		{rfcChallenge[:42] + "=", false},
		{rfcChallenge[:42] + "N", false}, // non-zero trailing bits: not a canonical encoding
		{rfcVerifier, true},              // 43 base64url characters that decode to 32 bytes
		{"", false},
	}
	for _, tt := range tests {
		if got := validCodeChallenge(tt.c); got != tt.want {
			t.Errorf("validCodeChallenge(%q) = %v, want %v", tt.c, got, tt.want)
		}
	}
}
