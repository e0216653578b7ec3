package sqlstore

import (
	"context"
	"strings"
	"time"
)

// PurgeExpired deletes, across tenants, what expired before `before`:
// authorization requests, login challenges (once their link, the longer
// lifetime, expired), codes, access-token records and their revocations, sessions, and grants
// whose absolute lifetime ended together with their refresh tokens. It
// returns how many rows went.
func (s *Store) PurgeExpired(ctx context.Context, before time.Time) (int64, error) {
	// Every statement takes `before` once per placeholder.
	stmts := []string{
		`DELETE FROM auth_requests WHERE expires_at < ?`,
		`DELETE FROM login_challenges WHERE link_expires_at < ? AND pin_expires_at < ?`,
		`DELETE FROM auth_codes WHERE expires_at < ?`,
		`DELETE FROM access_tokens WHERE expires_at < ?`,
		`DELETE FROM token_revocations WHERE expires_at < ?`,
		`DELETE FROM sessions WHERE expires_at < ?`,
		// Refresh tokens go with their grant's absolute lifetime; a rotated
		// token is kept until then so that its replay is still detected.
		`DELETE FROM refresh_tokens WHERE EXISTS (SELECT 1 FROM grants g
			WHERE g.tenant_id = refresh_tokens.tenant_id AND g.id = refresh_tokens.grant_id AND g.expires_at < ?)`,
		`DELETE FROM grants WHERE expires_at < ?`,
	}
	var total int64
	err := s.tx(ctx, "purge expired", func(d runner) error {
		total = 0
		for _, st := range stmts {
			args := make([]any, strings.Count(st, "?"))
			for i := range args {
				args[i] = before
			}
			n, err := d.execN(ctx, st, args...)
			if err != nil {
				return err
			}
			total += n
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}
