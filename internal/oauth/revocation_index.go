package oauth

import (
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
	"github.com/authalla/authalla/internal/store"
)

// The revocation index: this node's copy of every access token of every
// tenant that became inactive before its expiry (revoked itself, or
// issued under a grant revoked or deleted, RFC 7009 §2), so that the
// status check of a token (introspection, UserInfo, /oauth2/me, the
// management API, MCP and the Admin UI) reads memory instead of the
// store. The store keeps the list (migration 0005: triggers on
// access_tokens and grants fill token_revocations, so no path that makes
// a token inactive can forget to) and the index follows it
// (revocation_sync.go).
//
// Soundness. The index answers only when all of these hold, and the
// caller reads the store otherwise (token_status.go, as before the index,
// failing closed on store errors):
//
//   - it is loaded: a full read of the list succeeded and its size is
//     within the bound (revocationIndexMax);
//   - the last successful read started less than the cache TTL ago on this
//     node's clock, so a revocation committed elsewhere is missed for at
//     most the TTL, the bound of the status cache it replaces;
//   - the token's tenant is not marked stale. Every change that can make a
//     token inactive (ChangeToken, ChangeUser, ChangeClient, ChangeTenant,
//     and the "everything" change a node publishes to itself when it may
//     have missed notifications) marks its tenant before the change is
//     answered on the node that made it (commitChange, the change bus's
//     local delivery) and when the notification reaches another node. The
//     mark is cleared only by a read that started after it was made, and
//     that read sees the committed revocation: its marker row committed
//     with the revocation, before the change was announced.
//
// So the node that revoked a token answers inactive at once (from the
// store until the index caught up, then from the index), and another node
// as soon as the notification arrives, or within the TTL if it is lost.
//
// Memory: an entry is a jti and its expiry; entries go once the token has
// expired (it is refused for its exp before its status is looked up);
// past revocationIndexMax entries the index unloads itself and the store
// answers until a full read fits again.

const (
	// revocationIndexMax bounds the entries of the index on one node
	// (about 100 bytes each with the map overhead).
	revocationIndexMax = 100_000
	// revocationMaxStale bounds the tenants marked stale individually;
	// past it every tenant is.
	revocationMaxStale = 10_000
	// revocationRetryFull is how long an index that outgrew its bound
	// waits before it tries a full read again.
	revocationRetryFull = 30 * time.Second
	// revocationRetryFailed spaces the reads after a failed one.
	revocationRetryFailed = time.Second
)

// errRevocationOverflow: the list outgrew revocationIndexMax.
var errRevocationOverflow = errors.New("oauth: revocation index over its bound")

// revocationIndex is safe for concurrent use.
type revocationIndex struct {
	feed  store.RevocationFeed
	clock idp.Clock
	ttl   time.Duration // answers only within ttl of the last read's start
	every time.Duration // a read is started once the last is this old
	max   int
	stats cachestat.Recorder

	syncMu sync.Mutex // held by a read from its start to its apply

	mu        sync.RWMutex
	tenants   map[string]map[string]int64 // tenant → jti → exp (Unix seconds)
	n         int                         // entries in tenants
	loaded    bool
	syncedAt  time.Time // this node's clock before the last successful read
	watermark time.Time // the database's clock of that read
	gen       uint64    // counts stale marks
	stale     map[string]uint64
	staleAll  uint64 // 0: no mark for every tenant
	fullAfter time.Time
	prunedAt  time.Time
	failing   bool

	// spawn runs a background read (go f(); tests replace it).
	spawn func(f func())

	running   atomic.Bool
	again     atomic.Bool  // a mark arrived during a read: read again
	nextTryNS atomic.Int64 // no routine read before (after a failure)
}

func newRevocationIndex(feed store.RevocationFeed, clock idp.Clock, ttl time.Duration, max int) *revocationIndex {
	return &revocationIndex{
		feed: feed, clock: clock, ttl: ttl, every: ttl / 2, max: max, stats: cachestat.Nop{},
		tenants: map[string]map[string]int64{}, stale: map[string]uint64{},
		spawn: func(f func()) { go f() },
	}
}

// lookup reports whether jti of tenantID is revoked, and whether the index
// can answer at all (see the soundness conditions above). It starts a
// read in the background when the last one is getting old.
func (ix *revocationIndex) lookup(tenantID, jti string) (revoked, ok bool) {
	now := ix.clock.Now()
	ix.mu.RLock()
	age := now.Sub(ix.syncedAt)
	_, stale := ix.stale[tenantID]
	ok = ix.loaded && age < ix.ttl && age >= 0 && ix.staleAll == 0 && !stale
	if ok {
		_, revoked = ix.tenants[tenantID][jti]
	}
	due := (ix.loaded && (age >= ix.every || age < 0)) || (!ix.loaded && !now.Before(ix.fullAfter))
	ix.mu.RUnlock()
	if ok {
		ix.stats.Hit()
	} else {
		ix.stats.Miss()
	}
	if due && now.UnixNano() >= ix.nextTryNS.Load() {
		ix.kick(false)
	}
	return revoked, ok
}

// mark makes tenantID ("" for every tenant) stale until a read that
// starts after this call completes, and starts that read.
func (ix *revocationIndex) mark(tenantID string) {
	ix.mu.Lock()
	ix.gen++
	if tenantID == "" || len(ix.stale) >= revocationMaxStale {
		ix.staleAll = ix.gen
	} else {
		ix.stale[tenantID] = ix.gen
	}
	ix.mu.Unlock()
	ix.kick(true)
}

// size returns the number of entries and whether the index is loaded.
func (ix *revocationIndex) size() (int, bool) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return ix.n, ix.loaded
}

// apply merges a read that started at start (this node's clock), when the
// stale-mark generation was gen, with the database clock dbNow. full
// replaces the index.
func (ix *revocationIndex) apply(full bool, revs []store.Revocation, start, dbNow time.Time, gen uint64) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if full {
		ix.tenants, ix.n = map[string]map[string]int64{}, 0
	}
	for _, r := range revs {
		t := ix.tenants[r.TenantID]
		if t == nil {
			t = map[string]int64{}
			ix.tenants[r.TenantID] = t
		}
		if _, dup := t[r.JTI]; !dup {
			ix.n++
		}
		t[r.JTI] = r.ExpiresAt.Unix()
	}
	if ix.n > ix.max {
		// Unload: the store answers until a full read fits.
		ix.tenants, ix.n, ix.loaded = map[string]map[string]int64{}, 0, false
		ix.fullAfter = start.Add(revocationRetryFull)
		return errRevocationOverflow
	}
	ix.loaded, ix.syncedAt, ix.watermark, ix.failing = true, start, dbNow, false
	for t, g := range ix.stale {
		if g <= gen {
			delete(ix.stale, t)
		}
	}
	if ix.staleAll <= gen {
		ix.staleAll = 0
	}
	if start.Sub(ix.prunedAt) >= ix.ttl {
		ix.prune(start)
	}
	return nil
}

// prune drops the entries of expired tokens. Callers hold mu.
func (ix *revocationIndex) prune(now time.Time) {
	sec := now.Unix()
	for tid, t := range ix.tenants {
		for jti, exp := range t {
			if exp <= sec {
				delete(t, jti)
				ix.n--
			}
		}
		if len(t) == 0 {
			delete(ix.tenants, tid)
		}
	}
	ix.prunedAt = now
}
