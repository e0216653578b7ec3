package oauth

import (
	"context"
	"errors"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// changeStore is the Provider's view of the store: every revocation the
// Provider commits (the revocation endpoint, RFC 7009; replayed codes and
// refresh tokens, RFC 9700 §4.14.2, whether detected here or atomically by
// the store) announces a ChangeToken, so that the token-status cache of
// this node forgets it before the response is sent and other nodes learn
// of it (Provider.commitChange). Wrapping the store keeps this in one
// place instead of after each call.
type changeStore struct {
	store.Store
	commit func(idp.Change)
}

// RevokeGrant revokes a grant and announces it.
func (s changeStore) RevokeGrant(ctx context.Context, tenantID, grantID string, at time.Time) error {
	err := s.Store.RevokeGrant(ctx, tenantID, grantID, at)
	s.announce(err, tenantID, grantID)
	return err
}

// RevokeUserGrants revokes a user's grants and announces it.
func (s changeStore) RevokeUserGrants(ctx context.Context, tenantID, userID, clientID string, at time.Time) error {
	err := s.Store.RevokeUserGrants(ctx, tenantID, userID, clientID, at)
	s.announce(err, tenantID, "")
	return err
}

// RevokeAccessToken revokes one access token and announces it.
func (s changeStore) RevokeAccessToken(ctx context.Context, tenantID string, r *idp.AccessTokenRecord, at time.Time) error {
	err := s.Store.RevokeAccessToken(ctx, tenantID, r, at)
	s.announce(err, tenantID, r.JTI)
	return err
}

// RedeemAuthCode redeems a code; a replay that raced the first redemption
// makes the store revoke that redemption's grant (idp.ErrAlreadyUsed),
// which is announced.
func (s changeStore) RedeemAuthCode(ctx context.Context, tenantID, hash string, at time.Time, iss store.Issue) error {
	err := s.Store.RedeemAuthCode(ctx, tenantID, hash, at, iss)
	if errors.Is(err, idp.ErrAlreadyUsed) {
		s.commit(idp.Change{Kind: idp.ChangeToken, TenantID: tenantID})
	}
	return err
}

// RotateRefreshToken rotates a refresh token; reuse outside the grace
// window makes the store revoke the family (idp.ErrAlreadyUsed), which is
// announced.
func (s changeStore) RotateRefreshToken(ctx context.Context, tenantID, oldHash string, at time.Time, opts store.RotateOptions, iss store.Issue) error {
	err := s.Store.RotateRefreshToken(ctx, tenantID, oldHash, at, opts, iss)
	if errors.Is(err, idp.ErrAlreadyUsed) {
		s.commit(idp.Change{Kind: idp.ChangeToken, TenantID: tenantID})
	}
	return err
}

// announce commits a ChangeToken for a revocation that succeeded.
func (s changeStore) announce(err error, tenantID, id string) {
	if err == nil {
		s.commit(idp.Change{Kind: idp.ChangeToken, TenantID: tenantID, ID: id})
	}
}
