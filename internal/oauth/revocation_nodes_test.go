package oauth_test

import (
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/pgtest"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// revNodes is three nodes on one database, each with its own store
// (connections) and Provider, on one fake clock: node 1 makes a change;
// node 2 hears of it (the change bus); node 3 does not (a lost
// notification) and relies on reading the revocation list.
type revNodes struct {
	ctx    context.Context
	clock  *idp.FakeClock
	stores [3]*sqlstore.Store
	nodes  [3]*oauth.Provider
	seq    int
}

const revTenant = "rev-tenant"

// openRevDatabase returns the address of a fresh migrated database of
// dialect and a function that opens another store on it.
func openRevDatabase(t *testing.T, dialect string) string {
	t.Helper()
	if dialect == sqlstore.DialectSQLite {
		return filepath.Join(t.TempDir(), "authalla.db")
	}
	return pgtest.FreshDatabase(t, "authalla_revnodes_")
}

func newRevNodes(t *testing.T, dialect string) *revNodes {
	t.Helper()
	dsn := openRevDatabase(t, dialect)
	n := &revNodes{ctx: context.Background(), clock: idp.NewFakeClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))}
	for i := range n.stores {
		st, err := sqlstore.Open(n.ctx, dsn)
		if err != nil {
			t.Fatalf("open store %d: %v", i, err)
		}
		t.Cleanup(func() { _ = st.Close() })
		if i == 0 {
			if err := st.Migrate(n.ctx); err != nil {
				t.Fatalf("migrate: %v", err)
			}
		}
		n.stores[i] = st
		n.nodes[i] = oauth.New(oauth.Options{Store: st, Clock: n.clock, CacheTTL: oauth.DefaultCacheTTL})
	}
	now := n.clock.Now()
	tn := &idp.Tenant{ID: revTenant, Name: "rev", CreatedAt: now, UpdatedAt: now}
	tn.ApplyDefaults()
	n.must(t, "tenant", n.stores[0].CreateTenant(n.ctx, tn))
	n.client(t, "app")
	return n
}

func (n *revNodes) must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

func (n *revNodes) id(prefix string) string {
	n.seq++
	return prefix + "-" + hex.EncodeToString([]byte{byte(n.seq >> 8), byte(n.seq)})
}

func (n *revNodes) client(t *testing.T, id string) {
	t.Helper()
	now := n.clock.Now()
	n.must(t, "client", n.stores[0].CreateClient(n.ctx, revTenant, &idp.Client{TenantID: revTenant, ID: id, Name: id,
		Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example/cb"}, CreatedAt: now, UpdatedAt: now}))
}

// issue redeems a code for a fresh user and client and returns what was
// issued (a grant with a refresh token and an access record), the code's
// hash and the user.
func (n *revNodes) issue(t *testing.T, client string, grantLife time.Duration) (store.Issue, string, string) {
	t.Helper()
	now := n.clock.Now()
	user := n.id("user")
	n.must(t, "user", n.stores[0].CreateUser(n.ctx, revTenant, &idp.User{TenantID: revTenant, ID: user,
		Email: user + "@example.com", Status: idp.UserActive, CreatedAt: now, UpdatedAt: now}))
	code := &idp.AuthCode{TenantID: revTenant, Hash: n.id("code"), ClientID: client, UserID: user,
		RedirectURI: "https://app.example/cb", Scope: []string{"openid", "offline_access"},
		CodeChallenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", CodeChallengeMethod: "S256",
		AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(idp.AuthCodeLifetime)}
	n.must(t, "code", n.stores[0].CreateAuthCode(n.ctx, revTenant, code))
	iss := n.next(client)
	iss.Grant = &idp.Grant{TenantID: revTenant, ID: n.id("grant"), ClientID: client, UserID: user,
		Scope: []string{"openid", "offline_access"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(grantLife)}
	n.must(t, "redeem", n.stores[0].RedeemAuthCode(n.ctx, revTenant, code.Hash, now, iss))
	return iss, code.Hash, user
}

// next is what a refresh issues: a refresh token and an access record.
func (n *revNodes) next(client string) store.Issue {
	now := n.clock.Now()
	return store.Issue{
		Refresh: &idp.RefreshToken{TenantID: revTenant, Hash: n.id("rt"), ClientID: client,
			Scope: []string{"openid", "offline_access"}, CreatedAt: now, ExpiresAt: now.Add(24 * time.Hour)},
		Access: &idp.AccessTokenRecord{TenantID: revTenant, JTI: n.id("jti"), ClientID: client, ExpiresAt: now.Add(time.Hour)},
	}
}

// status asks node i about jti and fails the test on a store error.
func (n *revNodes) status(t *testing.T, i int, jti string) bool {
	t.Helper()
	active, err := n.nodes[i].AccessTokenActive(n.ctx, revTenant, jti)
	n.must(t, "status", err)
	return active
}

// TestRevocationAcrossNodes drives every path that makes an access token
// inactive before its expiry, on node 1 with the change that the code
// making it announces, and checks the token on node 1 at once, on node 2
// once the change reached it, and on node 3 (which never hears of it)
// after it read the revocation list — from its index, not the store. An
// unrelated token stays active everywhere throughout.
func TestRevocationAcrossNodes(t *testing.T) {
	for _, dialect := range []string{sqlstore.DialectSQLite, sqlstore.DialectPostgres} {
		t.Run(dialect, func(t *testing.T) { testRevocationAcrossNodes(t, dialect) })
	}
}

func testRevocationAcrossNodes(t *testing.T, dialect string) {
	n := newRevNodes(t, dialect)
	st := func() *sqlstore.Store { return n.stores[0] }
	tokenChange := func(id string) idp.Change {
		return idp.Change{Kind: idp.ChangeToken, TenantID: revTenant, ID: id}
	}
	cases := []struct {
		name string
		// run makes the victim's token inactive on node 1 and returns its
		// jti and the changes node 1 announces.
		run func(t *testing.T) (string, []idp.Change)
	}{
		{"access token revoked (RFC 7009 §2.1)", func(t *testing.T) (string, []idp.Change) {
			iss, _, _ := n.issue(t, "app", 24*time.Hour)
			n.must(t, "revoke", st().RevokeAccessToken(n.ctx, revTenant, iss.Access, n.clock.Now()))
			return iss.Access.JTI, []idp.Change{tokenChange(iss.Access.JTI)}
		}},
		{"client_credentials token revoked (no record before)", func(t *testing.T) (string, []idp.Change) {
			r := &idp.AccessTokenRecord{TenantID: revTenant, JTI: n.id("cc"), ClientID: "app", ExpiresAt: n.clock.Now().Add(time.Hour)}
			n.must(t, "revoke", st().RevokeAccessToken(n.ctx, revTenant, r, n.clock.Now()))
			return r.JTI, []idp.Change{tokenChange(r.JTI)}
		}},
		{"refresh token revoked: its grant (RFC 7009 §2.1)", func(t *testing.T) (string, []idp.Change) {
			iss, _, _ := n.issue(t, "app", 24*time.Hour)
			n.must(t, "revoke grant", st().RevokeGrant(n.ctx, revTenant, iss.Grant.ID, n.clock.Now()))
			return iss.Access.JTI, []idp.Change{tokenChange(iss.Grant.ID)}
		}},
		{"refresh token reused: the family (RFC 9700 §4.14.2)", func(t *testing.T) (string, []idp.Change) {
			iss, _, _ := n.issue(t, "app", 24*time.Hour)
			succ := n.next("app")
			n.must(t, "rotate", st().RotateRefreshToken(n.ctx, revTenant, iss.Refresh.Hash, n.clock.Now(), store.RotateOptions{}, succ))
			err := st().RotateRefreshToken(n.ctx, revTenant, iss.Refresh.Hash, n.clock.Now(), store.RotateOptions{}, n.next("app"))
			if !errors.Is(err, idp.ErrAlreadyUsed) {
				t.Fatalf("reuse: %v", err)
			}
			return succ.Access.JTI, []idp.Change{tokenChange("")}
		}},
		{"code replayed: its grant (RFC 6749 §4.1.2)", func(t *testing.T) (string, []idp.Change) {
			iss, code, _ := n.issue(t, "app", 24*time.Hour)
			again := n.next("app")
			again.Grant = &idp.Grant{TenantID: revTenant, ID: n.id("grant"), ClientID: "app", UserID: iss.Grant.UserID,
				AuthTime: n.clock.Now(), CreatedAt: n.clock.Now(), ExpiresAt: n.clock.Now().Add(time.Hour)}
			if err := st().RedeemAuthCode(n.ctx, revTenant, code, n.clock.Now(), again); !errors.Is(err, idp.ErrAlreadyUsed) {
				t.Fatalf("replay: %v", err)
			}
			return iss.Access.JTI, []idp.Change{tokenChange("")}
		}},
		{"user signed out everywhere / suspended: grants revoked", func(t *testing.T) (string, []idp.Change) {
			iss, _, user := n.issue(t, "app", 24*time.Hour)
			n.must(t, "revoke user grants", st().RevokeUserGrants(n.ctx, revTenant, user, "", n.clock.Now()))
			return iss.Access.JTI, []idp.Change{{Kind: idp.ChangeUser, TenantID: revTenant, ID: user}, tokenChange("")}
		}},
		{"connected app removed: consent and grants", func(t *testing.T) (string, []idp.Change) {
			iss, _, user := n.issue(t, "app", 24*time.Hour)
			now := n.clock.Now()
			n.must(t, "consent", st().PutConsent(n.ctx, revTenant, &idp.Consent{UserID: user, ClientID: "app",
				Scopes: []string{"openid"}, CreatedAt: now, UpdatedAt: now}))
			n.must(t, "delete consent", st().DeleteConsent(n.ctx, revTenant, user, "app", now))
			return iss.Access.JTI, []idp.Change{tokenChange("")}
		}},
		{"user deleted", func(t *testing.T) (string, []idp.Change) {
			iss, _, user := n.issue(t, "app", 24*time.Hour)
			n.must(t, "delete user", st().DeleteUser(n.ctx, revTenant, user))
			return iss.Access.JTI, []idp.Change{{Kind: idp.ChangeUser, TenantID: revTenant, ID: user}, tokenChange("")}
		}},
		{"client deleted", func(t *testing.T) (string, []idp.Change) {
			client := n.id("doomed")
			n.client(t, client)
			iss, _, _ := n.issue(t, client, 24*time.Hour)
			n.must(t, "delete client", st().DeleteClient(n.ctx, revTenant, client))
			return iss.Access.JTI, []idp.Change{{Kind: idp.ChangeClient, TenantID: revTenant, ID: client}, tokenChange("")}
		}},
		{"grant purged at its expiry, access token still live", func(t *testing.T) (string, []idp.Change) {
			iss, _, _ := n.issue(t, "app", time.Minute)
			// The purge announces nothing: node 1 learns of it by reading.
			_, err := st().PurgeExpired(n.ctx, n.clock.Now().Add(2*time.Minute))
			n.must(t, "purge", err)
			n.must(t, "sync node 1", n.nodes[0].SyncRevocations(n.ctx))
			return iss.Access.JTI, nil
		}},
	}
	control, _, _ := n.issue(t, "app", 24*time.Hour)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Every node has read the list.
			for i := range n.nodes {
				n.must(t, "sync", n.nodes[i].SyncRevocations(n.ctx))
			}
			jti, changes := c.run(t)
			// Node 1 announces the change to itself before it answers.
			for _, ch := range changes {
				n.nodes[0].Invalidate(ch)
			}
			if n.status(t, 0, jti) {
				t.Fatal("node 1: revoked token active right after the change")
			}
			// Node 2 hears the change (a path that announces none is
			// learnt by reading the list, like node 3 below).
			for _, ch := range changes {
				n.nodes[1].Invalidate(ch)
			}
			if len(changes) == 0 {
				n.must(t, "sync node 2", n.nodes[1].SyncRevocations(n.ctx))
			}
			if n.status(t, 1, jti) {
				t.Fatal("node 2: revoked token active after the change reached it")
			}
			// Node 3 hears nothing; its next read of the list (the poll)
			// brings the revocation, and the index answers.
			n.must(t, "sync node 3", n.nodes[2].SyncRevocations(n.ctx))
			if revoked, ok := n.nodes[2].RevocationIndexed(revTenant, jti); !ok || !revoked {
				t.Fatalf("node 3 index after its read: revoked %v, answered %v", revoked, ok)
			}
			if n.status(t, 2, jti) {
				t.Fatal("node 3: revoked token active after its read")
			}
			for i := range n.nodes {
				n.must(t, "sync", n.nodes[i].SyncRevocations(n.ctx))
				if !n.status(t, i, control.Access.JTI) {
					t.Fatalf("node %d: an unrelated token turned inactive", i+1)
				}
				if revoked, ok := n.nodes[i].RevocationIndexed(revTenant, jti); !ok || !revoked {
					t.Fatalf("node %d index: revoked %v, answered %v", i+1, revoked, ok)
				}
			}
		})
	}

	// A node that hears nothing and has not read the list since stops
	// trusting its index one TTL after its last read, and the store
	// answers.
	t.Run("lost notification: the TTL bounds it", func(t *testing.T) {
		iss, _, _ := n.issue(t, "app", 24*time.Hour)
		for i := range n.nodes {
			n.must(t, "sync", n.nodes[i].SyncRevocations(n.ctx))
		}
		n.must(t, "revoke", st().RevokeAccessToken(n.ctx, revTenant, iss.Access, n.clock.Now()))
		n.clock.Advance(oauth.DefaultCacheTTL)
		if n.status(t, 2, iss.Access.JTI) {
			t.Fatal("node 3: revoked token active one TTL after its last read")
		}
	})
}
