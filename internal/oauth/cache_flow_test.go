package oauth_test

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/oauth/oauthtest"
	"github.com/authalla/authalla/internal/secret"
)

// clientCredentials asks for a client_credentials token as the backend
// client of tid and returns the HTTP status.
func clientCredentialsStatus(t *testing.T, h *oauthtest.Harness, tid string) int {
	t.Helper()
	return tokenReq(t, h, tid, url.Values{"grant_type": {"client_credentials"}}, clientAuth(h, tid, oauthtest.BackendClient)).status
}

// TestClientCacheInvalidation: with the caches on, client authentication
// reads the store once per TTL; a client change announced to the Provider
// takes effect at once, one that is not announced after at most one TTL.
func TestClientCacheInvalidation(t *testing.T) {
	ctx := context.Background()
	tid, cid := oauthtest.TenantA, oauthtest.BackendClient

	t.Run("removed secret, announced", func(t *testing.T) {
		h := cachedHarness(t)
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("status %d", s)
		}
		if err := h.Store.DeleteClientSecret(ctx, tid, cid, "sec-"+cid); err != nil {
			t.Fatal(err)
		}
		// Not announced yet: the cached copy still authenticates, which
		// shows the store is not read per request.
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("cached client: status %d, want 200", s)
		}
		// Another tenant's or another client's change leaves it cached.
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeClient, TenantID: oauthtest.TenantB, ID: cid})
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeClient, TenantID: tid, ID: oauthtest.WebClient})
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("after unrelated changes: status %d, want 200", s)
		}
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeClient, TenantID: tid, ID: cid})
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusUnauthorized {
			t.Fatalf("after the change: status %d, want 401", s)
		}
	})

	t.Run("deleted client, tenant-wide change", func(t *testing.T) {
		h := cachedHarness(t)
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("status %d", s)
		}
		if err := h.Store.DeleteClient(ctx, tid, cid); err != nil {
			t.Fatal(err)
		}
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeClient, TenantID: tid})
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusUnauthorized {
			t.Fatalf("status %d, want 401", s)
		}
	})

	t.Run("lost change, TTL", func(t *testing.T) {
		h := cachedHarness(t)
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("status %d", s)
		}
		if err := h.Store.DeleteClient(ctx, tid, cid); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(oauth.DefaultCacheTTL - 1)
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusOK {
			t.Fatalf("within the TTL: status %d, want 200 (cached)", s)
		}
		h.Clock.Advance(1)
		if s := clientCredentialsStatus(t, h, tid); s != http.StatusUnauthorized {
			t.Fatalf("after the TTL: status %d, want 401", s)
		}
	})

	t.Run("unknown client cached too", func(t *testing.T) {
		h := cachedHarness(t)
		const id, plain = "late-client", "a-high-entropy-secret-for-the-late-client"
		cc := url.Values{"grant_type": {"client_credentials"}}
		if r := tokenReq(t, h, tid, cc, basicAuth(id, plain)); r.status != http.StatusUnauthorized {
			t.Fatalf("unknown client: status %d", r.status)
		}
		now := h.Clock.Now()
		if err := h.Store.CreateClient(ctx, tid, &idp.Client{TenantID: tid, ID: id, Name: "late", Type: idp.ClientBackend, CreatedAt: now, UpdatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if err := h.Store.AddClientSecret(ctx, tid, &idp.ClientSecret{TenantID: tid, ClientID: id, ID: "sec-late", Hash: secret.HashBytes(plain), CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		if r := tokenReq(t, h, tid, cc, basicAuth(id, plain)); r.status != http.StatusUnauthorized {
			t.Fatalf("unannounced new client: status %d, want 401 (cached as unknown)", r.status)
		}
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeClient, TenantID: tid, ID: id})
		if r := tokenReq(t, h, tid, cc, basicAuth(id, plain)); r.status != http.StatusOK {
			t.Fatalf("announced new client: status %d %s, want 200", r.status, r.raw)
		}
	})
}

// TestIntrospectionRevocationCache: introspection serves the revocation
// status from memory, yet a revocation made on this node makes the token
// inactive at once, and the change is announced for the other nodes.
func TestIntrospectionRevocationCache(t *testing.T) {
	tid, cid := oauthtest.TenantA, oauthtest.WebClient
	var mu sync.Mutex
	var changes []idp.Change
	h := oauthtest.NewWith(t, func(o *oauth.Options) {
		o.CacheTTL = oauth.DefaultCacheTTL
		o.Changed = func(ch idp.Change) { mu.Lock(); changes = append(changes, ch); mu.Unlock() }
	})
	announced := func() []idp.Change {
		mu.Lock()
		defer mu.Unlock()
		out := changes
		changes = nil
		return out
	}

	t.Run("access token revoked", func(t *testing.T) {
		at := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("access_token")
		if !active(t, h, tid, at) || !active(t, h, tid, at) {
			t.Fatal("fresh token inactive")
		}
		announced()
		revoke(t, h, tid, at, clientAuth(h, tid, cid))
		if active(t, h, tid, at) {
			t.Fatal("revoked token still active on the node that revoked it")
		}
		if ch := announced(); len(ch) != 1 || ch[0].Kind != idp.ChangeToken || ch[0].TenantID != tid || ch[0].ID == "" {
			t.Fatalf("announced %+v, want one ChangeToken of %s", ch, tid)
		}
	})

	t.Run("grant revoked through its refresh token", func(t *testing.T) {
		first := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		at := first.str("access_token")
		if !active(t, h, tid, at) {
			t.Fatal("fresh token inactive")
		}
		revoke(t, h, tid, first.str("refresh_token"), clientAuth(h, tid, cid))
		if active(t, h, tid, at) {
			t.Fatal("access token of a revoked grant still active")
		}
	})

	t.Run("refresh token replayed", func(t *testing.T) {
		first := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{})
		second := wantOK(t, refresh(t, h, tid, cid, first.str("refresh_token"), nil))
		at := second.str("access_token")
		if !active(t, h, tid, at) {
			t.Fatal("fresh token inactive")
		}
		// Reuse of the rotated token revokes the family (RFC 9700 §4.14.2).
		if r := refresh(t, h, tid, cid, first.str("refresh_token"), nil); r.status != http.StatusBadRequest {
			t.Fatalf("replay: status %d", r.status)
		}
		if active(t, h, tid, at) {
			t.Fatal("access token of a replayed family still active")
		}
	})

	t.Run("revoked elsewhere: announced change, else TTL", func(t *testing.T) {
		at := issueTokens(t, h, tid, cid, oauthtest.Alice, codeOpts{}).str("access_token")
		other := issueTokens(t, h, tid, cid, oauthtest.Bob, codeOpts{}).str("access_token")
		if !active(t, h, tid, at) || !active(t, h, tid, other) {
			t.Fatal("fresh tokens inactive")
		}
		// Another node revokes all of Alice's and Bob's grants.
		ctx := context.Background()
		for _, email := range []string{oauthtest.Alice, oauthtest.Bob} {
			if err := h.Store.RevokeUserGrants(ctx, tid, h.User(t, tid, email).ID, "", h.Clock.Now()); err != nil {
				t.Fatal(err)
			}
		}
		// Another tenant's change says nothing about this tenant: the
		// answer may still be the stale one or, if the revocation index
		// happened to read the list meanwhile, already the new one.
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeToken, TenantID: oauthtest.TenantB})
		_ = active(t, h, tid, at)
		h.Provider.Invalidate(idp.Change{Kind: idp.ChangeToken, TenantID: tid, ID: "grant-of-alice"})
		if active(t, h, tid, at) {
			t.Fatal("still active after the change reached this node")
		}
		// A change without a jti drops the tenant's entries: Bob's too.
		if active(t, h, tid, other) {
			t.Fatal("Bob's revoked token active")
		}
	})

	t.Run("suspended user", func(t *testing.T) {
		at := issueTokens(t, h, oauthtest.TenantB, cid, oauthtest.Alice, codeOpts{}).str("access_token")
		if !active(t, h, oauthtest.TenantB, at) {
			t.Fatal("fresh token inactive")
		}
		u := h.User(t, oauthtest.TenantB, oauthtest.Alice)
		u.Status = idp.UserSuspended
		if err := h.Store.UpdateUser(context.Background(), oauthtest.TenantB, u); err != nil {
			t.Fatal(err)
		}
		h.Clock.Advance(oauth.DefaultCacheTTL)
		if active(t, h, oauthtest.TenantB, at) {
			t.Fatal("token of a suspended user active after the TTL")
		}
	})

	t.Run("other tenant's token", func(t *testing.T) {
		at := issueTokens(t, h, oauthtest.TenantB, cid, oauthtest.Bob, codeOpts{}).str("access_token")
		if !active(t, h, oauthtest.TenantB, at) {
			t.Fatal("fresh token inactive")
		}
		if active(t, h, tid, at) {
			t.Fatal("tenant-b's token active at tenant-a")
		}
	})
}
