package manage

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// TenantResult is a tenant with the issuer it is served at.
type TenantResult struct {
	*idp.Tenant
	Issuer string
}

// TenantInput creates a tenant. Zero values take the product defaults.
type TenantInput struct {
	// ID is the permanent tenant id; empty generates a readable random one.
	ID string
	// AccountID is the owning account. A user actor with one writable
	// account may leave it empty; the CLI defaults to the first
	// administrator's account.
	AccountID          string
	Name               string
	AllowRegistration  bool
	AuthMethods        []string
	AllowedOrigins     []string
	SigningAlg         string
	AccessTokenTTL     int
	IDTokenTTL         int
	RefreshTokenTTL    int
	RefreshAbsoluteTTL int
	SessionTTL         int
	SessionIdleTTL     int
	EmailFromName      string
	EmailFromAddress   string
	DefaultLanguage    string
}

// TenantPatch changes a tenant; nil fields stay as they are.
type TenantPatch struct {
	Name              *string
	AllowRegistration *bool
	AuthMethods       *[]string
	// AllowedOrigins replaces the list; AddAllowedOrigins and
	// RemoveAllowedOrigins then edit it.
	AllowedOrigins       *[]string
	AddAllowedOrigins    []string
	RemoveAllowedOrigins []string
	// SigningAlg changes the algorithm: a key of the new algorithm is
	// created and activated at once.
	SigningAlg         *string
	AccessTokenTTL     *int
	IDTokenTTL         *int
	RefreshTokenTTL    *int
	RefreshAbsoluteTTL *int
	SessionTTL         *int
	SessionIdleTTL     *int
	EmailFromName      *string
	EmailFromAddress   *string
	DefaultLanguage    *string
}

// Lifetime bounds, in seconds.
const (
	minTokenTTL   = 60
	maxTokenTTL   = 24 * 3600
	minRefreshTTL = 3600
	maxRefreshTTL = 365 * 24 * 3600
	minSessionTTL = 300
	maxSessionTTL = 365 * 24 * 3600
)

var knownAuthMethods = []string{idp.AuthMethodMagicLink, idp.AuthMethodPasskey, idp.AuthMethodSocial, idp.AuthMethodSSO, idp.AuthMethodPassword}

// validateTenant checks every setting of t (after defaults were applied).
func validateTenant(t *idp.Tenant) error {
	name, err := validName("name", t.Name, maxNameLen)
	if err != nil {
		return err
	}
	t.Name = name
	if len(t.AuthMethods) == 0 {
		return idp.Invalid("auth_methods", "at least one login method is required")
	}
	var methods []string
	for _, m := range t.AuthMethods {
		if !contains(knownAuthMethods, m) {
			return idp.Invalid("auth_methods", fmt.Sprintf("%q is not one of %s", m, strings.Join(knownAuthMethods, ", ")))
		}
		if !contains(methods, m) {
			methods = append(methods, m)
		}
	}
	t.AuthMethods = methods
	if t.AllowedOrigins, err = validOrigins("allowed_origins", t.AllowedOrigins); err != nil {
		return err
	}
	switch t.SigningAlg {
	case idp.AlgRS256, idp.AlgES256, idp.AlgEdDSA:
	default:
		return idp.Invalid("signing_alg", fmt.Sprintf("%q is not RS256, ES256 or EdDSA", t.SigningAlg))
	}
	for _, c := range []struct {
		field    string
		v        int
		min, max int
	}{
		{"access_token_ttl", t.AccessTokenTTL, minTokenTTL, maxTokenTTL},
		{"id_token_ttl", t.IDTokenTTL, minTokenTTL, maxTokenTTL},
		{"refresh_token_ttl", t.RefreshTokenTTL, minRefreshTTL, maxRefreshTTL},
		{"refresh_absolute_ttl", t.RefreshAbsoluteTTL, minRefreshTTL, maxRefreshTTL},
		{"session_ttl", t.SessionTTL, minSessionTTL, maxSessionTTL},
		{"session_idle_ttl", t.SessionIdleTTL, minSessionTTL, maxSessionTTL},
	} {
		if c.v < c.min || c.v > c.max {
			return idp.Invalid(c.field, fmt.Sprintf("must be between %d and %d seconds", c.min, c.max))
		}
	}
	if t.RefreshAbsoluteTTL < t.RefreshTokenTTL {
		return idp.Invalid("refresh_absolute_ttl", "must not be shorter than refresh_token_ttl")
	}
	if t.SessionIdleTTL > t.SessionTTL {
		return idp.Invalid("session_idle_ttl", "must not be longer than session_ttl")
	}
	if t.EmailFromName != "" {
		if t.EmailFromName, err = validName("email_from_name", t.EmailFromName, maxNameLen); err != nil {
			return err
		}
	}
	if t.EmailFromAddress != "" {
		a, err := mail.ParseAddress(t.EmailFromAddress)
		if err != nil || a.Name != "" {
			return idp.Invalid("email_from_address", "not a bare email address")
		}
		t.EmailFromAddress = a.Address
	}
	if !validLanguage(t.DefaultLanguage) {
		return idp.Invalid("default_language", "not a language tag such as en or pt-BR")
	}
	return nil
}

// validLanguage accepts simple BCP 47 tags: 2–3 letters with optional
// subtags of 2–8 alphanumerics.
func validLanguage(s string) bool {
	parts := strings.Split(s, "-")
	if len(parts[0]) < 2 || len(parts[0]) > 3 || len(s) > 35 {
		return false
	}
	for i, p := range parts {
		if len(p) < 1 || len(p) > 8 || (i == 0 && len(p) > 3) {
			return false
		}
		for _, r := range p {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
				return false
			}
		}
	}
	return true
}

// CreateTenant creates a tenant and its first signing key.
func (s *Service) CreateTenant(ctx context.Context, in TenantInput) (*TenantResult, error) {
	const action = "tenant.create"
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if a.Type == ActorClient {
		return nil, fmt.Errorf("manage: a machine token cannot create tenants: %w", idp.ErrForbidden)
	}
	accountID, err := s.tenantAccount(ctx, a, in.AccountID)
	if err != nil {
		return nil, err
	}
	id := strings.TrimSpace(in.ID)
	if id == "" {
		if id, err = tenant.NewID(s.random.R); err != nil {
			return nil, err
		}
	} else if err := tenant.ValidID(id); err != nil {
		return nil, idp.Invalid("id", err.Error())
	}
	now := s.clock.Now()
	t := &idp.Tenant{
		ID: id, AccountID: accountID, Name: in.Name,
		AllowRegistration: in.AllowRegistration, AuthMethods: in.AuthMethods,
		AllowedOrigins: in.AllowedOrigins, SigningAlg: in.SigningAlg,
		AccessTokenTTL: in.AccessTokenTTL, IDTokenTTL: in.IDTokenTTL,
		RefreshTokenTTL: in.RefreshTokenTTL, RefreshAbsoluteTTL: in.RefreshAbsoluteTTL,
		SessionTTL: in.SessionTTL, SessionIdleTTL: in.SessionIdleTTL,
		EmailFromName: in.EmailFromName, EmailFromAddress: in.EmailFromAddress,
		DefaultLanguage: in.DefaultLanguage, CreatedAt: now, UpdatedAt: now,
	}
	t.ApplyDefaults()
	if err := validateTenant(t); err != nil {
		return nil, err
	}
	if dryRun(ctx) {
		// No signing key and no built-in resource server are created.
		taken := idp.Invalid("id", fmt.Sprintf("tenant id %q is taken", id))
		if err := mustNotExist(func() error { _, err := s.store.GetTenant(ctx, id); return err }, taken); err != nil {
			return nil, err
		}
		return &TenantResult{Tenant: t, Issuer: s.Issuer(t)}, nil
	}
	if err := s.store.CreateTenant(ctx, t); err != nil {
		if errors.Is(err, idp.ErrConflict) {
			return nil, idp.Invalid("id", fmt.Sprintf("tenant id %q is taken", id))
		}
		return nil, fmt.Errorf("manage: create tenant: %w", err)
	}
	if err := s.keys.EnsureKey(ctx, t.ID, t.SigningAlg); err != nil {
		return nil, fmt.Errorf("manage: first signing key of tenant %s: %w", t.ID, err)
	}
	if err := s.ensureBuiltins(ctx, t); err != nil {
		return nil, err
	}
	// The resolver may hold a cached "not found" for this id.
	s.changed(idp.ChangeTenant, t.ID, "")
	s.audit(ctx, a, t.ID, action, "tenant", t.ID, nil, map[string]string{"account_id": accountID})
	return &TenantResult{Tenant: t, Issuer: s.Issuer(t)}, nil
}

// tenantAccount picks the account a new tenant belongs to and checks the
// caller may create tenants in it.
func (s *Service) tenantAccount(ctx context.Context, a Actor, accountID string) (string, error) {
	if a.privileged() {
		if accountID != "" {
			if _, err := s.store.GetAccount(ctx, accountID); err != nil {
				if errors.Is(err, idp.ErrNotFound) {
					return "", idp.Invalid("account_id", "no such account")
				}
				return "", fmt.Errorf("manage: account: %w", err)
			}
			return accountID, nil
		}
		return s.defaultAccount(ctx)
	}
	// A user actor: the account must be one of theirs, with a writing role.
	if accountID == "" {
		var writable []string
		for _, m := range a.Memberships {
			if canWrite(m.Role) && !contains(writable, m.AccountID) {
				writable = append(writable, m.AccountID)
			}
		}
		if len(writable) != 1 {
			return "", idp.Invalid("account_id", "required: choose the account that will own the tenant")
		}
		return writable[0], nil
	}
	r := a.role(accountID)
	if r == "" {
		return "", idp.Invalid("account_id", "no such account")
	}
	if !canWrite(r) {
		return "", fmt.Errorf("manage: role %s may not create tenants: %w", r, idp.ErrForbidden)
	}
	return accountID, nil
}

// defaultAccount is the account of the first administrator: where tenants
// created from the local CLI go when no account is named.
func (s *Service) defaultAccount(ctx context.Context) (string, error) {
	admin, err := s.store.AdminTenant(ctx)
	if err != nil {
		if errors.Is(err, idp.ErrNotFound) {
			return "", idp.Invalid("account_id", "the install is not bootstrapped yet")
		}
		return "", fmt.Errorf("manage: admin tenant: %w", err)
	}
	users, _, err := s.store.ListUsers(ctx, admin.ID, idp.UserQuery{Page: idp.Page{Limit: 20}})
	if err != nil {
		return "", fmt.Errorf("manage: administrators: %w", err)
	}
	for _, u := range users {
		ms, err := s.store.ListMemberships(ctx, u.ID)
		if err != nil {
			return "", fmt.Errorf("manage: memberships: %w", err)
		}
		for _, m := range ms {
			if m.Role == idp.RoleOwner {
				return m.AccountID, nil
			}
		}
	}
	return "", idp.Invalid("account_id", "no account found; name one")
}

// GetTenant returns a tenant the caller may read.
func (s *Service) GetTenant(ctx context.Context, tenantID string) (*TenantResult, error) {
	_, t, err := s.authorize(ctx, tenantID, read)
	if err != nil {
		return nil, err
	}
	return &TenantResult{Tenant: t, Issuer: s.Issuer(t)}, nil
}

// ListTenants lists the tenants the caller can see: all of them for the
// CLI and the system, those of their accounts for a user, their own for a
// machine token. It returns the page and the total.
func (s *Service) ListTenants(ctx context.Context, page idp.Page) ([]TenantResult, int, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, 0, err
	}
	if page, err = clampPage(page); err != nil {
		return nil, 0, err
	}
	wrap := func(ts []idp.Tenant) []TenantResult {
		out := make([]TenantResult, len(ts))
		for i := range ts {
			out[i] = TenantResult{Tenant: &ts[i], Issuer: s.Issuer(&ts[i])}
		}
		return out
	}
	switch a.Type {
	case ActorCLI, ActorSystem:
		ts, total, err := s.store.ListTenants(ctx, "", page)
		if err != nil {
			return nil, 0, fmt.Errorf("manage: list tenants: %w", err)
		}
		return wrap(ts), total, nil
	case ActorClient:
		t, err := s.store.GetTenant(ctx, a.TenantID)
		if err != nil {
			return nil, 0, fmt.Errorf("manage: tenant: %w", err)
		}
		if page.Offset > 0 {
			return []TenantResult{}, 1, nil
		}
		return wrap([]idp.Tenant{*t}), 1, nil
	}
	// A user: the union of their accounts' tenants, ordered by id.
	var all []idp.Tenant
	seen := map[string]bool{}
	for _, m := range a.Memberships {
		if seen[m.AccountID] {
			continue
		}
		seen[m.AccountID] = true
		for off := 0; ; {
			ts, total, err := s.store.ListTenants(ctx, m.AccountID, idp.Page{Limit: 200, Offset: off})
			if err != nil {
				return nil, 0, fmt.Errorf("manage: list tenants: %w", err)
			}
			all = append(all, ts...)
			off += len(ts)
			if len(ts) == 0 || off >= total {
				break
			}
		}
	}
	sortTenants(all)
	total := len(all)
	if page.Offset >= total {
		return []TenantResult{}, total, nil
	}
	end := min(page.Offset+page.Limit, total)
	return wrap(all[page.Offset:end]), total, nil
}

func sortTenants(ts []idp.Tenant) {
	slices.SortFunc(ts, func(x, y idp.Tenant) int { return strings.Compare(x.ID, y.ID) })
}

// UpdateTenant applies p. Changing the signing algorithm creates a key of
// the new algorithm and activates it at once (the old key stays published
// until every token it signed has expired).
func (s *Service) UpdateTenant(ctx context.Context, tenantID string, p TenantPatch) (*TenantResult, error) {
	const action = "tenant.update"
	a, cur, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "tenant", tenantID, err)
		return nil, err
	}
	t := *cur
	setStr(&t.Name, p.Name)
	setBool(&t.AllowRegistration, p.AllowRegistration)
	if p.AuthMethods != nil {
		t.AuthMethods = append([]string(nil), (*p.AuthMethods)...)
	}
	if p.AllowedOrigins != nil || len(p.AddAllowedOrigins) > 0 || len(p.RemoveAllowedOrigins) > 0 {
		add, err := validOrigins("allowed_origins", p.AddAllowedOrigins)
		if err != nil {
			return nil, err
		}
		var remove []string
		for _, o := range p.RemoveAllowedOrigins {
			if n, err := normalizeOrigin("allowed_origins", o); err == nil {
				remove = append(remove, n)
			} else {
				remove = append(remove, o)
			}
		}
		t.AllowedOrigins = applyList(t.AllowedOrigins, p.AllowedOrigins, add, remove)
	}
	setStr(&t.SigningAlg, p.SigningAlg)
	setInt(&t.AccessTokenTTL, p.AccessTokenTTL)
	setInt(&t.IDTokenTTL, p.IDTokenTTL)
	setInt(&t.RefreshTokenTTL, p.RefreshTokenTTL)
	setInt(&t.RefreshAbsoluteTTL, p.RefreshAbsoluteTTL)
	setInt(&t.SessionTTL, p.SessionTTL)
	setInt(&t.SessionIdleTTL, p.SessionIdleTTL)
	setStr(&t.EmailFromName, p.EmailFromName)
	setStr(&t.EmailFromAddress, p.EmailFromAddress)
	setStr(&t.DefaultLanguage, p.DefaultLanguage)
	if err := validateTenant(&t); err != nil {
		s.audit(ctx, a, tenantID, action, "tenant", tenantID, err, nil)
		return nil, err
	}
	if dryRun(ctx) {
		// A new signing algorithm would get a key here; none is made.
		t.UpdatedAt = s.clock.Now()
		return &TenantResult{Tenant: &t, Issuer: s.Issuer(&t)}, nil
	}
	details := map[string]string{}
	if t.SigningAlg != cur.SigningAlg {
		if _, err := s.keys.Rotate(ctx, tenantID, t.SigningAlg, true); err != nil {
			s.audit(ctx, a, tenantID, action, "tenant", tenantID, err, nil)
			return nil, fmt.Errorf("manage: key for %s: %w", t.SigningAlg, err)
		}
		details["signing_alg"] = t.SigningAlg
	}
	t.UpdatedAt = s.clock.Now()
	if err := s.store.UpdateTenant(ctx, &t); err != nil {
		s.audit(ctx, a, tenantID, action, "tenant", tenantID, err, nil)
		return nil, fmt.Errorf("manage: update tenant: %w", err)
	}
	s.changed(idp.ChangeTenant, tenantID, "")
	s.audit(ctx, a, tenantID, action, "tenant", tenantID, nil, details)
	return &TenantResult{Tenant: &t, Issuer: s.Issuer(&t)}, nil
}

// DeleteTenant removes a tenant and everything it owns. The admin tenant
// cannot be deleted. The record goes to the admin tenant's audit log,
// since the tenant's own log goes with it.
func (s *Service) DeleteTenant(ctx context.Context, tenantID string) error {
	const action = "tenant.delete"
	a, t, err := s.authorize(ctx, tenantID, write)
	if err != nil {
		s.auditDenied(ctx, a, tenantID, action, "tenant", tenantID, err)
		return err
	}
	if t.Admin {
		return fmt.Errorf("manage: the admin tenant cannot be deleted: %w", idp.ErrForbidden)
	}
	if a.Type == ActorClient {
		return fmt.Errorf("manage: a machine token cannot delete its tenant: %w", idp.ErrForbidden)
	}
	if dryRun(ctx) {
		return nil
	}
	if err := s.store.DeleteTenant(ctx, tenantID); err != nil {
		return fmt.Errorf("manage: delete tenant: %w", err)
	}
	s.changed(idp.ChangeTenant, tenantID, "")
	if admin, err := s.store.AdminTenant(ctx); err == nil {
		s.audit(ctx, a, admin.ID, action, "tenant", tenantID, nil, map[string]string{"account_id": t.AccountID})
	}
	return nil
}

func setStr(dst *string, v *string) {
	if v != nil {
		*dst = *v
	}
}

func setBool(dst *bool, v *bool) {
	if v != nil {
		*dst = *v
	}
}

func setInt(dst *int, v *int) {
	if v != nil {
		*dst = *v
	}
}
