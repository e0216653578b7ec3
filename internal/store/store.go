package store

import (
	"context"
	"time"
)

// Store is the whole persistence layer.
type Store interface {
	Accounts
	AdminPreferences
	Tenants
	Themes
	ThemeAssets
	Clients
	Users
	ResourceServers
	SigningKeys
	Sessions
	AuthRequests
	LoginChallenges
	Consents
	Tokens
	Audit
	Startup

	// Ping checks that the database answers (readiness).
	Ping(ctx context.Context) error
	// PurgeExpired deletes, across tenants, artifacts whose lifetime ended
	// before `before`: auth requests, login challenges, codes, refresh tokens
	// of expired grants, access-token records, sessions. It returns how many
	// rows went.
	PurgeExpired(ctx context.Context, before time.Time) (int64, error)
	// Close releases the database.
	Close() error
}
