package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const keyCols = `tenant_id, id, alg, state, private_enc, public_jwk, created_at, activated_at, retired_at, remove_after`

// CreateSigningKey inserts k; idp.ErrConflict if the kid exists (kids are
// unique across the install) or k is a second active key of the tenant.
func (s *Store) CreateSigningKey(ctx context.Context, tenantID string, k *idp.SigningKey) error {
	_, err := s.writer().exec(ctx, `INSERT INTO signing_keys (`+keyCols+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tenantID, k.ID, k.Alg, string(k.State), k.PrivateEnc, k.PublicJWK, k.CreatedAt,
		k.ActivatedAt, k.RetiredAt, k.RemoveAfter)
	return s.wrap("create signing key", err)
}

// ListSigningKeys returns every key of the tenant not yet deleted, oldest first.
func (s *Store) ListSigningKeys(ctx context.Context, tenantID string) ([]idp.SigningKey, error) {
	rows, err := s.reader().query(ctx, `SELECT `+keyCols+` FROM signing_keys
		WHERE tenant_id = ? ORDER BY created_at, id`, tenantID)
	if err != nil {
		return nil, s.wrap("list signing keys", err)
	}
	defer rows.Close()
	var out []idp.SigningKey
	for rows.Next() {
		k, err := scanSigningKey(rows)
		if err != nil {
			return nil, s.wrap("list signing keys", err)
		}
		out = append(out, k)
	}
	return out, s.wrap("list signing keys", rows.Err())
}

// scanSigningKey scans the keyCols of one row.
func scanSigningKey(sc scanner) (idp.SigningKey, error) {
	var k idp.SigningKey
	var state string
	err := sc.Scan(&k.TenantID, &k.ID, &k.Alg, &state, &k.PrivateEnc, &k.PublicJWK,
		ts(&k.CreatedAt), nullTS(&k.ActivatedAt), nullTS(&k.RetiredAt), nullTS(&k.RemoveAfter))
	k.State = idp.KeyState(state)
	return k, err
}

// ActivateSigningKey makes the staged key kid active and, in the same
// transaction, retires the previously active key (RetiredAt = at,
// RemoveAfter = removeAfter). idp.ErrNotFound if kid is not a staged key of
// the tenant. Concurrent activations in one tenant serialise on the
// tenant's row, so there is never more or less than one active key.
func (s *Store) ActivateSigningKey(ctx context.Context, tenantID, kid string, at, removeAfter time.Time) error {
	return s.tx(ctx, "activate signing key", func(d runner) error {
		var one int
		lock := `SELECT 1 FROM tenants WHERE id = ?`
		if s.postgres() {
			// NO KEY UPDATE does not block foreign-key checks of other rows.
			lock += ` FOR NO KEY UPDATE`
		}
		if err := d.row(ctx, lock, tenantID).Scan(&one); err != nil {
			return err
		}
		var state string
		if err := d.row(ctx, `SELECT state FROM signing_keys WHERE tenant_id = ? AND id = ?`,
			tenantID, kid).Scan(&state); err != nil {
			return err
		}
		if idp.KeyState(state) != idp.KeyStaged {
			return idp.ErrNotFound
		}
		// Retire first: a partial unique index allows one active key.
		if _, err := d.exec(ctx, `UPDATE signing_keys SET state = ?, retired_at = ?, remove_after = ?
			WHERE tenant_id = ? AND state = ?`,
			string(idp.KeyRetired), at, removeAfter, tenantID, string(idp.KeyActive)); err != nil {
			return err
		}
		n, err := d.execN(ctx, `UPDATE signing_keys SET state = ?, activated_at = ?
			WHERE tenant_id = ? AND id = ? AND state = ?`,
			string(idp.KeyActive), at, tenantID, kid, string(idp.KeyStaged))
		return affected(n, err)
	})
}

// DeleteSigningKey removes a retired (or never activated) key;
// idp.ErrInvalid if it is active, idp.ErrNotFound if absent.
func (s *Store) DeleteSigningKey(ctx context.Context, tenantID, kid string) error {
	return s.tx(ctx, "delete signing key", func(d runner) error {
		var state string
		if err := d.row(ctx, `SELECT state FROM signing_keys WHERE tenant_id = ? AND id = ?`+s.forUpdate(),
			tenantID, kid).Scan(&state); err != nil {
			return err
		}
		if idp.KeyState(state) == idp.KeyActive {
			return idp.Invalid("kid", "the active signing key cannot be deleted")
		}
		_, err := d.exec(ctx, `DELETE FROM signing_keys WHERE tenant_id = ? AND id = ?`, tenantID, kid)
		return err
	})
}

// TenantsWithKeysDue lists the tenants with a staged key created at or
// before stagedBy or a retired key to remove at or before removeBy, in one
// query instead of one per tenant. Each branch of the OR is answered from
// its partial index (migration 0006: staged keys by created_at, retired
// keys by remove_after), which holds only the few keys not active, so the
// query reads no active key whatever the number of tenants. The result is
// sorted and deduplicated here: asked for in SQL (DISTINCT, ORDER BY
// tenant_id), SQLite prefers to walk the primary key in tenant order,
// reading every key of the install.
func (s *Store) TenantsWithKeysDue(ctx context.Context, stagedBy, removeBy time.Time) ([]string, error) {
	rows, err := s.reader().query(ctx, `SELECT tenant_id FROM signing_keys
		WHERE (state = 'staged' AND created_at <= ?)
			OR (state = 'retired' AND remove_after IS NOT NULL AND remove_after <= ?)`, stagedBy, removeBy)
	if err != nil {
		return nil, s.wrap("tenants with keys due", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, s.wrap("tenants with keys due", err)
		}
		out = append(out, id)
	}
	if err := rows.Err(); err != nil {
		return nil, s.wrap("tenants with keys due", err)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}
