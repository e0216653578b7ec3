package storetest

import (
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

func testRefreshTokens(t *testing.T, f *fixture) {
	s, ctx := f.s, f.ctx
	strict := store.RotateOptions{}
	grace := store.RotateOptions{Grace: time.Minute, MaxReuse: 2}
	next := func(tenantID string) store.Issue {
		return issueOf(nil, f.refreshValue(tenantID), f.accessValue(tenantID))
	}
	t.Run("Get", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		rt, g, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		wantEqual(t, rt, iss.Refresh)
		wantEqual(t, g, iss.Grant)
	})
	t.Run("NotFound", func(t *testing.T) {
		_, _, err := s.GetRefreshToken(ctx, tenantA, "no-such-hash")
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, "no-such-hash", t0, strict, next(tenantA)), idp.ErrNotFound)
	})
	t.Run("RequiresRefresh", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, t0, strict, store.Issue{}), idp.ErrInvalid)
	})
	t.Run("CrossTenant", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		_, _, err := s.GetRefreshToken(ctx, tenantB, iss.Refresh.Hash)
		wantErr(t, err, idp.ErrNotFound)
		wantErr(t, s.RotateRefreshToken(ctx, tenantB, iss.Refresh.Hash, t0, strict, next(tenantB)), idp.ErrNotFound)
		rt, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		if rt.RotatedAt != nil {
			t.Fatal("a rotation through tenant B touched tenant A's token")
		}
		wantRevoked(t, f, tenantA, iss, false)
	})
	t.Run("Rotate", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		n := next(tenantA)
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, strict, n))

		old, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		if old.RotatedAt == nil || !old.RotatedAt.Equal(at) || old.SuccessorHash != n.Refresh.Hash {
			t.Fatalf("old token after rotation: %+v", old)
		}
		rt, g, err := s.GetRefreshToken(ctx, tenantA, n.Refresh.Hash)
		must(t, err)
		wantEqual(t, rt.GrantID, iss.Grant.ID)
		wantEqual(t, g.ID, iss.Grant.ID)
		wantEqual(t, rt, n.Refresh)
		active, err := s.AccessTokenActive(ctx, tenantA, n.Access.JTI)
		must(t, err)
		wantEqual(t, active, true)
		wantEqual(t, n.Access.GrantID, iss.Grant.ID)

		// The successor rotates in turn.
		must(t, s.RotateRefreshToken(ctx, tenantA, n.Refresh.Hash, at.Add(time.Hour), strict, next(tenantA)))
	})
	t.Run("StrictReuseRevokesFamily", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		n := next(tenantA)
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, strict, n))
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, strict, next(tenantA)), idp.ErrAlreadyUsed)
		wantRevoked(t, f, tenantA, iss, true)
		active, err := s.AccessTokenActive(ctx, tenantA, n.Access.JTI)
		must(t, err)
		wantEqual(t, active, false)
		// The legitimate successor is dead as well, and a further replay is
		// still reported as one.
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, n.Refresh.Hash, at, strict, next(tenantA)), idp.ErrExpired)
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, strict, next(tenantA)), idp.ErrAlreadyUsed)
	})
	t.Run("GraceReuse", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, grace, next(tenantA)))
		// Two reuses within the window are allowed and join the family.
		for i := 1; i <= 2; i++ {
			n := next(tenantA)
			must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(time.Duration(i)*time.Second), grace, n))
			rt, _, err := s.GetRefreshToken(ctx, tenantA, n.Refresh.Hash)
			must(t, err)
			wantEqual(t, rt.GrantID, iss.Grant.ID)
			old, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
			must(t, err)
			wantEqual(t, old.ReuseCount, i)
		}
		wantRevoked(t, f, tenantA, iss, false)
		// The third exceeds MaxReuse.
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(3*time.Second), grace, next(tenantA)), idp.ErrAlreadyUsed)
		wantRevoked(t, f, tenantA, iss, true)
	})
	t.Run("GraceSameSuccessor", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		first := next(tenantA)
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, grace, first))
		stored, _, err := s.GetRefreshToken(ctx, tenantA, first.Refresh.Hash)
		must(t, err)
		// A racer derived the same successor: it is not stored again, its
		// access record is, and the reuse counts.
		racer := again(f, tenantA, first, at.Add(time.Second))
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(time.Second), grace, racer))
		rt, _, err := s.GetRefreshToken(ctx, tenantA, first.Refresh.Hash)
		must(t, err)
		wantEqual(t, rt, stored)
		old, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		wantEqual(t, old.ReuseCount, 1)
		wantEqual(t, old.SuccessorHash, first.Refresh.Hash)
		for _, jti := range []string{first.Access.JTI, racer.Access.JTI} {
			active, err := s.AccessTokenActive(ctx, tenantA, jti)
			must(t, err)
			wantEqual(t, active, true)
		}
		wantEqual(t, racer.Access.GrantID, iss.Grant.ID)
		wantRevoked(t, f, tenantA, iss, false)

		// Convergence: the successor rotates; a late racer on the first
		// token still gets the successor, one on the successor gets its
		// successor, and the family stays one lineage.
		second := next(tenantA)
		must(t, s.RotateRefreshToken(ctx, tenantA, first.Refresh.Hash, at.Add(2*time.Second), grace, second))
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(3*time.Second), grace, again(f, tenantA, first, at.Add(3*time.Second))))
		must(t, s.RotateRefreshToken(ctx, tenantA, first.Refresh.Hash, at.Add(4*time.Second), grace, again(f, tenantA, second, at.Add(4*time.Second))))
		mid, _, err := s.GetRefreshToken(ctx, tenantA, first.Refresh.Hash)
		must(t, err)
		wantEqual(t, mid.SuccessorHash, second.Refresh.Hash)
		wantEqual(t, mid.ReuseCount, 1)
		wantRevoked(t, f, tenantA, iss, false)

		// MaxReuse keeps its meaning: the first token was reused twice, so
		// a third reuse, same successor or not, revokes the family.
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(5*time.Second), grace, again(f, tenantA, first, at.Add(5*time.Second))), idp.ErrAlreadyUsed)
		wantRevoked(t, f, tenantA, iss, true)
	})
	t.Run("SameSuccessorOutsideGrace", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opts store.RotateOptions
			late time.Duration
		}{
			{name: "strict", opts: strict},
			{name: "window over", opts: grace, late: grace.Grace + time.Microsecond},
		} {
			t.Run(tc.name, func(t *testing.T) {
				iss := f.issue(t, tenantA)
				at := t0.Add(time.Hour)
				first := next(tenantA)
				must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, tc.opts, first))
				racer := again(f, tenantA, first, at.Add(tc.late))
				wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at.Add(tc.late), tc.opts, racer), idp.ErrAlreadyUsed)
				wantRevoked(t, f, tenantA, iss, true)
				active, err := s.AccessTokenActive(ctx, tenantA, first.Access.JTI)
				must(t, err)
				wantEqual(t, active, false)
			})
		}
	})
	t.Run("GraceWindowOver", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		at := t0.Add(time.Hour)
		must(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, at, grace, next(tenantA)))
		late := at.Add(grace.Grace + time.Microsecond)
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, late, grace, next(tenantA)), idp.ErrAlreadyUsed)
		wantRevoked(t, f, tenantA, iss, true)
	})
	t.Run("ExpiredToken", func(t *testing.T) {
		iss := f.issue(t, tenantA)
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, iss.Refresh.Hash, iss.Refresh.ExpiresAt, strict, next(tenantA)), idp.ErrExpired)
		rt, _, err := s.GetRefreshToken(ctx, tenantA, iss.Refresh.Hash)
		must(t, err)
		if rt.RotatedAt != nil {
			t.Fatal("an expired token was rotated")
		}
	})
	t.Run("ExpiredGrant", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		g := f.grantValue(tenantA)
		g.ExpiresAt = t0.Add(time.Hour)
		r := f.refreshValue(tenantA) // expires after the grant
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, t0, issueOf(g, r, nil)))
		wantErr(t, s.RotateRefreshToken(ctx, tenantA, r.Hash, g.ExpiresAt, strict, next(tenantA)), idp.ErrExpired)
	})
	t.Run("SuccessorCappedAtGrantExpiry", func(t *testing.T) {
		c := f.codeValue(tenantA)
		must(t, s.CreateAuthCode(ctx, tenantA, c))
		g := f.grantValue(tenantA)
		g.ExpiresAt = t0.Add(time.Hour)
		r := f.refreshValue(tenantA)
		must(t, s.RedeemAuthCode(ctx, tenantA, c.Hash, t0, issueOf(g, r, nil)))
		n := next(tenantA) // asks for 30 days
		must(t, s.RotateRefreshToken(ctx, tenantA, r.Hash, t0.Add(time.Minute), strict, n))
		got, _, err := s.GetRefreshToken(ctx, tenantA, n.Refresh.Hash)
		must(t, err)
		wantEqual(t, got.ExpiresAt, g.ExpiresAt)
	})
}

// again is what a racer presenting the same token sends when successors
// are derived: the successor prev issued (same hash, minted at) and a
// fresh access record.
func again(f *fixture, tenantID string, prev store.Issue, at time.Time) store.Issue {
	r := *prev.Refresh
	r.CreatedAt, r.ExpiresAt = at, at.Add(30*24*time.Hour)
	r.RotatedAt, r.SuccessorHash, r.ReuseCount = nil, "", 0
	return issueOf(nil, &r, f.accessValue(tenantID))
}
