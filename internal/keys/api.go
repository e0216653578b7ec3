package keys

import (
	"context"
	"errors"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
)

// Options configure a Manager.
type Options struct {
	Store  store.SigningKeys
	Sealer *secret.Sealer
	Clock  idp.Clock
	Random secret.Source
	// JWKSMaxAge is the Cache-Control max-age of the JWKS; a staged key is
	// published at least this long before it signs (default 5 min).
	JWKSMaxAge time.Duration
	// Retention keeps a retired key published after its last use: at least
	// the longest token lifetime plus clock skew (default 24 h).
	Retention time.Duration
	// CacheTTL bounds how long a process serves and signs from its cached
	// copy of a tenant's keys before re-reading the store (default 30 s).
	// Publish and retention delays are lengthened by it, so that every
	// replica sees a key before it signs and after its last signature.
	CacheTTL time.Duration
	// MaxTenants bounds how many tenants' keys are cached at once (least
	// recently used are evicted first; default 10000).
	MaxTenants int
	// Cache counts the key cache's hits and misses (nil: not counted).
	Cache cachestat.Recorder
	// VerifiedTokens bounds how many verified access tokens Verify
	// remembers (verified.go; default DefaultVerifiedTokens, negative:
	// none, every call verifies the signature).
	VerifiedTokens int
	// VerifiedCache counts that cache's hits and misses (nil: not counted).
	VerifiedCache cachestat.Recorder
	// OnChange is told of the changes Maintain makes on its own (a
	// staged key activated on schedule, a retired key removed), so that
	// other nodes and this process's other caches drop the tenant's keys
	// at once instead of after their cache TTL. Changes made through
	// manage are announced by manage. Nil: nobody is told.
	OnChange func(idp.Change)
}

// Verified is a JWT whose signature checked out against one of the
// tenant's published keys.
type Verified struct {
	KeyID   string
	Alg     string
	Type    string // the `typ` header, e.g. "at+jwt" or "JWT"
	Payload []byte // the JSON claims, not yet validated (exp, iss, aud are the caller's)

	memo memoSlot // the first decoding by Claims
}

// RotateResult reports what Rotate did.
type RotateResult struct {
	Staged    *idp.SigningKey // the key staged by this call, if any
	Activated *idp.SigningKey // the key that became active, if any
	Retired   *idp.SigningKey // the key that was retired, if any
}

// ErrNoKey means the tenant has no active signing key.
var ErrNoKey = errors.New("keys: tenant has no active signing key")

// ErrRotationPending means a staged key exists that has not yet been
// published long enough (JWKSMaxAge) to start signing; run the rotation
// again later, or rotate immediately. Errors carrying it also match
// idp.ErrConflict.
var ErrRotationPending = errors.New("keys: a staged key is not yet published long enough")

// ErrInvalidToken means a JWT failed verification; the wrapped text says
// why for logs, never for clients.
var ErrInvalidToken = errors.New("keys: invalid token")

// Signer is what the protocol layer needs to mint tokens.
type Signer interface {
	// Sign serialises claims (any JSON-marshalable value) as a compact JWS
	// with the tenant's active key, header `typ` = typ and `kid` set.
	Sign(ctx context.Context, tenantID, typ string, claims any) (string, error)
}

// Verifier is what the protocol layer needs to check our own JWTs
// (access tokens at UserInfo, id_token_hint at logout).
type Verifier interface {
	// Verify checks a compact JWS against the tenant's published keys only:
	// the alg must be the key's, `none` and HMAC are refused, and tokens
	// carrying `crit`, `jwk`, `jku`, `x5u` or `x5c` headers are rejected.
	Verify(ctx context.Context, tenantID, token string) (*Verified, error)
}

// Publisher serves the public keys.
type Publisher interface {
	// JWKS returns the tenant's public JWK Set as JSON: every staged,
	// active and not-yet-removed retired key.
	JWKS(ctx context.Context, tenantID string) ([]byte, error)
}
