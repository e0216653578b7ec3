package oauth

import (
	"net/http"
	"slices"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/metrics/cachestat"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/session"
	"github.com/authalla/authalla/internal/store"
)

// KeyService is what the protocol layer needs from the key manager.
type KeyService interface {
	keys.Signer
	keys.Verifier
	keys.Publisher
}

// Options configure a Provider.
type Options struct {
	Store    store.Store
	Keys     KeyService
	Sessions *session.Manager
	Clock    idp.Clock
	Random   secret.Source
	// JWKSMaxAge is the Cache-Control max-age of the JWKS, in seconds.
	JWKSMaxAge int
	// DerivedResources are resource servers derived from the issuer
	// (derived.go); nil means none.
	DerivedResources DerivedResources
	// Registrar stores dynamically registered clients; with it the admin
	// tenant serves RFC 7591 registration (register.go). nil: no
	// registration anywhere.
	Registrar Registrar
	// Proxies are the peers trusted to report the client address (for
	// the registration rate limit).
	Proxies httpx.Proxies
	// Metrics counts issued tokens, token errors and replays (metrics.go);
	// nil counts nothing.
	Metrics Metrics
	// ClientMetadata resolves URL client ids on the admin tenant (Client
	// ID Metadata Documents, client_metadata.go); nil turns them off.
	ClientMetadata *ClientMetadataDocuments
	// DirectThirdPartyErrors redirects authorization errors of
	// third-party clients (idp.Client.ThirdParty) straight to their
	// redirect URI, like any other client's. By default (false) they are
	// shown an interstitial page first (SECURITY-TESTS 18; redirectError).
	DirectThirdPartyErrors bool
	// CacheTTL is how long clients with their secret hashes, resource
	// servers, users' status and access-token revocation status are
	// served from memory (invalidate.go). It bounds how stale this node
	// may be when an invalidation from another node is lost. Zero turns the caches off:
	// every request reads the store (the test harness's default). The
	// server uses DefaultCacheTTL.
	CacheTTL time.Duration
	// CacheMaxEntries bounds each cache (default DefaultCacheMaxEntries).
	CacheMaxEntries int
	// Changed, when set, is told about every write the Provider commits
	// that other nodes' caches must see (revocations, RFC 7009); the
	// Provider has already invalidated its own caches. It must not block.
	Changed func(idp.Change)
	// CacheStats returns the hit/miss recorder of the cache called name
	// (oauth_clients, oauth_resources, oauth_users, oauth_token_status);
	// nil: not counted. The server passes metrics.Metrics.Cache.
	CacheStats func(name string) cachestat.Recorder
	// RefreshSuccessorKey is the 32-byte server secret that derives a
	// rotated refresh token's successor from the token
	// (refresh_successor.go), so that racers within a client's grace
	// window all get the same successor. The server derives it from the
	// master key; nil draws random successors (each racer then forks the
	// family).
	RefreshSuccessorKey []byte
}

// Cache defaults for the server.
const (
	// DefaultCacheTTL is the safety net of cross-node invalidation: a node
	// that missed a change serves the old state for at most this long.
	DefaultCacheTTL = 5 * time.Second
	// DefaultCacheMaxEntries bounds each of the Provider's caches.
	DefaultCacheMaxEntries = 50_000
)

// Provider serves the protocol endpoints of whichever tenant the request
// resolved to (tenant.FromContext).
type Provider struct {
	store    store.Store
	keys     KeyService
	sessions *session.Manager
	clock    idp.Clock
	random   secret.Source
	jwksAge  int
	derived  DerivedResources
	metrics  Metrics
	// registrar, proxies, registrations and registrationTokenFailures
	// serve dynamic client registration (register.go).
	registrar                 Registrar
	proxies                   httpx.Proxies
	registrations             *failureLimiter
	registrationTokenFailures *failureLimiter
	// metadataDocs resolves URL client ids (client_metadata.go); nil: off.
	metadataDocs *ClientMetadataDocuments
	// discoveryDocs caches marshalled discovery documents (discovery.go).
	discoveryDocs docCache
	// clientAuthFailures throttles failed client authentication per
	// (tenant, client_id) (clientauth.go).
	clientAuthFailures *failureLimiter
	// directThirdPartyErrors turns the third-party error interstitial off
	// (Options.DirectThirdPartyErrors).
	directThirdPartyErrors bool
	// clients, resources, users and tokens are the in-memory caches
	// (invalidate.go): clients with their secrets by id, resource servers
	// by identifier, user status by user id, access-token status by jti.
	clients   *memCache[*cachedClient]
	resources *memCache[*idp.ResourceServer]
	users     *memCache[bool]
	tokens    *memCache[bool]
	// revocations answers access-token status from memory (nil: the
	// store does, through tokens).
	revocations *revocationIndex
	changed     func(idp.Change)
	// successorKey derives refresh-token successors (refresh_successor.go);
	// nil: random successors.
	successorKey []byte
	// grants admits the code and refresh grants in arrival order
	// (admission.go); nil: no limit.
	grants *admission
}

// New returns a Provider.
func New(o Options) *Provider {
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.JWKSMaxAge == 0 {
		o.JWKSMaxAge = 300
	}
	if o.CacheMaxEntries <= 0 {
		o.CacheMaxEntries = DefaultCacheMaxEntries
	}
	p := &Provider{store: o.Store, keys: o.Keys, sessions: o.Sessions, clock: o.Clock, random: o.Random, jwksAge: o.JWKSMaxAge,
		derived:                   o.DerivedResources,
		registrar:                 o.Registrar,
		proxies:                   o.Proxies,
		metrics:                   metricsOrNone(o.Metrics),
		metadataDocs:              o.ClientMetadata,
		directThirdPartyErrors:    o.DirectThirdPartyErrors,
		successorKey:              slices.Clone(o.RefreshSuccessorKey),
		registrations:             newFailureLimiter(o.Clock, registrationsPerWindow, registrationWindow, registrationMaxKeys),
		registrationTokenFailures: newFailureLimiter(o.Clock, registrationTokenFailures, registrationTokenWindow, registrationMaxKeys),
		clientAuthFailures:        newFailureLimiter(o.Clock, clientAuthMaxFailures, clientAuthWindow, clientAuthMaxKeys),
		clients:                   newMemCache[*cachedClient](o.Clock, o.CacheTTL, o.CacheMaxEntries),
		resources:                 newMemCache[*idp.ResourceServer](o.Clock, o.CacheTTL, o.CacheMaxEntries),
		users:                     newMemCache[bool](o.Clock, o.CacheTTL, o.CacheMaxEntries),
		tokens:                    newMemCache[bool](o.Clock, o.CacheTTL, o.CacheMaxEntries),
		changed:                   o.Changed,
	}
	if o.CacheStats != nil {
		p.clients.stats = cachestat.Or(o.CacheStats("oauth_clients"))
		p.resources.stats = cachestat.Or(o.CacheStats("oauth_resources"))
		p.users.stats = cachestat.Or(o.CacheStats("oauth_users"))
		p.tokens.stats = cachestat.Or(o.CacheStats("oauth_token_status"))
	}
	// The revocation index needs the store's list of revocations and
	// follows it within the cache TTL (revocation_index.go); with caching
	// off every status comes from the store.
	if feed, ok := o.Store.(store.RevocationFeed); ok && o.CacheTTL > 0 && o.CacheMaxEntries > 0 {
		p.revocations = newRevocationIndex(feed, o.Clock, o.CacheTTL, revocationIndexMax)
		if o.CacheStats != nil {
			p.revocations.stats = cachestat.Or(o.CacheStats("oauth_revocation_index"))
		}
	}
	if o.Store != nil {
		// Revocations announce themselves (store_changes.go).
		p.store = changeStore{Store: o.Store, commit: p.commitChange}
	}
	return p
}

// Routes registers the endpoints on a tenant mux (paths are relative to
// the issuer: a path issuer's "/t/{id}" prefix is already stripped).
func (p *Provider) Routes(mux *http.ServeMux) {
	p.authorizeRoutes(mux)
	p.tokenRoutes(mux)
	p.registerRoutes(mux)
}
