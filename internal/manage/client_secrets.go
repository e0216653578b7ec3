package manage

import (
	"context"
	"fmt"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

// NewSecret is a freshly created client secret. Value is the plaintext,
// shown once: only its SHA-256 is stored.
type NewSecret struct {
	ID        string
	Value     string
	Hint      string // the last four characters, shown in listings
	CreatedAt time.Time
}

// secretBytes is the entropy of a client secret: 256 bits, well above the
// 128 bits RFC 6749 §10.10 asks for, which is why a fast hash suffices.
const secretBytes = 32

// addSecret creates, stores (hashed) and returns a new secret.
func (s *Service) addSecret(ctx context.Context, tenantID, clientID string) (*NewSecret, error) {
	value, err := s.random.Token(secretBytes)
	if err != nil {
		return nil, err
	}
	id, err := s.random.ID("sec_")
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	cs := &idp.ClientSecret{
		TenantID: tenantID, ClientID: clientID, ID: id,
		Hash: secret.HashBytes(value), Hint: value[len(value)-4:], CreatedAt: now,
	}
	if err := s.store.AddClientSecret(ctx, tenantID, cs); err != nil {
		return nil, fmt.Errorf("manage: add client secret: %w", err)
	}
	s.changed(idp.ChangeClient, tenantID, clientID)
	return &NewSecret{ID: id, Value: value, Hint: cs.Hint, CreatedAt: now}, nil
}

// AddClientSecret creates another secret for a confidential client (for
// rotation: the old one keeps working until deleted). The plaintext is in
// the result, once.
func (s *Service) AddClientSecret(ctx context.Context, tenantID, clientID string) (*NewSecret, error) {
	const action = "client.secret.add"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "client", clientID, err)
		return nil, err
	}
	c, err := s.store.GetClient(ctx, tenantID, clientID)
	if err != nil {
		return nil, fmt.Errorf("manage: client %q: %w", clientID, err)
	}
	if c.Public() {
		return nil, idp.Invalid("type", "public clients (spa, native) have no secrets")
	}
	if dryRun(ctx) {
		// The secret's id only: no value is generated in a dry run.
		id, err := s.random.ID("sec_")
		if err != nil {
			return nil, err
		}
		return &NewSecret{ID: id, CreatedAt: s.clock.Now()}, nil
	}
	sec, err := s.addSecret(ctx, tenantID, clientID)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "client", clientID, err, nil)
		return nil, err
	}
	s.audit(ctx, a, tenantID, action, "client", clientID, nil, map[string]string{"secret_id": sec.ID})
	return sec, nil
}

// ListClientSecrets lists a client's secrets without their hashes.
func (s *Service) ListClientSecrets(ctx context.Context, tenantID, clientID string) ([]idp.ClientSecret, error) {
	if _, _, err := s.authorize(ctx, tenantID, read); err != nil {
		return nil, err
	}
	if _, err := s.store.GetClient(ctx, tenantID, clientID); err != nil {
		return nil, fmt.Errorf("manage: client %q: %w", clientID, err)
	}
	ss, err := s.store.ListClientSecrets(ctx, tenantID, clientID)
	if err != nil {
		return nil, fmt.Errorf("manage: list client secrets: %w", err)
	}
	for i := range ss {
		ss[i].Hash = nil
	}
	return ss, nil
}

// DeleteClientSecret removes one secret of a client.
func (s *Service) DeleteClientSecret(ctx context.Context, tenantID, clientID, secretID string) error {
	const action = "client.secret.delete"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "client", clientID, err)
		return err
	}
	if dryRun(ctx) {
		return s.secretExists(ctx, tenantID, clientID, secretID)
	}
	if err := s.store.DeleteClientSecret(ctx, tenantID, clientID, secretID); err != nil {
		return fmt.Errorf("manage: delete client secret: %w", err)
	}
	s.changed(idp.ChangeClient, tenantID, clientID)
	s.audit(ctx, a, tenantID, action, "client", clientID, nil, map[string]string{"secret_id": secretID})
	return nil
}
