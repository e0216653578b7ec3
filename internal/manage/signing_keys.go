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
	res, err := s.keys.Rotate(ctx, tenantID, t.SigningAlg, immediate)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "signing_key", "", err, nil)
		return nil, fmt.Errorf("manage: rotate signing key: %w", err)
	}
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
