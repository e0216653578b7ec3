-- Uploaded branding images (logo, icon), served by the hosted pages from
-- the tenant's own host. One row per tenant and kind; the image bytes are
-- bounded by the management layer (256 KiB).

CREATE TABLE theme_assets (
    tenant_id    TEXT    NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL CHECK (kind IN ('logo', 'icon')),
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (tenant_id, kind)
) STRICT;
