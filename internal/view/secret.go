package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// Secret is a stored client secret: its id and last four characters,
// never its value (only a hash is kept).
type Secret struct {
	ID        string     `json:"id"`
	Hint      string     `json:"hint" jsonschema:"The last four characters of the secret."`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// NewSecrets shows stored secrets in the order given; none is [].
func NewSecrets(ss []idp.ClientSecret) []Secret {
	out := make([]Secret, len(ss))
	for i, s := range ss {
		out[i] = Secret{ID: s.ID, Hint: s.Hint, CreatedAt: s.CreatedAt, ExpiresAt: s.ExpiresAt}
	}
	return out
}
