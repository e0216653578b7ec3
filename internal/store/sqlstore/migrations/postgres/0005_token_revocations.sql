-- The revocation log: every access token that stopped being active
-- before its expiry (revoked itself, or its grant revoked or deleted;
-- RFC 7009 §2), one row per token, for the nodes' in-memory revocation
-- index (internal/oauth/revocation_index.go). Triggers fill it, so that
-- every path that makes a token inactive is recorded whatever code runs
-- it. recorded_at is the database's clock (clock_timestamp(): the time of
-- the insert, not of the transaction's start, so the gap to the commit is
-- as short as it can be), not a node's: the nodes poll "recorded since"
-- with an overlap and so never compare their own clocks with one another.
-- Rows go once the token expires (PurgeExpired).
CREATE TABLE token_revocations (
    tenant_id   TEXT        NOT NULL,
    jti         TEXT        NOT NULL,
    expires_at  TIMESTAMPTZ NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX token_revocations_recorded_idx ON token_revocations (recorded_at);
CREATE INDEX token_revocations_expires_idx ON token_revocations (expires_at);

-- A token recorded as revoked (client_credentials tokens get their row
-- only when revoked), or recorded under a grant that is revoked or gone;
-- or a token revoked later (directly, or with its grant, user or client).
CREATE FUNCTION authalla_access_token_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.revoked_at IS NOT NULL AND (TG_OP = 'INSERT' OR OLD.revoked_at IS NULL)
       OR (TG_OP = 'INSERT' AND NEW.grant_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM grants g
            WHERE g.tenant_id = NEW.tenant_id AND g.id = NEW.grant_id AND g.revoked_at IS NULL)) THEN
        INSERT INTO token_revocations (tenant_id, jti, expires_at)
        VALUES (NEW.tenant_id, NEW.jti, NEW.expires_at)
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER access_tokens_revoked AFTER INSERT OR UPDATE OF revoked_at ON access_tokens
    FOR EACH ROW EXECUTE FUNCTION authalla_access_token_revoked();

-- A grant revoked or deleted (its user deleted, or purged at its expiry):
-- its access tokens, even if no statement marks them.
CREATE FUNCTION authalla_grant_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' OR (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL) THEN
        INSERT INTO token_revocations (tenant_id, jti, expires_at)
        SELECT a.tenant_id, a.jti, a.expires_at
        FROM access_tokens a WHERE a.tenant_id = OLD.tenant_id AND a.grant_id = OLD.id
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER grants_ended AFTER DELETE OR UPDATE OF revoked_at ON grants
    FOR EACH ROW EXECUTE FUNCTION authalla_grant_ended();

-- What is inactive already, as AccessTokenActive decides it.
INSERT INTO token_revocations (tenant_id, jti, expires_at)
SELECT a.tenant_id, a.jti, a.expires_at
FROM access_tokens a
LEFT JOIN grants g ON g.tenant_id = a.tenant_id AND g.id = a.grant_id
WHERE a.revoked_at IS NOT NULL OR (a.grant_id IS NOT NULL AND (g.id IS NULL OR g.revoked_at IS NOT NULL));
