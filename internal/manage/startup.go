package manage

import (
	"context"
	"fmt"
	"slices"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/store"
)

// StartResult is what a starting server prepared and prints.
type StartResult struct {
	*BootstrapResult
	// Tenants are the first tenants ordered by id and TenantTotal their
	// number, for the banner of a start on an install bootstrapped before;
	// Listed is false when they were not read (a first start, or the
	// install needed changes: list them with ListTenants).
	Tenants     []TenantResult
	TenantTotal int
	Listed      bool
}

// Start prepares the install for a starting server: Bootstrap, then
// EnsureCLIClient. A restart usually finds everything in place; one store
// read (store.Startup: on PostgreSQL one batch instead of a round trip per
// read) tells so, and then Start changes nothing and returns the first
// `tenants` tenants too. Anything missing, or a failed read, takes the
// full path, which creates what is missing exactly as before. Only the
// server and the CLI may call it.
func (s *Service) Start(ctx context.Context, in BootstrapInput, tenants int) (*StartResult, error) {
	a, err := actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.privileged() {
		return nil, fmt.Errorf("manage: start-up is for the server and the CLI: %w", idp.ErrForbidden)
	}
	// Refused on every start, as Bootstrap refuses it.
	if _, err := in.adminEmail(); err != nil {
		return nil, err
	}
	st, err := s.store.StartupState(ctx, store.StartupQuery{
		ResourceServer: ManagementAPI, AdminClients: []string{AdminUIClientID, CLIClientID}, Tenants: tenants,
	})
	if err == nil && s.ready(st) {
		res := &StartResult{
			BootstrapResult: &BootstrapResult{AdminTenant: &TenantResult{Tenant: st.Admin, Issuer: s.Issuer(st.Admin)}},
			TenantTotal:     st.TenantTotal, Listed: true,
		}
		for i := range st.Tenants {
			res.Tenants = append(res.Tenants, TenantResult{Tenant: &st.Tenants[i], Issuer: s.Issuer(&st.Tenants[i])})
		}
		return res, nil
	}
	if err != nil {
		s.log.WarnContext(ctx, "start-up state unread; checking one by one", "err", err)
	}
	boot, err := s.Bootstrap(ctx, in)
	if err != nil {
		return nil, err
	}
	if err := s.EnsureCLIClient(ctx); err != nil {
		return nil, err
	}
	return &StartResult{BootstrapResult: boot}, nil
}

// ready reports whether Bootstrap and EnsureCLIClient would change nothing
// on an install in state st: each condition is the one under which they
// leave the install as it is (ensureAdminTenant, ensureBuiltins and
// ensureAdminUIClient on the admin tenant, an administrator, every tenant
// with the management API, the CLI client).
func (s *Service) ready(st *store.StartupState) bool {
	if st.Admin == nil || !hasActiveKey(st.AdminKeys) || st.AdminResourceServer == nil ||
		st.AdminUsers == 0 || len(st.TenantsWithoutResourceServer) > 0 || st.AdminClients[CLIClientID] == nil {
		return false
	}
	iss := s.Issuer(st.Admin)
	if iss == "" {
		return true // no Admin UI client to register (ensureAdminUIClient)
	}
	ui := st.AdminClients[AdminUIClientID]
	return ui != nil && slices.Contains(ui.RedirectURIs, iss+AdminUICallbackPath)
}
