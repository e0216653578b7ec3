package keys

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
)

// Defaults for the zero values of Options.
const (
	DefaultJWKSMaxAge = 5 * time.Minute
	DefaultRetention  = 24 * time.Hour
	DefaultCacheTTL   = 30 * time.Second
	// DefaultMaxTenants matches the tenant resolver's cache
	// (tenant.DefaultCacheSize): an install whose traffic is spread over
	// all of its 10,000 tenants keeps every key set in memory, instead of
	// evicting one on nearly every request at 10,001.
	DefaultMaxTenants = 20000
)

// minReload is the shortest interval between two store reads caused by
// tokens whose kid is not in the cache, so that random kids cannot turn
// every verification into a database query.
const minReload = 2 * time.Second

// Manager creates, rotates, publishes and uses the tenants' signing keys.
// It satisfies Signer, Verifier and Publisher and is safe for concurrent use.
type Manager struct {
	store      store.SigningKeys
	sealer     *secret.Sealer
	clock      idp.Clock
	random     secret.Source
	jwksMaxAge time.Duration
	retention  time.Duration
	cacheTTL   time.Duration
	cache      *cache
	verified   *verifiedCache
	onChange   func(idp.Change)
}

var (
	_ Signer    = (*Manager)(nil)
	_ Verifier  = (*Manager)(nil)
	_ Publisher = (*Manager)(nil)
)

// New builds a Manager. Store and Sealer are required (New panics without
// them: that is a wiring bug, not a runtime condition); every other zero
// option takes its default.
func New(o Options) *Manager {
	if o.Store == nil || o.Sealer == nil {
		panic("keys: New needs a Store and a Sealer")
	}
	m := &Manager{
		store:      o.Store,
		sealer:     o.Sealer,
		clock:      o.Clock,
		random:     o.Random,
		jwksMaxAge: o.JWKSMaxAge,
		retention:  o.Retention,
		cacheTTL:   o.CacheTTL,
		onChange:   o.OnChange,
	}
	if m.clock == nil {
		m.clock = idp.SystemClock{}
	}
	if m.jwksMaxAge <= 0 {
		m.jwksMaxAge = DefaultJWKSMaxAge
	}
	if m.retention <= 0 {
		m.retention = DefaultRetention
	}
	if m.cacheTTL <= 0 {
		m.cacheTTL = DefaultCacheTTL
	}
	maxTenants := o.MaxTenants
	if maxTenants <= 0 {
		maxTenants = DefaultMaxTenants
	}
	m.cache = newCache(maxTenants)
	m.cache.stats = cachestat.Or(o.Cache)
	verifiedMax := o.VerifiedTokens
	if verifiedMax == 0 {
		verifiedMax = DefaultVerifiedTokens
	}
	m.verified = newVerifiedCache(verifiedMax, cachestat.Or(o.VerifiedCache))
	return m
}

// JWKSMaxAge is the Cache-Control max-age the JWKS endpoint should send.
func (m *Manager) JWKSMaxAge() time.Duration { return m.jwksMaxAge }

// publishDelay is how long a staged key is published before it may sign:
// the JWKS max-age (relying parties' caches) plus our own cache TTL (other
// replicas may serve a JWKS read up to one TTL before the key was staged).
func (m *Manager) publishDelay() time.Duration { return m.jwksMaxAge + m.cacheTTL }

// retainFor is how long a retired key stays published after it stopped
// signing: the configured retention plus one cache TTL, because another
// replica may keep signing with its cached copy for up to that long.
func (m *Manager) retainFor() time.Duration { return m.retention + m.cacheTTL }

// Invalidate drops the cached keys that ch names (the change bus's
// contract, idp.Change): keys change with ChangeKeys, and with
// ChangeTenant (a new signing algorithm rotates them, a deleted tenant
// takes them along); a change naming no tenant drops every tenant's. The
// next use reads the store.
func (m *Manager) Invalidate(ch idp.Change) {
	if !ch.Covers(idp.ChangeKeys, ch.TenantID) && !ch.Covers(idp.ChangeTenant, ch.TenantID) {
		return
	}
	if ch.TenantID == "" {
		m.cache.invalidateAll()
		m.verified.dropTenant("")
		return
	}
	m.invalidate(ch.TenantID)
}

// invalidate drops the cached keys of tenantID after this manager changed
// them; the next use reads the store.
// Its verified tokens go too (verified.go): a hit is checked against the
// current keys anyway, so this only frees the memory early.
func (m *Manager) invalidate(tenantID string) {
	m.cache.invalidate(tenantID)
	m.verified.dropTenant(tenantID)
}
