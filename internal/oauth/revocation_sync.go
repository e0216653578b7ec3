package oauth

import (
	"context"
	"fmt"
	"log/slog"
	"time"
)

// How the revocation index follows the store's list (revocation_index.go).
//
// Reads are incremental: "recorded at or after the watermark less
// revocationOverlap", where the watermark is the database's clock read
// just before the previous read's rows. The clock is the database's
// (token_revocations.recorded_at is written by triggers with the
// database's clock, and the read returns the same clock), never a node's:
// every node compares times from one clock, so a skew between the nodes'
// clocks cannot hide a row. What the overlap covers is the gap between a
// row's recorded_at (taken when the row is written) and its commit: a
// transaction that commits after a read took its snapshot is read by the
// next one as long as it committed within the overlap of writing the row.
// The revoking transactions are a few statements each (revocation,
// deletion, purge); 30 s is a wide margin over their length, and also
// covers a modest step back of the database's own clock. Rows read twice
// change nothing: the index is a set.
//
// When: a read starts when a request finds the last one older than half
// the TTL (so under load the index never ages past the TTL), when a
// change marks a tenant stale (the change bus; both at once on the node
// that made the change), and at start (the first lookup; Provider.
// SyncRevocations lets a server load it before it listens). At most one
// read runs at a time; an idle node does not read at all, and its first
// requests after a while are answered by the store until the read lands.
const (
	revocationOverlap     = 30 * time.Second
	revocationSyncTimeout = 5 * time.Second
)

// sync reads the store's list of revocations into the index: all of it on
// the first read (or after the index unloaded itself), what was recorded
// since the last read otherwise.
func (ix *revocationIndex) sync(ctx context.Context) error {
	// One read at a time: a read applied after a later one would put back
	// an older state.
	ix.syncMu.Lock()
	defer ix.syncMu.Unlock()
	start := ix.clock.Now()
	ix.mu.RLock()
	gen, full, since, fullAfter := ix.gen, !ix.loaded, ix.watermark.Add(-revocationOverlap), ix.fullAfter
	// This node's clock went back: earlier reads left out (and pruning
	// dropped) tokens that had expired by the clock of the time, which
	// may count as live again now. Read everything.
	full = full || start.Before(ix.syncedAt)
	ix.mu.RUnlock()
	if full {
		if start.Before(fullAfter) {
			return errRevocationOverflow
		}
		since = time.Time{}
	}
	// One more than the bound tells an oversized list from a full one.
	revs, dbNow, err := ix.feed.AccessTokenRevocations(ctx, since, start, ix.max+1)
	if err != nil {
		ix.failed(start, err)
		return fmt.Errorf("oauth: revocation index: %w", err)
	}
	if err := ix.apply(full, revs, start, dbNow, gen); err != nil {
		slog.Warn("oauth: revocation index over its bound; token status is read from the store",
			"bound", ix.max, "retry_after", revocationRetryFull)
		return err
	}
	return nil
}

// failed records a failed read: routine reads wait revocationRetryFailed,
// and the index stops answering once its last good read is a TTL old.
func (ix *revocationIndex) failed(start time.Time, err error) {
	ix.nextTryNS.Store(start.Add(revocationRetryFailed).UnixNano())
	ix.mu.Lock()
	first := !ix.failing
	ix.failing = true
	ix.mu.Unlock()
	if first {
		slog.Warn("oauth: revocation index cannot read the store; token status falls back to the store once the index is a TTL old", "err", err)
	}
}

// kick starts a read in the background unless one is running. A forced
// kick (a stale mark) that finds one running makes it read once more when
// it ends, since the running read may have started before the mark.
func (ix *revocationIndex) kick(force bool) {
	if force {
		ix.again.Store(true)
	}
	if !ix.running.CompareAndSwap(false, true) {
		return
	}
	ix.spawn(func() {
		for {
			ix.again.Store(false)
			ctx, cancel := context.WithTimeout(context.Background(), revocationSyncTimeout)
			_ = ix.sync(ctx) // logged by sync; the index stops answering on its own
			cancel()
			ix.running.Store(false)
			if !ix.again.Load() || !ix.running.CompareAndSwap(false, true) {
				return
			}
		}
	})
}

// SyncRevocations reads the store's list of revoked access tokens into
// this node's revocation index now and reports whether it could. A server
// calls it at start so that its first requests are answered from memory;
// without it the first lookup starts the read. It does nothing when the
// store keeps no list or caching is off.
func (p *Provider) SyncRevocations(ctx context.Context) error {
	if p.revocations == nil {
		return nil
	}
	return p.revocations.sync(ctx)
}

// WarmRevocations starts reading the revocation list in the background,
// so that a server's first requests are answered from memory rather than
// the store.
func (p *Provider) WarmRevocations() {
	if p.revocations != nil {
		p.revocations.kick(false)
	}
}
