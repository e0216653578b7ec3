package sqlstore

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared statements for SQLite.
//
// The SQLite driver compiles every statement it is given; for the short
// statements of the token endpoint compiling costs more than running them,
// and on the single writer that time is spent while every other write
// waits. stmtCache keeps each query of this package prepared once per pool
// (database/sql prepares it again on each connection that runs it), and a
// write transaction borrows the writer's statement. PostgreSQL needs none:
// pgx caches prepared statements per connection itself.

// maxCachedStmts bounds the cache. The queries of this package are
// constant strings, far fewer than this; a query past the bound simply
// runs unprepared.
const maxCachedStmts = 512

// stmtCache maps a query to its prepared statement on one pool.
type stmtCache struct {
	mu      sync.Mutex
	stmts   map[string]*sql.Stmt
	pending map[string]bool // being prepared in the background
	closed  bool
}

// lookup returns query's prepared statement, or nil.
func (c *stmtCache) lookup(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.stmts[query]
}

// get returns query prepared on db, preparing it on first use; nil when it
// cannot be prepared (the caller then runs the query directly and gets the
// real error, if any). No lock is held while preparing: that waits for a
// connection of db.
func (c *stmtCache) get(ctx context.Context, db *sql.DB, query string) *sql.Stmt {
	c.mu.Lock()
	st, full := c.stmts[query], len(c.stmts) >= maxCachedStmts || c.closed
	c.mu.Unlock()
	if st != nil || full {
		return st
	}
	// Preparation must not be cut short by one request's deadline: the
	// statement outlives the request.
	st, err := db.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.stmts[query]; prev != nil || c.closed {
		_ = st.Close()
		return prev
	}
	if c.stmts == nil {
		c.stmts = map[string]*sql.Stmt{}
	}
	c.stmts[query] = st
	return st
}

// prepareLater prepares query on db in the background. A transaction uses
// it for a query not prepared yet: the transaction holds the writer's only
// connection, so preparing on the pool must wait until it ends.
func (c *stmtCache) prepareLater(db *sql.DB, query string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed || c.stmts[query] != nil || c.pending[query] || len(c.stmts) >= maxCachedStmts {
		return
	}
	if c.pending == nil {
		c.pending = map[string]bool{}
	}
	c.pending[query] = true
	go func() {
		c.get(context.Background(), db, query)
		c.mu.Lock()
		delete(c.pending, query)
		c.mu.Unlock()
	}()
}

// close closes every cached statement; nothing is cached afterwards.
func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	for q, st := range c.stmts {
		_ = st.Close()
		delete(c.stmts, q)
	}
}

// stmt returns the prepared statement for query on the runner's pool or
// transaction, or nil to run query directly (PostgreSQL, or a statement
// that could not be prepared, or a transaction's query seen for the first
// time). A transaction's statement is closed with the transaction.
func (d runner) stmt(ctx context.Context, query string) *sql.Stmt {
	s := d.s
	if s.postgres() {
		return nil
	}
	switch x := d.x.(type) {
	case *sql.Tx:
		if st := s.wstmts.lookup(query); st != nil {
			return x.StmtContext(ctx, st)
		}
		s.wstmts.prepareLater(s.w, query)
	case *sql.DB:
		switch x {
		case s.w:
			return s.wstmts.get(ctx, s.w, query)
		case s.r:
			return s.rstmts.get(ctx, s.r, query)
		}
	}
	return nil
}
