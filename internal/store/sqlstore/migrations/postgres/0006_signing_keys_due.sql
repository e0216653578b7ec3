-- The maintenance pass asks every minute which tenants have a staged key
-- old enough to activate or a retired key past its retention
-- (TenantsWithKeysDue). Without an index that reads every signing key of
-- the install (one active key per tenant: 10,000 rows for 10,000
-- tenants) to find the few that are not active. These partial indexes
-- hold only staged and only retired keys, usually none, so the question
-- costs next to nothing whatever the number of tenants. Each index's
-- WHERE is exactly one branch of the query's OR, so that SQLite (which
-- needs the term itself in the query) and PostgreSQL both use them.

CREATE INDEX signing_keys_staged_idx ON signing_keys (created_at) WHERE state = 'staged';
CREATE INDEX signing_keys_retired_idx ON signing_keys (remove_after) WHERE state = 'retired';
