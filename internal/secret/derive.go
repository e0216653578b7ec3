package secret

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// DeriveKey derives a 32-byte subkey of the master key for one purpose,
// named by label (HKDF-SHA256, RFC 5869, with label as the info). Distinct
// labels give independent keys, so a key used for one purpose (say, the
// MAC of refresh-token successors) reveals nothing about the master key or
// about the keys of other purposes.
func DeriveKey(master []byte, label string) ([]byte, error) {
	if len(master) != 32 {
		return nil, fmt.Errorf("secret: derive %q: master key needs 32 bytes, got %d", label, len(master))
	}
	k, err := hkdf.Key(sha256.New, master, nil, label, 32)
	if err != nil {
		return nil, fmt.Errorf("secret: derive %q: %w", label, err)
	}
	return k, nil
}
