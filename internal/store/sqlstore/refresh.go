package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

const refreshCols = `r.tenant_id, r.hash, r.grant_id, r.client_id, r.scope, r.created_at, r.expires_at,
	r.rotated_at, r.successor_hash, r.reuse_count`

const grantColsG = `g.tenant_id, g.id, g.client_id, g.user_id, g.session_id, g.scope, g.audience,
	g.auth_time, g.amr, g.created_at, g.expires_at, g.revoked_at`

// scanRefresh scans refreshCols followed by grantColsG.
func scanRefresh(sc scanner) (*idp.RefreshToken, *idp.Grant, error) {
	var r idp.RefreshToken
	g, err := scanGrant(sc, &r.TenantID, &r.Hash, &r.GrantID, &r.ClientID, jsonOf(&r.Scope),
		ts(&r.CreatedAt), ts(&r.ExpiresAt), nullTS(&r.RotatedAt), &r.SuccessorHash, &r.ReuseCount)
	if err != nil {
		return nil, nil, err
	}
	return &r, g, nil
}

// GetRefreshToken returns a refresh token with its grant, or idp.ErrNotFound.
func (s *Store) GetRefreshToken(ctx context.Context, tenantID, hash string) (*idp.RefreshToken, *idp.Grant, error) {
	r, g, err := scanRefresh(s.reader().row(ctx, `SELECT `+refreshCols+`, `+grantColsG+`
		FROM refresh_tokens r JOIN grants g ON g.tenant_id = r.tenant_id AND g.id = r.grant_id
		WHERE r.tenant_id = ? AND r.hash = ?`, tenantID, hash))
	return r, g, s.wrap("get refresh token", err)
}

// RotateRefreshToken atomically exchanges the token oldHash for iss.Refresh
// in the same grant and records iss.Access (OAuth 2.1 §4.3.1, RFC 9700
// §4.14.2: refresh token rotation). The token and its grant are locked for
// the transaction, so of concurrent rotations exactly one wins.
//
// A token that was already rotated is a replay: within opts.Grace of its
// rotation and while its reuse count is under opts.MaxReuse, the reuse is
// counted and, when iss.Refresh is the successor the first rotation stored
// (the caller derives successors deterministically), only iss.Access is
// recorded; a different iss.Refresh joins the same family as another
// member. Otherwise the whole grant is revoked and idp.ErrAlreadyUsed
// returned. A replay is reported as such
// even when the family is already revoked. Otherwise a revoked or expired
// grant or token gives idp.ErrExpired. iss.Grant is ignored; iss.Refresh
// and iss.Access get the grant's id, and the new token's expiry is capped
// at the grant's.
func (s *Store) RotateRefreshToken(ctx context.Context, tenantID, oldHash string, at time.Time,
	opts store.RotateOptions, iss store.Issue) error {
	if iss.Refresh == nil {
		return s.wrap("rotate refresh token", idp.Invalid("refresh", "is required"))
	}
	return s.groupTx(ctx, "rotate refresh token", func(ctx context.Context, d runner) error {
		old, g, err := scanRefresh(d.row(ctx, `SELECT `+refreshCols+`, `+grantColsG+`
			FROM refresh_tokens r JOIN grants g ON g.tenant_id = r.tenant_id AND g.id = r.grant_id
			WHERE r.tenant_id = ? AND r.hash = ?`+s.forUpdate(), tenantID, oldHash))
		if err != nil {
			return err
		}
		grantLive := g.RevokedAt == nil && at.Before(g.ExpiresAt)
		if old.RotatedAt != nil {
			inGrace := opts.Grace > 0 && at.Sub(*old.RotatedAt) <= opts.Grace && old.ReuseCount < opts.MaxReuse
			if !inGrace || !grantLive {
				if err := revokeGrant(ctx, d, tenantID, g.ID, at); err != nil {
					return err
				}
				return commitThen(idp.ErrAlreadyUsed)
			}
			n, err := d.execN(ctx, `UPDATE refresh_tokens SET reuse_count = reuse_count + 1
				WHERE tenant_id = ? AND hash = ? AND reuse_count < ?`, tenantID, oldHash, opts.MaxReuse)
			if err := affected(n, err); err != nil {
				return err
			}
			if iss.Refresh.Hash == old.SuccessorHash {
				// An idempotent successor (the caller derived the same
				// token the first rotation issued): the racer gets the
				// family's one successor back, so the family keeps a
				// single lineage. Only its access record is new.
				return insertIssued(ctx, d, tenantID, g.ID, store.Issue{Access: iss.Access})
			}
			return issueRotated(ctx, d, tenantID, g, at, iss)
		}
		if !grantLive || !at.Before(old.ExpiresAt) {
			return idp.ErrExpired
		}
		n, err := d.execN(ctx, `UPDATE refresh_tokens SET rotated_at = ?, successor_hash = ?
			WHERE tenant_id = ? AND hash = ? AND rotated_at IS NULL`, at, iss.Refresh.Hash, tenantID, oldHash)
		if err != nil {
			return err
		}
		if n != 1 {
			// Unreachable under the row lock; never issue twice.
			return idp.ErrAlreadyUsed
		}
		return issueRotated(ctx, d, tenantID, g, at, iss)
	})
}

// issueRotated stores the successor token and access record in grant g.
func issueRotated(ctx context.Context, d runner, tenantID string, g *idp.Grant, at time.Time, iss store.Issue) error {
	r := iss.Refresh
	if r.ExpiresAt.After(g.ExpiresAt) {
		r.ExpiresAt = g.ExpiresAt
	}
	r.RotatedAt, r.SuccessorHash, r.ReuseCount = nil, "", 0
	return insertIssued(ctx, d, tenantID, g.ID, store.Issue{Refresh: r, Access: iss.Access})
}
