-- Authalla schema, PostgreSQL dialect. Times are TIMESTAMPTZ (microsecond
-- precision), string lists JSON text. Every tenant-owned table carries
-- tenant_id in its primary key and cascades from tenants.

CREATE TABLE accounts (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE account_members (
    account_id TEXT    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    role       TEXT    NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (account_id, user_id)
);
CREATE INDEX account_members_user_idx ON account_members (user_id);

CREATE TABLE tenants (
    id                   TEXT    NOT NULL PRIMARY KEY,
    account_id           TEXT,
    name                 TEXT    NOT NULL,
    admin                BOOLEAN NOT NULL DEFAULT FALSE,
    allow_registration   BOOLEAN NOT NULL DEFAULT FALSE,
    auth_methods         TEXT    NOT NULL DEFAULT '[]',
    allowed_origins      TEXT    NOT NULL DEFAULT '[]',
    signing_alg          TEXT    NOT NULL,
    access_token_ttl     INTEGER NOT NULL,
    id_token_ttl         INTEGER NOT NULL,
    refresh_token_ttl    INTEGER NOT NULL,
    refresh_absolute_ttl INTEGER NOT NULL,
    session_ttl          INTEGER NOT NULL,
    session_idle_ttl     INTEGER NOT NULL,
    email_from_name      TEXT    NOT NULL DEFAULT '',
    email_from_address   TEXT    NOT NULL DEFAULT '',
    default_language     TEXT    NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE INDEX tenants_account_idx ON tenants (account_id, id);
-- At most one control-plane tenant.
CREATE UNIQUE INDEX tenants_one_admin_idx ON tenants (admin) WHERE admin;

CREATE TABLE themes (
    tenant_id  TEXT    NOT NULL PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
    light      TEXT    NOT NULL,
    dark       TEXT    NOT NULL,
    logo_url   TEXT    NOT NULL DEFAULT '',
    icon_url   TEXT    NOT NULL DEFAULT '',
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE clients (
    tenant_id                 TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                        TEXT    NOT NULL,
    name                      TEXT    NOT NULL,
    type                      TEXT    NOT NULL,
    redirect_uris             TEXT    NOT NULL DEFAULT '[]',
    post_logout_redirect_uris TEXT    NOT NULL DEFAULT '[]',
    scopes                    TEXT    NOT NULL DEFAULT '[]',
    require_consent           BOOLEAN NOT NULL DEFAULT FALSE,
    third_party               BOOLEAN NOT NULL DEFAULT FALSE,
    default_resource_server   TEXT    NOT NULL DEFAULT '',
    refresh_grace_seconds     INTEGER NOT NULL DEFAULT 0,
    created_at                TIMESTAMPTZ NOT NULL,
    updated_at                TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX clients_created_idx ON clients (tenant_id, created_at, id);

CREATE TABLE client_secrets (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    client_id  TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    hash       BYTEA   NOT NULL,
    hint       TEXT    NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, client_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE users (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id             TEXT    NOT NULL,
    email          TEXT,
    name           TEXT    NOT NULL DEFAULT '',
    picture        TEXT    NOT NULL DEFAULT '',
    email_verified BOOLEAN NOT NULL DEFAULT FALSE,
    status         TEXT    NOT NULL,
    scopes         TEXT    NOT NULL DEFAULT '[]',
    last_login     TIMESTAMPTZ,
    created_at     TIMESTAMPTZ NOT NULL,
    updated_at     TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email)
);
-- Listing and substring search walk a tenant's users in creation order.
CREATE INDEX users_search_idx ON users (tenant_id, created_at, id);

CREATE TABLE resource_servers (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL,
    identifier   TEXT    NOT NULL,
    name         TEXT    NOT NULL DEFAULT '',
    scope_prefix TEXT    NOT NULL DEFAULT '',
    scopes       TEXT    NOT NULL DEFAULT '[]',
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, identifier)
);
CREATE INDEX resource_servers_created_idx ON resource_servers (tenant_id, created_at, id);

CREATE TABLE signing_keys (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id           TEXT    NOT NULL UNIQUE,
    alg          TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('staged', 'active', 'retired')),
    private_enc  BYTEA   NOT NULL,
    public_jwk   BYTEA   NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    activated_at TIMESTAMPTZ,
    retired_at   TIMESTAMPTZ,
    remove_after TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id)
);
-- One signing key per tenant is active.
CREATE UNIQUE INDEX signing_keys_one_active_idx ON signing_keys (tenant_id) WHERE state = 'active';

CREATE TABLE sessions (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    auth_time  TIMESTAMPTZ NOT NULL,
    amr        TEXT    NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    last_seen  TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (tenant_id, user_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE auth_requests (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id                    TEXT    NOT NULL,
    client_id             TEXT    NOT NULL,
    redirect_uri          TEXT    NOT NULL,
    response_mode         TEXT    NOT NULL DEFAULT '',
    scope                 TEXT    NOT NULL DEFAULT '[]',
    state                 TEXT    NOT NULL DEFAULT '',
    nonce                 TEXT    NOT NULL DEFAULT '',
    code_challenge        TEXT    NOT NULL DEFAULT '',
    code_challenge_method TEXT    NOT NULL DEFAULT '',
    prompt                TEXT    NOT NULL DEFAULT '[]',
    max_age               INTEGER,
    login_hint            TEXT    NOT NULL DEFAULT '',
    resource              TEXT    NOT NULL DEFAULT '[]',
    issuer                TEXT    NOT NULL DEFAULT '',
    consent_given         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at            TIMESTAMPTZ NOT NULL,
    expires_at            TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_requests_expires_idx ON auth_requests (expires_at);

CREATE TABLE login_challenges (
    tenant_id       TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id              TEXT    NOT NULL,
    email           TEXT    NOT NULL,
    name            TEXT    NOT NULL DEFAULT '',
    user_id         TEXT,
    auth_request_id TEXT    NOT NULL DEFAULT '',
    browser_hash    TEXT    NOT NULL DEFAULT '',
    pin_hash        BYTEA,
    link_hash       BYTEA,
    attempts        INTEGER NOT NULL DEFAULT 0,
    pin_expires_at  TIMESTAMPTZ NOT NULL,
    link_expires_at TIMESTAMPTZ NOT NULL,
    consumed_at     TIMESTAMPTZ,
    created_at      TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, link_hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX login_challenges_expires_idx ON login_challenges (link_expires_at);

CREATE TABLE consents (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id    TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    scopes     TEXT    NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (tenant_id, user_id, client_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX consents_client_idx ON consents (tenant_id, client_id);

CREATE TABLE auth_codes (
    tenant_id             TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hash                  TEXT    NOT NULL,
    client_id             TEXT    NOT NULL,
    user_id               TEXT    NOT NULL,
    session_id            TEXT    NOT NULL DEFAULT '',
    redirect_uri          TEXT    NOT NULL,
    scope                 TEXT    NOT NULL DEFAULT '[]',
    audience              TEXT    NOT NULL DEFAULT '[]',
    nonce                 TEXT    NOT NULL DEFAULT '',
    code_challenge        TEXT    NOT NULL DEFAULT '',
    code_challenge_method TEXT    NOT NULL DEFAULT '',
    auth_time             TIMESTAMPTZ NOT NULL,
    amr                   TEXT    NOT NULL DEFAULT '[]',
    grant_id              TEXT,
    created_at            TIMESTAMPTZ NOT NULL,
    expires_at            TIMESTAMPTZ NOT NULL,
    consumed_at           TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    FOREIGN KEY (tenant_id, client_id) REFERENCES clients (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX auth_codes_expires_idx ON auth_codes (expires_at);

-- Grants outlive their client (DeleteClient revokes them) so that tokens of
-- a deleted client stay inactive; they go with their user.
CREATE TABLE grants (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id         TEXT    NOT NULL,
    client_id  TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    session_id TEXT    NOT NULL DEFAULT '',
    scope      TEXT    NOT NULL DEFAULT '[]',
    audience   TEXT    NOT NULL DEFAULT '[]',
    auth_time  TIMESTAMPTZ NOT NULL,
    amr        TEXT    NOT NULL DEFAULT '[]',
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX grants_user_idx ON grants (tenant_id, user_id);
CREATE INDEX grants_client_idx ON grants (tenant_id, client_id);
CREATE INDEX grants_expires_idx ON grants (expires_at);

CREATE TABLE refresh_tokens (
    tenant_id      TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    hash           TEXT    NOT NULL,
    grant_id       TEXT    NOT NULL,
    client_id      TEXT    NOT NULL,
    scope          TEXT    NOT NULL DEFAULT '[]',
    created_at     TIMESTAMPTZ NOT NULL,
    expires_at     TIMESTAMPTZ NOT NULL,
    rotated_at     TIMESTAMPTZ,
    successor_hash TEXT    NOT NULL DEFAULT '',
    reuse_count    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, hash),
    FOREIGN KEY (tenant_id, grant_id) REFERENCES grants (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX refresh_tokens_grant_idx ON refresh_tokens (tenant_id, grant_id);

-- Access-token records deliberately have no foreign key to grants: a record
-- whose grant is gone (its user was deleted) reads as inactive.
CREATE TABLE access_tokens (
    tenant_id  TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    jti        TEXT    NOT NULL,
    grant_id   TEXT,
    client_id  TEXT    NOT NULL DEFAULT '',
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ,
    PRIMARY KEY (tenant_id, jti)
);
CREATE INDEX access_tokens_grant_idx ON access_tokens (tenant_id, grant_id);
CREATE INDEX access_tokens_expires_idx ON access_tokens (expires_at);

CREATE TABLE audit_events (
    tenant_id   TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    id          TEXT    NOT NULL,
    occurred_at TIMESTAMPTZ NOT NULL,
    actor_type  TEXT    NOT NULL DEFAULT '',
    actor_id    TEXT    NOT NULL DEFAULT '',
    action      TEXT    NOT NULL,
    object_type TEXT    NOT NULL DEFAULT '',
    object_id   TEXT    NOT NULL DEFAULT '',
    outcome     TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT '',
    client_ip   TEXT    NOT NULL DEFAULT '',
    details     TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX audit_events_time_idx ON audit_events (tenant_id, occurred_at, id);
