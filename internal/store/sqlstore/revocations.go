package sqlstore

import (
	"context"
	"time"

	"github.com/authalla/authalla/internal/store"
)

// dbNow is the database's clock in each dialect, in the unit of its time
// columns (token_revocations.recorded_at is written with the same
// expression by the triggers of migration 0005).
const (
	dbNowSQLite   = `SELECT CAST(unixepoch('subsec') * 1000000 AS INTEGER)`
	dbNowPostgres = `SELECT clock_timestamp()`
)

// AccessTokenRevocations lists the revocation log (migration 0005):
// tokens recorded as inactive at or after since (database clock) that
// have not expired at now. The database's clock is read first, so that a
// caller that next asks from that instant (less an overlap) misses
// nothing that committed after this read.
func (s *Store) AccessTokenRevocations(ctx context.Context, since, now time.Time, limit int) ([]store.Revocation, time.Time, error) {
	d := s.reader()
	q := dbNowSQLite
	if s.postgres() {
		q = dbNowPostgres
	}
	var clock time.Time
	if err := d.row(ctx, q).Scan(ts(&clock)); err != nil {
		return nil, time.Time{}, s.wrap("revocations: database clock", err)
	}
	sql := `SELECT tenant_id, jti, expires_at FROM token_revocations
		WHERE recorded_at >= ? AND expires_at > ? ORDER BY recorded_at, tenant_id, jti`
	args := []any{since, now}
	if limit > 0 {
		sql += ` LIMIT ?`
		args = append(args, limit)
	}
	rows, err := d.query(ctx, sql, args...)
	if err != nil {
		return nil, time.Time{}, s.wrap("revocations", err)
	}
	defer rows.Close()
	var out []store.Revocation
	for rows.Next() {
		var r store.Revocation
		if err := rows.Scan(&r.TenantID, &r.JTI, ts(&r.ExpiresAt)); err != nil {
			return nil, time.Time{}, s.wrap("revocations: scan", err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, time.Time{}, s.wrap("revocations", err)
	}
	return out, clock, nil
}

var _ store.RevocationFeed = (*Store)(nil)
