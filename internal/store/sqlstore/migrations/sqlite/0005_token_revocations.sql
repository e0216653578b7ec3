-- The revocation log: every access token that stopped being active
-- before its expiry (revoked itself, or its grant revoked or deleted;
-- RFC 7009 §2), one row per token, for the nodes' in-memory revocation
-- index (internal/oauth/revocation_index.go). Triggers fill it, so that
-- every path that makes a token inactive is recorded whatever code runs
-- it. recorded_at is the database's clock (microseconds, like every time
-- column here), not a node's: the nodes poll "recorded since" with an
-- overlap and so never compare their own clocks with one another.
-- Rows go once the token expires (PurgeExpired).
CREATE TABLE token_revocations (
    tenant_id   TEXT    NOT NULL,
    jti         TEXT    NOT NULL,
    expires_at  INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, jti)
) STRICT;
CREATE INDEX token_revocations_recorded_idx ON token_revocations (recorded_at);
CREATE INDEX token_revocations_expires_idx ON token_revocations (expires_at);

-- A token recorded as revoked (client_credentials tokens get their row
-- only when revoked), or recorded under a grant that is revoked or gone.
CREATE TRIGGER access_tokens_revoked_insert AFTER INSERT ON access_tokens
WHEN NEW.revoked_at IS NOT NULL
  OR (NEW.grant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grants g
        WHERE g.tenant_id = NEW.tenant_id AND g.id = NEW.grant_id AND g.revoked_at IS NULL))
BEGIN
    INSERT INTO token_revocations (tenant_id, jti, expires_at, recorded_at)
    VALUES (NEW.tenant_id, NEW.jti, NEW.expires_at, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
    ON CONFLICT DO NOTHING;
END;

-- A token revoked (directly, or with its grant, user or client).
CREATE TRIGGER access_tokens_revoked_update AFTER UPDATE OF revoked_at ON access_tokens
WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    INSERT INTO token_revocations (tenant_id, jti, expires_at, recorded_at)
    VALUES (NEW.tenant_id, NEW.jti, NEW.expires_at, CAST(unixepoch('subsec') * 1000000 AS INTEGER))
    ON CONFLICT DO NOTHING;
END;

-- A grant revoked: its access tokens, even if no statement marks them.
CREATE TRIGGER grants_revoked AFTER UPDATE OF revoked_at ON grants
WHEN NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL
BEGIN
    INSERT INTO token_revocations (tenant_id, jti, expires_at, recorded_at)
    SELECT a.tenant_id, a.jti, a.expires_at, CAST(unixepoch('subsec') * 1000000 AS INTEGER)
    FROM access_tokens a WHERE a.tenant_id = NEW.tenant_id AND a.grant_id = NEW.id
    ON CONFLICT DO NOTHING;
END;

-- A grant deleted (its user deleted, or purged at its expiry): a token
-- whose grant is gone is not active.
CREATE TRIGGER grants_deleted AFTER DELETE ON grants
BEGIN
    INSERT INTO token_revocations (tenant_id, jti, expires_at, recorded_at)
    SELECT a.tenant_id, a.jti, a.expires_at, CAST(unixepoch('subsec') * 1000000 AS INTEGER)
    FROM access_tokens a WHERE a.tenant_id = OLD.tenant_id AND a.grant_id = OLD.id
    ON CONFLICT DO NOTHING;
END;

-- What is inactive already, as AccessTokenActive decides it.
INSERT INTO token_revocations (tenant_id, jti, expires_at, recorded_at)
SELECT a.tenant_id, a.jti, a.expires_at, CAST(unixepoch('subsec') * 1000000 AS INTEGER)
FROM access_tokens a
LEFT JOIN grants g ON g.tenant_id = a.tenant_id AND g.id = a.grant_id
WHERE a.revoked_at IS NOT NULL OR (a.grant_id IS NOT NULL AND (g.id IS NULL OR g.revoked_at IS NOT NULL));
