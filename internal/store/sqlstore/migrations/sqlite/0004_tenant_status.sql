-- Tenant suspension: a suspended tenant's issuer refuses every request
-- until it is resumed. Existing tenants are active.

ALTER TABLE tenants ADD COLUMN status TEXT NOT NULL DEFAULT 'active'
    CHECK (status IN ('active', 'suspended'));
ALTER TABLE tenants ADD COLUMN suspended_at INTEGER;
