-- Dynamically registered clients (RFC 7591) and Client ID Metadata
-- Documents: flagged so that unused ones can be purged, with the hash of
-- the registration access token (RFC 7592 §3) and the client's home page.
-- Administrators' preferences (the MCP server's selected tenant).

ALTER TABLE clients ADD COLUMN dynamic INTEGER NOT NULL DEFAULT 0;
ALTER TABLE clients ADD COLUMN registration_token_hash BLOB;
ALTER TABLE clients ADD COLUMN client_uri TEXT NOT NULL DEFAULT '';
CREATE INDEX clients_dynamic_idx ON clients (dynamic, created_at) WHERE dynamic = 1;

CREATE TABLE admin_preferences (
    user_id           TEXT    NOT NULL PRIMARY KEY,
    default_tenant_id TEXT    NOT NULL DEFAULT '',
    updated_at        INTEGER NOT NULL
) STRICT;
