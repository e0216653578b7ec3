package admin_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestAdminSuspendResumeTenant: the tenant page's suspend form needs its
// confirmation box and the CSRF token; a suspended tenant's issuer
// refuses its login page while the Admin UI keeps showing the tenant, and
// the resume button brings it back. The admin tenant has no such form.
func TestAdminSuspendResumeTenant(t *testing.T) {
	s := newStack(t)
	c := browser(t)
	s.signIn(t, c, "admin@example.com")
	if _, err := s.manage.CreateTenant(s.cli, manage.TenantInput{ID: "shop-s", Name: "Shop S"}); err != nil {
		t.Fatal(err)
	}
	page := "/admin/tenants/shop-s"
	p := s.do(t, c, http.MethodGet, s.url+page, nil)
	v := formValues(t, p.body, page+"/suspend")
	status := func() idp.TenantStatus {
		t.Helper()
		tr, err := s.manage.GetTenant(s.cli, "shop-s")
		if err != nil {
			t.Fatal(err)
		}
		return tr.Status
	}

	// Without the CSRF token: refused, nothing changed.
	req, _ := http.NewRequest(http.MethodPost, s.url+page+"/suspend", strings.NewReader(url.Values{"confirm": {"on"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || status() != idp.TenantActive {
		t.Fatalf("no CSRF token: %d, status %s", resp.StatusCode, status())
	}

	// Without the confirmation box: a field error, still active.
	p = s.do(t, c, http.MethodPost, s.url+page+"/suspend", v)
	if !strings.Contains(p.body, "Tick the box to confirm") || status() != idp.TenantActive {
		t.Fatalf("unconfirmed suspension: status %s\n%.2000s", status(), p.body)
	}

	v = formValues(t, p.body, page+"/suspend")
	v.Set("confirm", "on")
	p = s.do(t, c, http.MethodPost, s.url+page+"/suspend", v)
	if !strings.Contains(p.body, "Tenant Shop S suspended") || !strings.Contains(p.body, page+"/resume") || status() != idp.TenantSuspended {
		t.Fatalf("suspend: status %s\n%.2000s", status(), p.body)
	}
	if list := s.do(t, c, http.MethodGet, s.url+"/admin/tenants", nil); !strings.Contains(list.body, `<span class="tag">suspended</span>`) {
		t.Fatal("the tenant list does not mark the suspended tenant")
	}
	if lp := s.do(t, browser(t), http.MethodGet, s.url+"/t/shop-s/oauth2/login", nil); lp.status != http.StatusForbidden || !strings.Contains(lp.body, "suspended") {
		t.Fatalf("login page of the suspended tenant: %d", lp.status)
	}
	if e, _, err := s.manage.ListAudit(s.cli, "shop-s", idp.AuditQuery{Page: idp.Page{Limit: 10}}); err != nil || len(e) == 0 || e[0].Action != "tenant.suspend" || e[0].ActorType != manage.ActorUser {
		t.Fatalf("audit: %v %v", e, err)
	}

	p = s.do(t, c, http.MethodPost, s.url+page+"/resume", formValues(t, p.body, page+"/resume"))
	if !strings.Contains(p.body, "Tenant Shop S resumed") || status() != idp.TenantActive {
		t.Fatalf("resume: status %s\n%.2000s", status(), p.body)
	}
	if lp := s.do(t, browser(t), http.MethodGet, s.url+"/t/shop-s/oauth2/login", nil); lp.status != http.StatusOK {
		t.Fatalf("login page after resume: %d", lp.status)
	}

	// The admin tenant is not one an administrator's account owns: no
	// page, and no suspension through the form either.
	adm := "/admin/tenants/" + s.boot.AdminTenant.ID
	if p := s.do(t, c, http.MethodGet, s.url+adm, nil); p.status != http.StatusNotFound {
		t.Fatalf("admin tenant page: %d, want 404", p.status)
	}
	v = formValues(t, s.do(t, c, http.MethodGet, s.url+page, nil).body, page+"/suspend")
	v.Set("confirm", "on")
	req, _ = http.NewRequest(http.MethodPost, s.url+adm+"/suspend", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if resp, err = c.Do(req); err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if at, _ := s.manage.GetTenant(s.cli, s.boot.AdminTenant.ID); resp.StatusCode != http.StatusNotFound || at.Suspended() {
		t.Fatalf("suspend the admin tenant through the form: %d", resp.StatusCode)
	}
}
