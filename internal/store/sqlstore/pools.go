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
