package manage

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
)

// Dry run: a caller (the MCP server's tools, which accept dry_run) asks
// what a change would do before making it. In dry-run mode every mutating
// operation authorizes the caller and validates its input exactly as it
// does for real — so a dry run fails wherever the real call would — and
// then returns the object as it would be stored, without writing to the
// store, without touching signing keys or caches, and without an audit
// record (nothing happened to audit).
//
// What cannot be shown without creating it is left out: client secrets are
// not generated in a dry run (ClientCreated.Secret is nil, and
// AddClientSecret returns a NewSecret whose Value and Hint are empty); a
// signing key that would be generated has no kid or public key yet.
// Objects that would be created do carry the ids the real call would
// generate from the service's randomness, so that a plan can name them.

type dryRunKey struct{}

// WithDryRun returns ctx in which mutating operations only authorize,
// validate and report the change they would make.
func WithDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey{}, true)
}

// IsDryRun reports whether ctx asks for a dry run.
func IsDryRun(ctx context.Context) bool {
	v, _ := ctx.Value(dryRunKey{}).(bool)
	return v
}

// dryRun is the check each mutation makes after validation, just before
// its first write.
func dryRun(ctx context.Context) bool { return IsDryRun(ctx) }

// mustNotExist reproduces, for a dry run, the conflict a store insert
// would report: get is the lookup of the would-be key; errConflict is the
// error the real operation returns for it.
func mustNotExist(get func() error, errConflict error) error {
	switch err := get(); {
	case err == nil:
		return errConflict
	case errors.Is(err, idp.ErrNotFound):
		return nil
	default:
		return fmt.Errorf("manage: dry run: %w", err)
	}
}

// emailFree reports the conflict a user insert or update would hit: the
// email belongs to another user of the tenant than exceptID.
func (s *Service) emailFree(ctx context.Context, tenantID, email, exceptID string) error {
	u, err := s.store.GetUserByEmail(ctx, tenantID, email)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		return nil
	case err != nil:
		return fmt.Errorf("manage: dry run: %w", err)
	case u.ID == exceptID:
		return nil
	}
	return fmt.Errorf("manage: a user with this email exists in the tenant: %w", idp.ErrConflict)
}

// secretExists answers a dry-run secret deletion as the store would: not
// found unless the client has the secret.
func (s *Service) secretExists(ctx context.Context, tenantID, clientID, secretID string) error {
	ss, err := s.store.ListClientSecrets(ctx, tenantID, clientID)
	if err != nil {
		return fmt.Errorf("manage: delete client secret: %w", err)
	}
	for _, sec := range ss {
		if sec.ID == secretID {
			return nil
		}
	}
	return fmt.Errorf("manage: delete client secret %q: %w", secretID, idp.ErrNotFound)
}

// The signing-key plans below describe what package keys would do, from
// the tenant's current keys, without generating or changing one. A key
// that would be generated is shown with its algorithm and state but no
// kid or public key. One refusal cannot be foreseen here: activating a
// staged key that has not yet been published for the JWKS max-age (the
// keys package's rule, without force) — the plan shows the activation.

// planRotate is RotateSigningKey's dry run (keys.Manager.Rotate's steps).
func (s *Service) planRotate(ctx context.Context, tenantID, alg string, immediate bool) (*keys.RotateResult, error) {
	alg, err := keys.NormalizeAlg(alg)
	if err != nil {
		return nil, err
	}
	ks, err := s.keys.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("manage: list signing keys: %w", err)
	}
	now := s.clock.Now()
	fresh := func(state idp.KeyState) *idp.SigningKey {
		return &idp.SigningKey{TenantID: tenantID, Alg: alg, State: state, CreatedAt: now}
	}
	cur := keyIn(ks, func(k *idp.SigningKey) bool { return k.State == idp.KeyActive })
	switch {
	case cur == nil:
		return &keys.RotateResult{Activated: fresh(idp.KeyActive)}, nil
	case immediate:
		// One new key, shown as created (staged) and then activated.
		a := fresh(idp.KeyActive)
		a.ActivatedAt = &now
		return &keys.RotateResult{Staged: fresh(idp.KeyStaged), Activated: a, Retired: retiredAt(cur, now)}, nil
	}
	if st := newestStaged(ks); st != nil && st.Alg == alg {
		a := publicKey(st)
		a.State, a.ActivatedAt = idp.KeyActive, &now
		return &keys.RotateResult{Activated: a, Retired: retiredAt(cur, now)}, nil
	}
	return &keys.RotateResult{Staged: fresh(idp.KeyStaged)}, nil
}

// planStage is StageSigningKey's dry run.
func planStage(tenantID, alg string, now time.Time) (*idp.SigningKey, error) {
	alg, err := keys.NormalizeAlg(alg)
	if err != nil {
		return nil, err
	}
	return &idp.SigningKey{TenantID: tenantID, Alg: alg, State: idp.KeyStaged, CreatedAt: now}, nil
}

// planActivate is ActivateSigningKey's dry run (keys.Manager.Activate).
func (s *Service) planActivate(ctx context.Context, tenantID, kid string) (*keys.RotateResult, error) {
	k, ks, err := s.findKey(ctx, tenantID, kid)
	if err != nil {
		return nil, err
	}
	switch k.State {
	case idp.KeyActive:
		return &keys.RotateResult{Activated: publicKey(k)}, nil
	case idp.KeyRetired:
		return nil, fmt.Errorf("manage: activate signing key: %w (%w): key %s", keys.ErrKeyRetired, idp.ErrConflict, kid)
	}
	now := s.clock.Now()
	a := publicKey(k)
	a.State, a.ActivatedAt = idp.KeyActive, &now
	res := &keys.RotateResult{Activated: a}
	if cur := keyIn(ks, func(k *idp.SigningKey) bool { return k.State == idp.KeyActive }); cur != nil {
		res.Retired = retiredAt(cur, now)
	}
	return res, nil
}

// planRetire is RetireSigningKey's dry run (keys.Manager.Retire).
func (s *Service) planRetire(ctx context.Context, tenantID, kid string) (*keys.RetireResult, error) {
	k, _, err := s.findKey(ctx, tenantID, kid)
	if err != nil {
		return nil, err
	}
	switch k.State {
	case idp.KeyActive:
		return nil, fmt.Errorf("manage: retire signing key: %w (%w): key %s", keys.ErrKeyActive, idp.ErrConflict, kid)
	case idp.KeyRetired:
		return &keys.RetireResult{Key: publicKey(k)}, nil
	}
	return &keys.RetireResult{Key: publicKey(k), Removed: true}, nil
}

// findKey returns the tenant's key kid (idp.ErrNotFound when it has none)
// and all its keys.
func (s *Service) findKey(ctx context.Context, tenantID, kid string) (*idp.SigningKey, []idp.SigningKey, error) {
	ks, err := s.keys.List(ctx, tenantID)
	if err != nil {
		return nil, nil, fmt.Errorf("manage: list signing keys: %w", err)
	}
	k := keyIn(ks, func(k *idp.SigningKey) bool { return k.ID == kid })
	if k == nil {
		return nil, nil, fmt.Errorf("manage: signing key %s: %w", kid, idp.ErrNotFound)
	}
	return k, ks, nil
}

func keyIn(ks []idp.SigningKey, match func(*idp.SigningKey) bool) *idp.SigningKey {
	for i := range ks {
		if match(&ks[i]) {
			return &ks[i]
		}
	}
	return nil
}

// newestStaged is the staged key created last (the one a rotation would
// activate).
func newestStaged(ks []idp.SigningKey) *idp.SigningKey {
	var out *idp.SigningKey
	for i := range ks {
		if k := &ks[i]; k.State == idp.KeyStaged && (out == nil || k.CreatedAt.After(out.CreatedAt)) {
			out = k
		}
	}
	return out
}

// retiredAt is the public part of k as it would be once retired at now.
func retiredAt(k *idp.SigningKey, now time.Time) *idp.SigningKey {
	r := publicKey(k)
	r.State, r.RetiredAt = idp.KeyRetired, &now
	return r
}
