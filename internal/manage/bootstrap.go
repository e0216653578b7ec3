package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// AdminTenantID is the id of the control-plane tenant.
const AdminTenantID = "admin"

// DefaultAdminEmail is the first administrator's email when none is given.
const DefaultAdminEmail = "admin@localhost"

// BootstrapInput configures the first start.
type BootstrapInput struct {
	// AdminEmail is the first administrator's email (default admin@localhost).
	AdminEmail string
}

// adminEmail is the first administrator's email, normalised.
func (in BootstrapInput) adminEmail() (string, error) {
	if in.AdminEmail == "" {
		return normalizeEmail("admin_email", DefaultAdminEmail)
	}
	return normalizeEmail("admin_email", in.AdminEmail)
}

// BootstrapResult says what the first start created.
type BootstrapResult struct {
	// Created is false when the install was already bootstrapped; then
	// only AdminTenant is set.
	Created       bool
	AdminTenant   *TenantResult
	Account       *idp.Account
	DefaultTenant *TenantResult
	AdminUser     *idp.User
	// SignInURL is the one-time sign-in link for the first administrator
	// (a secret: show it to the operator, never log it).
	SignInURL string
}

// Bootstrap prepares a fresh install, idempotently: the admin tenant with
// a signing key, a first account, its default tenant, the first
// administrator (an owner of the account) and a one-time sign-in link. If
// the install already has an administrator it changes nothing and returns
// Created=false. Concurrent first starts (several replicas) are safe: the
// loser of the race sees a conflict and reports Created=false.
func (s *Service) Bootstrap(ctx context.Context, in BootstrapInput) (*BootstrapResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.privileged() {
		return nil, fmt.Errorf("manage: bootstrap is for the server and the CLI: %w", idp.ErrForbidden)
	}
	email, err := in.adminEmail()
	if err != nil {
		return nil, err
	}
	admin, err := s.ensureAdminTenant(ctx)
	if err != nil {
		return nil, err
	}
	res := &BootstrapResult{AdminTenant: &TenantResult{Tenant: admin, Issuer: s.Issuer(admin)}}
	_, n, err := s.store.ListUsers(ctx, admin.ID, idp.UserQuery{Page: idp.Page{Limit: 1}})
	if err != nil {
		return nil, fmt.Errorf("manage: bootstrap: administrators: %w", err)
	}
	if n > 0 {
		// Installs bootstrapped before the management API existed get
		// its built-in resource server on every tenant.
		if err := s.ensureAllBuiltins(ctx); err != nil {
			return nil, err
		}
		return res, nil
	}

	// The administrator first: their email is unique in the admin tenant,
	// so a concurrent bootstrap stops here before creating anything else.
	now := s.clock.Now()
	uid, err := s.random.ID("usr_")
	if err != nil {
		return nil, err
	}
	user := &idp.User{TenantID: admin.ID, ID: uid, Email: email, EmailVerified: true, Status: idp.UserActive, CreatedAt: now, UpdatedAt: now}
	if err := s.store.CreateUser(ctx, admin.ID, user); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			return res, nil
		}
		return nil, fmt.Errorf("manage: bootstrap: administrator: %w", err)
	}
	accID, err := s.random.ID("acc_")
	if err != nil {
		return nil, err
	}
	acc := &idp.Account{ID: accID, Name: "Default account", CreatedAt: now}
	if err := s.store.CreateAccount(ctx, acc); err != nil {
		return nil, fmt.Errorf("manage: bootstrap: account: %w", err)
	}
	if err := s.store.PutAccountMember(ctx, &idp.AccountMember{AccountID: accID, UserID: uid, Role: idp.RoleOwner, CreatedAt: now}); err != nil {
		return nil, fmt.Errorf("manage: bootstrap: membership: %w", err)
	}
	def, err := s.createDefaultTenant(ctx, accID)
	if err != nil {
		return nil, err
	}
	token, err := s.createSignInLink(ctx, admin.ID, user)
	if err != nil {
		return nil, err
	}
	res.Created = true
	res.Account = acc
	res.DefaultTenant = &TenantResult{Tenant: def, Issuer: s.Issuer(def)}
	res.AdminUser = user
	res.SignInURL = SignInURL(res.AdminTenant.Issuer, token)
	s.audit(ctx, a, admin.ID, "install.bootstrap", "user", uid, nil, map[string]string{"account_id": accID, "default_tenant": def.ID})
	s.audit(ctx, a, def.ID, "tenant.create", "tenant", def.ID, nil, map[string]string{"account_id": accID})
	return res, nil
}

// ensureAdminTenant returns the admin tenant, creating it (with its first
// signing key) when absent.
func (s *Service) ensureAdminTenant(ctx context.Context) (*idp.Tenant, error) {
	created := false
	admin, err := s.store.AdminTenant(ctx)
	if errors.Is(err, idp.ErrNotFound) {
		now := s.clock.Now()
		admin = &idp.Tenant{ID: AdminTenantID, Name: "Authalla", Admin: true, CreatedAt: now, UpdatedAt: now}
		admin.ApplyDefaults()
		err = s.store.CreateTenant(ctx, admin)
		created = err == nil
		if errors.Is(err, idp.ErrConflict) {
			// Created concurrently: the replica that created it announces it.
			admin, err = s.store.AdminTenant(ctx)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("manage: bootstrap: admin tenant: %w", err)
	}
	// EnsureKey's own check, made here so that a restart, where the key
	// exists, announces nothing: a notification is a database round trip
	// on every start and empties every other node's caches of the admin
	// tenant for no change.
	ks, err := s.keys.List(ctx, admin.ID)
	if err != nil {
		return nil, fmt.Errorf("manage: bootstrap: admin signing key: %w", err)
	}
	if !hasActiveKey(ks) {
		if err := s.keys.EnsureKey(ctx, admin.ID, admin.SigningAlg); err != nil {
			return nil, fmt.Errorf("manage: bootstrap: admin signing key: %w", err)
		}
		created = true
	}
	if created {
		// Another node may have looked for the tenant or its key before
		// they existed.
		s.changed(idp.ChangeTenant, admin.ID, "")
	}
	if err := s.ensureBuiltins(ctx, admin); err != nil {
		return nil, err
	}
	return admin, nil
}

// hasActiveKey reports whether ks holds a signing key in the active state.
func hasActiveKey(ks []idp.SigningKey) bool {
	for _, k := range ks {
		if k.State == idp.KeyActive {
			return true
		}
	}
	return false
}

// createDefaultTenant creates the first account's tenant under a random
// readable id, retrying on the (unlikely) collision.
func (s *Service) createDefaultTenant(ctx context.Context, accountID string) (*idp.Tenant, error) {
	for range 5 {
		id, err := tenant.NewID(s.random.R)
		if err != nil {
			return nil, err
		}
		now := s.clock.Now()
		t := &idp.Tenant{ID: id, AccountID: accountID, Name: "Default", CreatedAt: now, UpdatedAt: now}
		t.ApplyDefaults()
		err = s.store.CreateTenant(ctx, t)
		if errors.Is(err, idp.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("manage: bootstrap: default tenant: %w", err)
		}
		if err := s.keys.EnsureKey(ctx, t.ID, t.SigningAlg); err != nil {
			return nil, fmt.Errorf("manage: bootstrap: default tenant key: %w", err)
		}
		s.changed(idp.ChangeTenant, t.ID, "")
		if err := s.ensureBuiltins(ctx, t); err != nil {
			return nil, err
		}
		return t, nil
	}
	return nil, fmt.Errorf("manage: bootstrap: no free default tenant id: %w", idp.ErrConflict)
}

// SignInURL is the hosted page that consumes a sign-in link token on the
// tenant with this issuer.
func SignInURL(issuer, token string) string {
	return issuer + "/oauth2/magic-link?token=" + url.QueryEscape(token)
}

// signInLinkBytes is the entropy of a sign-in link token (256 bits).
const signInLinkBytes = 32

// CreateSignInLink stores a one-time magic link for an existing user and
// returns its token (a secret: only its SHA-256 is stored). The link is
// valid for idp.LinkLifetime and has no usable PIN; the hosted page
// `{issuer}/oauth2/magic-link?token=…` consumes it.
func (s *Service) CreateSignInLink(ctx context.Context, tenantID, userID string) (string, error) {
	const action = "user.sign_in_link"
	a, _, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "user", userID, err)
		return "", err
	}
	u, err := s.store.GetUser(ctx, tenantID, userID)
	if err != nil {
		return "", fmt.Errorf("manage: user %q: %w", userID, err)
	}
	if u.Status == idp.UserSuspended {
		return "", fmt.Errorf("manage: user %q is suspended: %w", userID, idp.ErrForbidden)
	}
	token, err := s.createSignInLink(ctx, tenantID, u)
	if err != nil {
		s.audit(ctx, a, tenantID, action, "user", userID, err, nil)
		return "", err
	}
	s.audit(ctx, a, tenantID, action, "user", userID, nil, nil)
	return token, nil
}

func (s *Service) createSignInLink(ctx context.Context, tenantID string, u *idp.User) (string, error) {
	token, err := s.random.Token(signInLinkBytes)
	if err != nil {
		return "", err
	}
	// The PIN half of the challenge is unusable: it expires at creation
	// and its hash is of a random value nobody knows.
	pin, err := s.random.Token(signInLinkBytes)
	if err != nil {
		return "", err
	}
	id, err := s.random.ID("lc_")
	if err != nil {
		return "", err
	}
	now := s.clock.Now()
	c := &idp.LoginChallenge{
		TenantID: tenantID, ID: id, Email: u.Email, UserID: u.ID,
		PINHash: secret.HashBytes(pin), LinkHash: secret.HashBytes(token),
		PINExpiresAt: now, LinkExpiresAt: now.Add(idp.LinkLifetime), CreatedAt: now,
	}
	if err := s.store.CreateLoginChallenge(ctx, tenantID, c); err != nil {
		return "", fmt.Errorf("manage: sign-in link: %w", err)
	}
	return token, nil
}
