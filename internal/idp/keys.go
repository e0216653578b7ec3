package idp

import "time"

// KeyState is where a signing key is in its staged rotation.
type KeyState string

// Signing key states: a key is published before it signs, and stays
// published after it stops signing until every token it signed has expired.
const (
	KeyStaged  KeyState = "staged"  // in the JWKS, not yet signing
	KeyActive  KeyState = "active"  // signs new tokens (one per tenant)
	KeyRetired KeyState = "retired" // in the JWKS until RemoveAfter
)

// SigningKey is a tenant's signing key. The private key is stored encrypted
// with the install's master key.
type SigningKey struct {
	TenantID    string
	ID          string // the JWK `kid`, unique across the install
	Alg         string
	State       KeyState
	PrivateEnc  []byte // encrypted PKCS#8 DER
	PublicJWK   []byte // JSON of the public JWK
	CreatedAt   time.Time
	ActivatedAt *time.Time
	RetiredAt   *time.Time
	RemoveAfter *time.Time // a retired key leaves the JWKS after this
}

// AuditEvent records a management change or a sign-in outcome. It never
// carries secrets.
type AuditEvent struct {
	TenantID   string
	ID         string
	Time       time.Time
	ActorType  string // "user", "client", "system", "cli"
	ActorID    string
	Action     string // e.g. "client.create"
	ObjectType string
	ObjectID   string
	Outcome    string // "success" or "failure"
	RequestID  string
	ClientIP   string
	Details    map[string]string
}

// AuditQuery filters an audit listing.
type AuditQuery struct {
	Action  string
	ActorID string
	Since   *time.Time
	Until   *time.Time
	Page
}
