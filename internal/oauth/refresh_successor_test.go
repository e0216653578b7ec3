package oauth

import (
	"bytes"
	"encoding/base64"
	"testing"
)

// TestDeriveSuccessor: a successor depends on the key, the tenant and the
// presented token, and has the size and encoding of a random refresh
// token.
func TestDeriveSuccessor(t *testing.T) {
	key := bytes.Repeat([]byte{1}, 32)
	base := deriveSuccessor(key, "ten_a", "token-t")
	raw, err := base64.RawURLEncoding.DecodeString(base)
	if err != nil || len(raw) != refreshTokenBytes {
		t.Fatalf("successor %q: %d bytes (%v), want %d base64url bytes", base, len(raw), err, refreshTokenBytes)
	}
	if again := deriveSuccessor(key, "ten_a", "token-t"); again != base {
		t.Fatal("the same token gave two successors")
	}
	for _, tc := range []struct {
		name              string
		key               []byte
		tenant, presented string
	}{
		{"other key", bytes.Repeat([]byte{2}, 32), "ten_a", "token-t"},
		{"other tenant", key, "ten_b", "token-t"},
		{"other token", key, "ten_a", "token-u"},
		{"boundary moved", key, "ten_a\x00token", "t"},
		{"successor's successor", key, "ten_a", base},
	} {
		if got := deriveSuccessor(tc.key, tc.tenant, tc.presented); got == base {
			t.Errorf("%s: same successor", tc.name)
		}
	}
}
