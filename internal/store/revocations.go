package store

import (
	"context"
	"time"
)

// Revocation is an access token that stopped being active before its
// expiry: revoked itself, or issued under a grant that was revoked or
// deleted (RFC 7009 §2).
type Revocation struct {
	TenantID  string
	JTI       string
	ExpiresAt time.Time
}

// RevocationFeed lists revocations for the nodes' in-memory revocation
// index. It is not part of Store: a store without it leaves every status
// check to AccessTokenActive.
type RevocationFeed interface {
	// AccessTokenRevocations returns the revocations the database recorded
	// at or after since (the database's clock; the zero time means all)
	// whose tokens have not expired at now, at most limit of them (limit
	// <= 0: no limit), together with the database's clock read before the
	// list. Re-reading a revocation is harmless: the caller passes a since
	// earlier than the previous call's clock to cover writes that committed
	// after that call read.
	AccessTokenRevocations(ctx context.Context, since, now time.Time, limit int) (revs []Revocation, dbNow time.Time, err error)
}
