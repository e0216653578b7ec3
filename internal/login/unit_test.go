package login

import (
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"alice@example.com", "alice@example.com"},
		{"  Alice@Example.COM \n", "alice@example.com"},
		{"first.last+tag@sub.example.org", "first.last+tag@sub.example.org"},
		{"admin@localhost", "admin@localhost"},
		{"", ""},
		{"alice", ""},
		{"@example.com", ""},
		{"alice@", ""},
		{"a@b@example.com", ""},
		{"Alice <alice@example.com>", ""},
		{"alice@example.com (comment)", ""},
		{"al ice@example.com", ""},
		{"alice@example.com\r\nBcc: x@y.z", ""},
		{"alice@[127.0.0.1]", ""},
		{"alice@.example.com", ""},
		{"alice@example..com", ""},
		{strings.Repeat("a", 65) + "@example.com", ""},
		{"a@" + strings.Repeat("b", 250) + ".com", ""},
		{"\"quoted\"@example.com", ""}, // quoted local parts are refused
	}
	for _, tc := range tests {
		if got := normalizeEmail(tc.in); got != tc.want {
			t.Errorf("normalizeEmail(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestCleanName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"  Bob   Builder ", "Bob Builder"},
		{"Zoë\u00a0Ångström", "Zoë Ångström"},
		{"Eve\x00\x1b[31m", "Eve[31m"},
		{"Line\nBreak", "LineBreak"},
		{strings.Repeat("x", 300), strings.Repeat("x", 100)},
	}
	for _, tc := range tests {
		if got := cleanName(tc.in); got != tc.want {
			t.Errorf("cleanName(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestNormalizePIN(t *testing.T) {
	tests := []struct{ in, want string }{
		{"123456", "123456"},
		{"123 456", "123456"},
		{"123-456", "123456"},
		{"012345", "012345"},
		{"12345", ""},
		{"1234567", ""},
		{"12345a", ""},
		{"١٢٣٤٥٦", ""}, // non-ASCII digits
		{"", ""},
	}
	for _, tc := range tests {
		if got := normalizePIN(tc.in); got != tc.want {
			t.Errorf("normalizePIN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	clock := idp.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := newLimiter(clock, Limit{Max: 2, Window: time.Minute}, 3)
	for i := 0; i < 2; i++ {
		if ok, _ := l.allow("a"); !ok {
			t.Fatalf("event %d refused", i)
		}
	}
	ok, retry := l.allow("a")
	if ok || retry != time.Minute {
		t.Fatalf("third event: ok=%v retry=%v", ok, retry)
	}
	if ok, _ := l.allow("b"); !ok {
		t.Fatal("another key is limited")
	}
	clock.Advance(time.Minute) // the window ends exactly here
	if ok, _ := l.allow("a"); !ok {
		t.Fatal("limit did not reset")
	}
	// Bounded: more keys than maxKeys never grow the table past it.
	for _, k := range []string{"c", "d", "e", "f", "g"} {
		l.allow(k)
		if len(l.keys) > 3 {
			t.Fatalf("%d keys, bound 3", len(l.keys))
		}
	}
	off := newLimiter(clock, Limit{Max: -1}, 3)
	for i := 0; i < 10; i++ {
		if ok, _ := off.allow("x"); !ok {
			t.Fatal("disabled limiter refused")
		}
	}
}
