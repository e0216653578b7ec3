package api_test

import (
	"net/http"
	"testing"

	"github.com/authalla/authalla/internal/manage"
)

// TestSuspendResumeTenantREST: an owner suspends a tenant through the
// admin host; the tenant's own API (a machine token on its issuer) is
// refused at once while the admin host keeps managing the tenant; resume
// brings the machine back. Another account's tenant and the admin tenant
// are not found.
func TestSuspendResumeTenantREST(t *testing.T) {
	s := newStack(t)
	root := caller{token: s.adminToken(t, s.root, manage.ManagementScopes)}
	bob := caller{token: s.adminToken(t, s.bob, manage.ManagementScopes)}
	machine := caller{base: "/t/tenant-a", token: s.machineToken(t, "tenant-a", "")}

	if r := s.do(t, machine, http.MethodGet, "/api/v1/users", nil); r.status != http.StatusOK {
		t.Fatalf("machine before: %d %s", r.status, r.raw)
	}
	r := s.do(t, root, http.MethodPost, "/api/v1/tenants/tenant-a/suspend", nil)
	if r.status != http.StatusOK || r.str("status") != "suspended" || r.str("suspended_at") == "" || r.str("id") != "tenant-a" {
		t.Fatalf("suspend: %d %s", r.status, r.raw)
	}
	suspendedAt := r.str("suspended_at")
	r = s.do(t, machine, http.MethodGet, "/api/v1/users", nil)
	if r.status != http.StatusForbidden || r.str("error") != "access_denied" || r.str("error_description") != "tenant is suspended" {
		t.Fatalf("machine on the suspended tenant: %d %s", r.status, r.raw)
	}
	// Management through the admin host keeps working.
	if r := s.do(t, root, http.MethodGet, "/api/v1/tenants/tenant-a", nil); r.status != http.StatusOK || r.str("status") != "suspended" {
		t.Fatalf("get the suspended tenant: %d %s", r.status, r.raw)
	}
	if r := s.do(t, caller{token: root.token, tenant: "tenant-a"}, http.MethodGet, "/api/v1/users", nil); r.status != http.StatusOK {
		t.Fatalf("users of the suspended tenant through X-Tenant-ID: %d %s", r.status, r.raw)
	}
	// Idempotent: the second suspension answers the same tenant.
	if again := s.do(t, root, http.MethodPost, "/api/v1/tenants/tenant-a/suspend", nil); again.status != http.StatusOK || again.str("suspended_at") != suspendedAt || again.str("status") != "suspended" {
		t.Fatalf("suspend again: %d %s", again.status, again.raw)
	}
	// Not the caller's tenant, and the admin tenant: not found.
	for _, c := range []struct {
		name string
		who  caller
		path string
	}{
		{"another account's owner", bob, "/api/v1/tenants/tenant-a/resume"},
		{"the admin tenant", root, "/api/v1/tenants/" + manage.AdminTenantID + "/suspend"},
	} {
		if r := s.do(t, c.who, http.MethodPost, c.path, nil); r.status != http.StatusNotFound || r.str("error") != "not_found" {
			t.Fatalf("%s: %d %s", c.name, r.status, r.raw)
		}
	}

	r = s.do(t, root, http.MethodPost, "/api/v1/tenants/tenant-a/resume", nil)
	if r.status != http.StatusOK || r.str("status") != "active" || r.body["suspended_at"] != nil {
		t.Fatalf("resume: %d %s", r.status, r.raw)
	}
	if r := s.do(t, machine, http.MethodGet, "/api/v1/users", nil); r.status != http.StatusOK {
		t.Fatalf("machine after resume (same token): %d %s", r.status, r.raw)
	}
}
