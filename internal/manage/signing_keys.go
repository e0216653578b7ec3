package manage

import (
	"context"
	"fmt"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
)

// publicKey strips the encrypted private key from k.
func publicKey(k *idp.SigningKey) *idp.SigningKey {
	if k == nil {
		return nil
	}
	c := *k
	c.PrivateEnc = nil
	return &c
}

// ListSigningKeys lists a tenant's signing keys, oldest first, without
// their (encrypted) private parts.
func (s *Service) ListSigningKeys(ctx context.Context, tenantID string) ([]idp.SigningKey, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	ks, err := s.keys.List(ctx, tenantID)
	if err != nil {
		return nil, fmt.Errorf("manage: list signing keys: %w", err)
	}
	for i := range ks {
		ks[i].PrivateEnc = nil
	}
	return ks, nil
}

// RotateSigningKey runs one step of the staged rotation with the tenant's
// algorithm: stage a new key (published before it signs), or activate a
// staged key that has been published long enough. With immediate the new
// key signs at once; tokens signed by the old key stay verifiable until
// they expire.
func (s *Service) RotateSigningKey(ctx context.Context, tenantID string, immediate bool) (*keys.RotateResult, error) {
	const action = "signing_key.rotate"
	a, t, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "signing_key", "", err)
		return nil, err
	}
	if dryRun(ctx) {
		return s.planRotate(ctx, tenantID, t.SigningAlg, immediate)
	}
	res, err := s.keys.Rotate(ctx, tenantID, t.SigningAlg, immediate)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "signing_key", "", err, nil)
		return nil, fmt.Errorf("manage: rotate signing key: %w", err)
	}
	s.changed(idp.ChangeKeys, tenantID, "")
	out := &keys.RotateResult{Staged: publicKey(res.Staged), Activated: publicKey(res.Activated), Retired: publicKey(res.Retired)}
	details := map[string]string{}
	objID := ""
	if out.Staged != nil {
		details["staged"] = out.Staged.ID
		objID = out.Staged.ID
	}
	if out.Activated != nil {
		details["activated"] = out.Activated.ID
		objID = out.Activated.ID
	}
	if out.Retired != nil {
		details["retired"] = out.Retired.ID
	}
	s.audit(ctx, a, tenantID, action, "signing_key", objID, nil, details)
	return out, nil
}

// StageSigningKey creates a staged key of alg (empty: the tenant's
// signing algorithm): published in the JWKS at once, not signing. It
// becomes active by ActivateSigningKey, a rotation, or automatically once
// relying parties' cached JWKS have had time to pick it up.
func (s *Service) StageSigningKey(ctx context.Context, tenantID, alg string) (*idp.SigningKey, error) {
	const action = "signing_key.stage"
	a, t, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "signing_key", "", err)
		return nil, err
	}
	if alg == "" {
		alg = t.SigningAlg
	}
	if dryRun(ctx) {
		return planStage(tenantID, alg, s.clock.Now())
	}
	k, err := s.keys.Stage(ctx, tenantID, alg)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "signing_key", "", err, map[string]string{"alg": alg})
		return nil, fmt.Errorf("manage: stage signing key: %w", err)
	}
	s.changed(idp.ChangeKeys, tenantID, "")
	s.audit(ctx, a, tenantID, action, "signing_key", k.ID, nil, map[string]string{"alg": k.Alg})
	return publicKey(k), nil
}

// ActivateSigningKey makes the staged key kid active now; the previous
// active key is retired and stays published while its tokens live.
// Without force, a key published for less than the JWKS max-age is
// refused (keys.ErrRotationPending): relying parties holding a cached
// JWKS may not know it yet and would reject the tokens it signs.
func (s *Service) ActivateSigningKey(ctx context.Context, tenantID, kid string, force bool) (*keys.RotateResult, error) {
	const action = "signing_key.activate"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "signing_key", kid, err)
		return nil, err
	}
	details := map[string]string{}
	if force {
		details["force"] = "true"
	}
	if dryRun(ctx) {
		return s.planActivate(ctx, tenantID, kid)
	}
	res, err := s.keys.Activate(ctx, tenantID, kid, force)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "signing_key", kid, err, details)
		return nil, fmt.Errorf("manage: activate signing key: %w", err)
	}
	s.changed(idp.ChangeKeys, tenantID, "")
	out := &keys.RotateResult{Activated: publicKey(res.Activated), Retired: publicKey(res.Retired)}
	if out.Retired != nil {
		details["retired"] = out.Retired.ID
	}
	s.audit(ctx, a, tenantID, action, "signing_key", kid, nil, details)
	return out, nil
}

// RetireSigningKey takes kid out of use: a staged key (which never
// signed) is removed; a retired key is left as it is; the active key is
// refused (keys.ErrKeyActive): activate another key first.
func (s *Service) RetireSigningKey(ctx context.Context, tenantID, kid string) (*keys.RetireResult, error) {
	const action = "signing_key.retire"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "signing_key", kid, err)
		return nil, err
	}
	if dryRun(ctx) {
		return s.planRetire(ctx, tenantID, kid)
	}
	res, err := s.keys.Retire(ctx, tenantID, kid)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "signing_key", kid, err, nil)
		return nil, fmt.Errorf("manage: retire signing key: %w", err)
	}
	s.changed(idp.ChangeKeys, tenantID, "")
	s.audit(ctx, a, tenantID, action, "signing_key", kid, nil, map[string]string{"removed": fmt.Sprint(res.Removed)})
	return &keys.RetireResult{Key: publicKey(res.Key), Removed: res.Removed}, nil
}
