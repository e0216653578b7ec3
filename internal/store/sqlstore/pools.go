package sqlstore

import "database/sql"

// Pool names reported by PoolStats.
const (
	PoolWrite = "write" // SQLite: the one writer connection
	PoolRead  = "read"  // SQLite: the read-only readers
	PoolMain  = "main"  // PostgreSQL: the one pool for reads and writes
)

// PoolStats returns the statistics of the store's connection pools by
// name, for metrics: PoolWrite and PoolRead on SQLite, PoolMain on
// PostgreSQL.
func (s *Store) PoolStats() map[string]sql.DBStats {
	if s.postgres() {
		return map[string]sql.DBStats{PoolMain: s.w.Stats()}
	}
	return map[string]sql.DBStats{PoolWrite: s.w.Stats(), PoolRead: s.r.Stats()}
}

// SetMaxOpenConns resizes the pool that serves reads (--db-max-open-conns):
// on PostgreSQL the one pool, n open and half of them (at least one) kept
// idle; on SQLite the read-only readers, n open and all kept idle (the
// writer stays one connection). n <= 0 keeps the defaults.
func (s *Store) SetMaxOpenConns(n int) {
	if n <= 0 {
		return
	}
	if s.postgres() {
		s.w.SetMaxOpenConns(n)
		s.w.SetMaxIdleConns(max(1, n/2))
		return
	}
	s.r.SetMaxOpenConns(n)
	s.r.SetMaxIdleConns(n)
}
