package oauth

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// fakeFeed is a store.RevocationFeed over a slice, on its own "database
// clock"; it records the since of every read.
type fakeFeed struct {
	mu     sync.Mutex
	revs   []store.Revocation
	rec    []time.Time // recorded_at of revs[i]
	dbNow  time.Time
	err    error
	sinces []time.Time
	during func() // runs inside a read, after the database clock is read
}

func (f *fakeFeed) add(tenantID, jti string, exp time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.revs = append(f.revs, store.Revocation{TenantID: tenantID, JTI: jti, ExpiresAt: exp})
	f.rec = append(f.rec, f.dbNow)
}

func (f *fakeFeed) AccessTokenRevocations(_ context.Context, since, now time.Time, limit int) ([]store.Revocation, time.Time, error) {
	f.mu.Lock()
	f.sinces = append(f.sinces, since)
	if f.err != nil {
		f.mu.Unlock()
		return nil, time.Time{}, f.err
	}
	clock, during := f.dbNow, f.during
	f.mu.Unlock()
	if during != nil {
		during()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []store.Revocation
	for i, r := range f.revs {
		if !f.rec[i].Before(since) && r.ExpiresAt.After(now) {
			out = append(out, r)
		}
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out, clock, nil
}

func newTestIndex(t *testing.T, max int) (*revocationIndex, *fakeFeed, *idp.FakeClock, *int) {
	t.Helper()
	clock := idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	feed := &fakeFeed{dbNow: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)} // a clock of its own
	ix := newRevocationIndex(feed, clock, 5*time.Second, max)
	kicks := new(int)
	ix.spawn = func(func()) { *kicks++; ix.running.Store(false) } // reads run only when the test says
	return ix, feed, clock, kicks
}

func mustSync(t *testing.T, ix *revocationIndex) {
	t.Helper()
	if err := ix.sync(context.Background()); err != nil {
		t.Fatalf("sync: %v", err)
	}
}

func wantLookup(t *testing.T, ix *revocationIndex, tenantID, jti string, revoked, ok bool) {
	t.Helper()
	r, o := ix.lookup(tenantID, jti)
	if r != revoked || o != ok {
		t.Fatalf("lookup(%s, %s) = revoked %v ok %v, want %v %v", tenantID, jti, r, o, revoked, ok)
	}
}

func TestRevocationIndexAnswersOnlyWhenLoadedAndFresh(t *testing.T) {
	ix, feed, clock, kicks := newTestIndex(t, 100)
	exp := clock.Now().Add(time.Hour)
	feed.add("t1", "gone", exp)

	wantLookup(t, ix, "t1", "gone", false, false) // not loaded: the store answers
	if *kicks != 1 {
		t.Fatalf("an unloaded index started %d reads, want 1", *kicks)
	}
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "gone", true, true)
	wantLookup(t, ix, "t1", "live", false, true)
	wantLookup(t, ix, "t2", "gone", false, true) // tenants apart

	clock.Advance(3 * time.Second) // past half the TTL: a read starts
	k := *kicks
	wantLookup(t, ix, "t1", "live", false, true)
	if *kicks != k+1 {
		t.Fatal("no read started at half the TTL")
	}
	clock.Advance(2 * time.Second) // the TTL: no longer trusted
	wantLookup(t, ix, "t1", "live", false, false)
	wantLookup(t, ix, "t1", "gone", false, false)
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "gone", true, true)
	// This node's clock went back: no answers until a read, which reads
	// everything again (a token left out as expired may be live again).
	clock.Set(clock.Now().Add(-time.Minute))
	wantLookup(t, ix, "t1", "live", false, false)
	reads := len(feed.sinces)
	mustSync(t, ix)
	if !feed.sinces[reads].IsZero() {
		t.Fatalf("the read after the clock went back read since %v, want everything", feed.sinces[reads])
	}
	wantLookup(t, ix, "t1", "gone", true, true)
}

func TestRevocationIndexIncrementalReadsOverlap(t *testing.T) {
	ix, feed, _, _ := newTestIndex(t, 100)
	mustSync(t, ix)
	first := feed.dbNow
	feed.dbNow = feed.dbNow.Add(10 * time.Second)
	mustSync(t, ix)
	if len(feed.sinces) != 2 || !feed.sinces[0].IsZero() || !feed.sinces[1].Equal(first.Add(-revocationOverlap)) {
		t.Fatalf("reads since %v, want the zero time then %v", feed.sinces, first.Add(-revocationOverlap))
	}
}

// A row recorded (database clock) before the previous read but committed
// after it is read by the next one, thanks to the overlap.
func TestRevocationIndexLateCommit(t *testing.T) {
	ix, feed, clock, _ := newTestIndex(t, 100)
	exp := clock.Now().Add(time.Hour)
	recorded := feed.dbNow.Add(-5 * time.Second) // written before the read, committed after
	mustSync(t, ix)
	feed.mu.Lock()
	feed.revs = append(feed.revs, store.Revocation{TenantID: "t1", JTI: "late", ExpiresAt: exp})
	feed.rec = append(feed.rec, recorded)
	feed.dbNow = feed.dbNow.Add(time.Second)
	feed.mu.Unlock()
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "late", true, true)
}

func TestRevocationIndexStaleMark(t *testing.T) {
	ix, feed, clock, kicks := newTestIndex(t, 100)
	exp := clock.Now().Add(time.Hour)
	mustSync(t, ix)

	// A change marks its tenant (and starts a read) before anything else.
	feed.add("t1", "jti", exp)
	k := *kicks
	ix.mark("t1")
	if *kicks != k+1 {
		t.Fatal("a mark started no read")
	}
	wantLookup(t, ix, "t1", "jti", false, false) // the store answers
	wantLookup(t, ix, "t2", "jti", false, true)  // other tenants are not held up
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "jti", true, true)

	// A mark made while a read is under way (the read may have taken its
	// snapshot before the revocation) survives that read.
	feed.during = func() { feed.add("t1", "racing", exp); ix.mark("t1") }
	mustSync(t, ix)
	feed.during = nil
	wantLookup(t, ix, "t1", "racing", false, false)
	if !ix.again.Load() {
		t.Fatal("a mark during a read did not ask for another")
	}
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "racing", true, true)

	// Every tenant.
	ix.mark("")
	wantLookup(t, ix, "t2", "x", false, false)
	mustSync(t, ix)
	wantLookup(t, ix, "t2", "x", false, true)
}

func TestRevocationIndexBound(t *testing.T) {
	ix, feed, clock, _ := newTestIndex(t, 2)
	exp := clock.Now().Add(time.Hour)
	feed.add("t1", "a", exp)
	feed.add("t1", "b", exp)
	mustSync(t, ix)
	wantLookup(t, ix, "t1", "a", true, true)

	feed.add("t2", "c", exp) // one past the bound
	if err := ix.sync(context.Background()); !errors.Is(err, errRevocationOverflow) {
		t.Fatalf("sync past the bound: %v", err)
	}
	wantLookup(t, ix, "t1", "a", false, false)
	if n, loaded := ix.size(); n != 0 || loaded {
		t.Fatalf("after the overflow: %d entries, loaded %v", n, loaded)
	}
	// No full read before revocationRetryFull, then one that fits.
	if err := ix.sync(context.Background()); !errors.Is(err, errRevocationOverflow) {
		t.Fatalf("early retry: %v", err)
	}
	reads := len(feed.sinces)
	clock.Advance(revocationRetryFull)
	feed.mu.Lock()
	feed.revs, feed.rec = feed.revs[:1], feed.rec[:1]
	feed.mu.Unlock()
	mustSync(t, ix)
	if len(feed.sinces) != reads+1 || !feed.sinces[reads].IsZero() {
		t.Fatalf("the retry is not a full read: %v", feed.sinces)
	}
	wantLookup(t, ix, "t1", "a", true, true)
}

func TestRevocationIndexReadFailure(t *testing.T) {
	ix, feed, clock, kicks := newTestIndex(t, 100)
	mustSync(t, ix)
	feed.err = errors.New("database down")
	clock.Advance(3 * time.Second)
	if err := ix.sync(context.Background()); err == nil {
		t.Fatal("a failed read reported success")
	}
	wantLookup(t, ix, "t1", "x", false, true) // still within the TTL of the last good read
	k := *kicks
	wantLookup(t, ix, "t1", "x", false, true)
	if *kicks != k {
		t.Fatal("a routine read started right after a failure")
	}
	clock.Advance(2 * time.Second)
	wantLookup(t, ix, "t1", "x", false, false) // a TTL old: the store answers (and fails closed)
}

func TestRevocationIndexPrunesExpired(t *testing.T) {
	ix, feed, clock, _ := newTestIndex(t, 100)
	feed.add("t1", "short", clock.Now().Add(2*time.Second))
	feed.add("t1", "long", clock.Now().Add(time.Hour))
	mustSync(t, ix)
	if n, _ := ix.size(); n != 2 {
		t.Fatalf("%d entries, want 2", n)
	}
	clock.Advance(10 * time.Second)
	mustSync(t, ix)
	if n, _ := ix.size(); n != 1 {
		t.Fatalf("%d entries after the first expired, want 1", n)
	}
	wantLookup(t, ix, "t1", "long", true, true)
}
