package secret

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"math/big"
)

// Source produces random bytes. Production uses crypto/rand; tests may
// inject a deterministic reader.
type Source struct{ R io.Reader }

// Default is crypto/rand.
var Default = Source{R: rand.Reader}

func (s Source) reader() io.Reader {
	if s.R == nil {
		return rand.Reader
	}
	return s.R
}

// Bytes returns n random bytes.
func (s Source) Bytes(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.reader(), b); err != nil {
		return nil, fmt.Errorf("secret: random: %w", err)
	}
	return b, nil
}

// Token returns a base64url (unpadded) string of n random bytes. 32 bytes
// give 256 bits, above the 128 bits RFC 6749 §10.10 asks for.
func (s Source) Token(n int) (string, error) {
	b, err := s.Bytes(n)
	if err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// ID returns a prefixed random identifier such as "usr_3f9c…" (16 bytes, hex).
func (s Source) ID(prefix string) (string, error) {
	b, err := s.Bytes(16)
	if err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}

// PIN returns a uniformly random decimal PIN of the given length.
func (s Source) PIN(digits int) (string, error) {
	max := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(digits)), nil)
	n, err := rand.Int(s.reader(), max)
	if err != nil {
		return "", fmt.Errorf("secret: pin: %w", err)
	}
	return fmt.Sprintf("%0*d", digits, n), nil
}

// Hash returns the hex SHA-256 of s. Only for high-entropy secrets: it is
// not a password hash.
func Hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// HashBytes returns the raw SHA-256 of s.
func HashBytes(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// Equal compares two byte slices in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
