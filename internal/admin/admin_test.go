package admin_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// TestAdminSignsInAndManages walks the Admin UI as a real browser would:
// sign-in through the admin tenant's own OAuth flow, tenants, clients,
// branding reaching the tenant's hosted login page.
func TestAdminSignsInAndManages(t *testing.T) {
	s := newStack(t)
	c := browser(t)
	p := s.signIn(t, c, "admin@example.com")
	def := s.boot.DefaultTenant.ID
	if !strings.Contains(p.body, "/admin/tenants/"+def) {
		t.Fatalf("the tenant list does not show the default tenant %s:\n%s", def, p.body)
	}
	if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'nonce-") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP = %q", csp)
	}
	for _, ck := range c.Jar.Cookies(mustURL(t, s.url+"/admin/")) {
		if ck.Name == "authalla_admin" && strings.Count(ck.Value, ".") == 2 {
			t.Fatal("the session cookie holds a readable JWT, want it sealed")
		}
	}

	// Create a tenant.
	v := formValues(t, p.body, "/admin/tenants")
	v.Set("name", "Shop One")
	v.Set("id", "shop-one")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants", v)
	if p.status != 200 || !strings.HasSuffix(p.url, "/admin/tenants/shop-one") || !strings.Contains(p.body, "Tenant Shop One created.") {
		t.Fatalf("create tenant: %d %s", p.status, p.url)
	}
	if _, err := s.manage.GetTenant(s.cli, "shop-one"); err != nil {
		t.Fatalf("tenant not created: %v", err)
	}

	// A field error comes back on the form, 303 first.
	v = formValues(t, p.body, "/admin/tenants/shop-one")
	bad := url.Values{"csrf_token": v["csrf_token"], "name": {"Shop One"}, "auth_methods": {idp.AuthMethodMagicLink}, "signing_alg": {"ES256"},
		"access_token_ttl": {"5"}, "id_token_ttl": {"3600"}, "refresh_token_ttl": {"2592000"}, "refresh_absolute_ttl": {"7776000"},
		"session_ttl": {"2592000"}, "session_idle_ttl": {"604800"}, "allowed_origins": {"https://app.shop.example"}}
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one", bad)
	if !strings.Contains(p.body, "must be between 60 and 86400 seconds") || !strings.Contains(p.body, `aria-invalid="true"`) {
		t.Fatalf("no field error shown:\n%s", p.body)
	}
	bad.Set("access_token_ttl", "600")
	bad.Set("csrf_token", formValues(t, p.body, "/admin/tenants/shop-one").Get("csrf_token"))
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one", bad)
	if tr, _ := s.manage.GetTenant(s.cli, "shop-one"); tr.AccessTokenTTL != 600 || len(tr.AllowedOrigins) != 1 {
		t.Fatalf("settings not saved: %+v", tr.Tenant)
	}

	// Create a spa client: its id is shown, no secret.
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/clients", nil)
	v = formValues(t, p.body, "/admin/tenants/shop-one/clients")
	v.Set("name", "Shop SPA")
	v.Set("type", "spa")
	v.Set("redirect_uris", "https://app.shop.example/callback")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/clients", v)
	cs, _, err := s.manage.ListClients(s.cli, "shop-one", idp.Page{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("clients = %v, %v", cs, err)
	}
	if !strings.Contains(p.body, `value="`+cs[0].ID+`"`) || strings.Contains(p.body, "client-secret") {
		t.Fatalf("the client page must show the id %s and no secret", cs[0].ID)
	}
	if !strings.Contains(p.body, "/t/shop-one/.well-known/openid-configuration") {
		t.Fatal("the Integration tab lacks the discovery URL")
	}

	// A web client's secret is shown once.
	v = formValues(t, p.body, "/admin/logout")
	v = url.Values{"csrf_token": v["csrf_token"], "name": {"Shop Web"}, "type": {"web"}, "redirect_uris": {"https://shop.example/cb"}}
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/clients", v)
	sec := regexp.MustCompile(`id="client-secret" class="mono" value="([^"]+)"`).FindStringSubmatch(p.body)
	if sec == nil {
		t.Fatal("the new secret is not shown")
	}
	again := s.do(t, c, http.MethodGet, p.url, nil)
	if strings.Contains(again.body, sec[1]) {
		t.Fatal("the secret is shown a second time")
	}
	if !strings.Contains(again.body, "…"+sec[1][len(sec[1])-4:]) {
		t.Fatal("the secret's hint is not listed")
	}
	webPath := strings.TrimPrefix(p.url, s.url)
	p = s.do(t, c, http.MethodPost, p.url+"/secrets", formValues(t, again.body, webPath+"/secrets"))
	if sec2 := regexp.MustCompile(`id="client-secret" class="mono" value="([^"]+)"`).FindStringSubmatch(p.body); sec2 == nil || sec2[1] == sec[1] {
		t.Fatal("the added secret is not shown once")
	}

	// Branding: the primary colour reaches the tenant's hosted login page.
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/branding", nil)
	v = formValues(t, p.body, "/admin/tenants/shop-one/branding")
	v.Set("light.primary_color", "#aa1144")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/branding", v)
	if !strings.Contains(p.body, "Branding saved") {
		t.Fatalf("branding not saved:\n%.3000s", p.body)
	}
	lp := s.do(t, browser(t), http.MethodGet, s.url+"/t/shop-one/oauth2/login", nil)
	if !strings.Contains(lp.body, "--primary: #aa1144;") {
		t.Fatalf("the hosted login page does not use the saved colour:\n%.1500s", lp.body)
	}
	// Bad colour: field error, nothing saved.
	v = formValues(t, p.body, "/admin/tenants/shop-one/branding")
	v.Set("dark.text_color", "red")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/branding", v)
	if !strings.Contains(p.body, "must be a colour in the form #rrggbb") {
		t.Fatal("no colour error shown")
	}
	// Low contrast: warned, saved.
	v = formValues(t, p.body, "/admin/tenants/shop-one/branding")
	v.Set("light.text_color", "#dddddd")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/branding", v)
	if !strings.Contains(p.body, "below the WCAG AA minimum") {
		t.Fatal("no contrast warning shown")
	}
	// Reset.
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/branding/reset", formValues(t, p.body, "/admin/tenants/shop-one/branding/reset"))
	if th, _ := s.manage.GetTheme(s.cli, "shop-one"); th.Light.PrimaryColor == "#aa1144" {
		t.Fatal("reset did not restore the defaults")
	}

	// Account members: the owner adds an administrator.
	acc := s.boot.Account.ID
	p = s.do(t, c, http.MethodGet, s.url+"/admin/accounts/"+acc+"/members", nil)
	v = formValues(t, p.body, "/admin/accounts/"+acc+"/members")
	v.Set("email", "second@example.com")
	v.Set("role", "admin")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/accounts/"+acc+"/members", v)
	if !strings.Contains(p.body, "second@example.com is now admin") {
		t.Fatalf("add member:\n%.2000s", p.body)
	}
	if ms, _ := s.manage.AccountMembers(s.cli, acc); len(ms) != 2 {
		t.Fatalf("members = %d", len(ms))
	}

	// Users: create, open, suspend.
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/users", nil)
	v = url.Values{"csrf_token": formValues(t, p.body, "/admin/logout")["csrf_token"], "email": {"Buyer@Example.com"}}
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/users", v)
	us, _, _ := s.manage.ListUsers(s.cli, "shop-one", idp.UserQuery{Search: "buyer"})
	if len(us) != 1 || !strings.Contains(p.body, "User buyer@example.com created.") {
		t.Fatalf("create user: %v", us)
	}
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/users/"+us[0].ID, nil)
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/users/"+us[0].ID+"/suspend", formValues(t, p.body, "/admin/tenants/shop-one/users/"+us[0].ID+"/suspend"))
	if u, _ := s.manage.GetUser(s.cli, "shop-one", us[0].ID); u.Status != idp.UserSuspended {
		t.Fatalf("user not suspended: %s", u.Status)
	}

	// Signing keys: rotate stages one more key.
	before, _ := s.manage.ListSigningKeys(s.cli, "shop-one")
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/keys", nil)
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/keys/rotate", formValues(t, p.body, "/admin/tenants/shop-one/keys/rotate"))
	if ks, _ := s.manage.ListSigningKeys(s.cli, "shop-one"); len(ks) != len(before)+1 || !strings.Contains(p.body, "A new key is staged") {
		t.Fatalf("rotate: %d keys", len(ks))
	}
	// Activate and Retire per key: too early is refused on the page, a
	// staged key retires by removal, force activates at once.
	staged := s.stagedKey(t, "shop-one")
	keysPage := "/admin/tenants/shop-one/keys/" + staged
	p = s.do(t, c, http.MethodPost, s.url+keysPage+"/activate", formValues(t, p.body, keysPage+"/activate"))
	if !strings.Contains(p.body, "published for less than the JWKS max-age") || s.stagedKey(t, "shop-one") != staged {
		t.Fatalf("early activation not refused on the page:\n%.3000s", p.body)
	}
	p = s.do(t, c, http.MethodPost, s.url+keysPage+"/retire", formValues(t, p.body, keysPage+"/retire"))
	if ks, _ := s.manage.ListSigningKeys(s.cli, "shop-one"); len(ks) != len(before) || !strings.Contains(p.body, "was removed") {
		t.Fatalf("retire staged: %d keys\n%.3000s", len(ks), p.body)
	}
	k, err := s.manage.StageSigningKey(s.cli, "shop-one", "")
	if err != nil {
		t.Fatal(err)
	}
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/keys", nil)
	keysPage = "/admin/tenants/shop-one/keys/" + k.ID
	v = formValues(t, p.body, keysPage+"/activate")
	v.Set("force", "on")
	p = s.do(t, c, http.MethodPost, s.url+keysPage+"/activate", v)
	if ks, _ := s.manage.ListSigningKeys(s.cli, "shop-one"); !strings.Contains(p.body, "is active now") || !activeIs(ks, k.ID) {
		t.Fatalf("forced activation:\n%.3000s", p.body)
	}

	// Resource servers: one with two scopes.
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/resource-servers", nil)
	v = formValues(t, p.body, "/admin/tenants/shop-one/resource-servers")
	v.Set("name", "Orders API")
	v.Set("identifier", "https://orders.shop.example")
	v.Set("scope_prefix", "orders:")
	v.Set("scopes", "orders:read Read orders\norders:write Change orders")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/shop-one/resource-servers", v)
	if rs, err := s.manage.GetResourceServer(s.cli, "shop-one", "https://orders.shop.example"); err != nil || len(rs.Scopes) != 2 {
		t.Fatalf("resource server: %+v %v\n%.2000s", rs, err, p.body)
	}

	// The other pages render.
	for _, sub := range []string{"/users", "/resource-servers", "/keys", "/audit", ""} {
		p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one"+sub, nil)
		if p.status != 200 {
			t.Fatalf("%s: %d", sub, p.status)
		}
	}
	if !strings.Contains(p.body, "Shop One") {
		t.Fatal("settings page")
	}
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/shop-one/audit?action=theme.reset", nil)
	if !strings.Contains(p.body, "<code>theme.reset</code>") || !strings.Contains(p.body, "<code>"+s.adminID(t)+"</code>") || !strings.Contains(p.body, "<td>127.0.0.1</td>") {
		t.Fatal("the audit log does not list the reset by the administrator")
	}

	// Sign out: the session cookie goes, its token is revoked, the admin
	// tenant's sign-in session ends; the next visit asks for the email.
	var old string
	for _, ck := range c.Jar.Cookies(mustURL(t, s.url+"/admin/")) {
		if ck.Name == "authalla_admin" {
			old = ck.Value
		}
	}
	p = s.do(t, c, http.MethodPost, s.url+"/admin/logout", formValues(t, p.body, "/admin/logout"))
	if !strings.Contains(p.body, "You are signed out") {
		t.Fatalf("sign-out: %d %s", p.status, p.url)
	}
	replay := browser(t)
	replay.Jar.SetCookies(mustURL(t, s.url+"/admin/"), []*http.Cookie{{Name: "authalla_admin", Value: old, Path: "/admin/"}})
	if r, err := replay.Get(s.url + "/admin/tenants"); err != nil || r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the signed-out session cookie still works: %v %v", r, err)
	}
	if p := s.do(t, c, http.MethodGet, s.url+"/admin/", nil); !strings.Contains(p.url, "/oauth2/login") {
		t.Fatalf("after sign-out the admin tenant session is still alive: %s", p.url)
	}
	resp, err := c.Get(s.url + "/admin/tenants")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("after sign-out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// adminID is the bootstrap administrator's user id.
func (s *stack) adminID(t *testing.T) string {
	t.Helper()
	return s.boot.AdminUser.ID
}

// TestAdminSessionCookie: a tampered or foreign session cookie is no
// session.
func TestAdminSessionCookie(t *testing.T) {
	s := newStack(t)
	c := browser(t)
	s.signIn(t, c, "admin@example.com")
	u := mustURL(t, s.url+"/admin/")
	var val string
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "authalla_admin" {
			val = ck.Value
		}
	}
	if val == "" {
		t.Fatal("no session cookie")
	}
	flip := []byte(val)
	flip[len(flip)/2] ^= 1
	for _, v := range []string{string(flip), val[:len(val)-4], "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0."} {
		other := browser(t)
		other.Jar.SetCookies(u, []*http.Cookie{{Name: "authalla_admin", Value: v, Path: "/admin/"}})
		resp, err := other.Get(s.url + "/admin/tenants")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
			t.Fatalf("cookie %.12q…: %d, want a redirect to sign in", v, resp.StatusCode)
		}
	}
	// An expired access token is no session: the administrator signs in
	// again (silently here, the admin tenant's session is still alive).
	s.clock.Shift(24 * time.Hour)
	resp, err := c.Get(s.url + "/admin/tenants")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("expired token: %d %s, want a redirect to sign in", resp.StatusCode, resp.Header.Get("Location"))
	}
	s.clock.Shift(0)

	// A suspended administrator's session ends at once.
	if _, err := s.manage.SuspendUser(s.cli, s.boot.AdminTenant.ID, s.boot.AdminUser.ID); err != nil {
		t.Fatal(err)
	}
	resp, err = c.Get(s.url + "/admin/tenants")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspended administrator: %d, want a redirect to sign in", resp.StatusCode)
	}
}

// TestAdminCSRF: a form POST without the token, or from another site,
// gets 403 and changes nothing.
func TestAdminCSRF(t *testing.T) {
	s := newStack(t)
	c := browser(t)
	p := s.signIn(t, c, "admin@example.com")
	good := formValues(t, p.body, "/admin/tenants")
	for _, tc := range []struct {
		name   string
		form   url.Values
		header map[string]string
	}{
		{"no token", url.Values{"name": {"Evil"}, "id": {"evil-1"}}, nil},
		{"wrong token", url.Values{"csrf_token": {strings.Repeat("A", 86)}, "name": {"Evil"}, "id": {"evil-2"}}, nil},
		{"cross-site", url.Values{"csrf_token": good["csrf_token"], "name": {"Evil"}, "id": {"evil-3"}}, map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign origin", url.Values{"csrf_token": good["csrf_token"], "name": {"Evil"}, "id": {"evil-4"}}, map[string]string{"Origin": "https://evil.example"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.url+"/admin/tenants", strings.NewReader(tc.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			for k, v := range tc.header {
				req.Header.Set(k, v)
			}
			resp, err := c.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
			if _, err := s.manage.GetTenant(s.cli, tc.form.Get("id")); err == nil {
				t.Fatal("the forged request created a tenant")
			}
		})
	}
}

// TestAdminRights: a viewer cannot save; another account's tenant is
// invisible (404); no session means sign-in, not data.
func TestAdminRights(t *testing.T) {
	s := newStack(t)
	// A second administrator, viewer of the bootstrap account.
	admin := s.boot.AdminTenant.ID
	viewer, err := s.manage.CreateUser(s.cli, admin, manage.UserInput{Email: "viewer@example.com", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.PutAccountMember(s.cli, &idp.AccountMember{AccountID: s.boot.Account.ID, UserID: viewer.ID, Role: idp.RoleViewer}); err != nil {
		t.Fatal(err)
	}
	// Another account with its own tenant.
	if err := s.db.CreateAccount(s.cli, &idp.Account{ID: "acc_other", Name: "Other"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.manage.CreateTenant(s.cli, manage.TenantInput{ID: "other-shop", Name: "Other", AccountID: "acc_other"}); err != nil {
		t.Fatal(err)
	}
	def := s.boot.DefaultTenant.ID

	anon := browser(t)
	resp, err := anon.Get(s.url + "/admin/tenants/" + def)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/admin/login") {
		t.Fatalf("no session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	c := browser(t)
	p := s.signIn(t, c, "viewer@example.com")
	if strings.Contains(p.body, "other-shop") {
		t.Fatal("another account's tenant is listed")
	}
	for _, path := range []string{"/admin/tenants/other-shop", "/admin/tenants/other-shop/branding", "/admin/tenants/other-shop/clients"} {
		if p := s.do(t, c, http.MethodGet, s.url+path, nil); p.status != http.StatusNotFound {
			t.Fatalf("%s: %d, want 404", path, p.status)
		}
	}
	p = s.do(t, c, http.MethodGet, s.url+"/admin/tenants/"+def+"/branding", nil)
	if p.status != 200 {
		t.Fatalf("a viewer may read: %d", p.status)
	}
	v := formValues(t, p.body, "/admin/tenants/"+def+"/branding")
	v.Set("light.primary_color", "#010203")
	p = s.do(t, c, http.MethodPost, s.url+"/admin/tenants/"+def+"/branding", v)
	if !strings.Contains(p.body, "does not allow changes") {
		t.Fatalf("the viewer was not told:\n%.2000s", p.body)
	}
	if th, _ := s.manage.GetTheme(s.cli, def); th.Light.PrimaryColor == "#010203" {
		t.Fatal("a viewer changed the branding")
	}
	// Writing into the other account's tenant: 404, nothing changed.
	v.Set("light.primary_color", "#040506")
	req, _ := http.NewRequest(http.MethodPost, s.url+"/admin/tenants/other-shop/branding", strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err = c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("write to another account's tenant: %d, want 404", resp.StatusCode)
	}
	// The Admin UI is not served on other tenants.
	if p := s.do(t, c, http.MethodGet, s.url+"/t/"+def+"/admin/tenants", nil); p.status != http.StatusNotFound {
		t.Fatalf("admin UI on a tenant issuer: %d", p.status)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestAdminCallbackChecks: a callback whose code is genuine but whose
// state or iss is not the sign-in's is refused and sets no session; the
// same sign-in untouched succeeds.
func TestAdminCallbackChecks(t *testing.T) {
	s := newStack(t)
	for _, tc := range []struct {
		name   string
		tamper func(q url.Values)
		ok     bool
	}{
		{"other state", func(q url.Values) { q.Set("state", "x"+q.Get("state")) }, false},
		{"other issuer", func(q url.Values) { q.Set("iss", "https://evil.example") }, false},
		{"no iss", func(q url.Values) { q.Del("iss") }, false},
		{"untouched", func(url.Values) {}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := browser(t)
			cb := s.callbackURL(t, c, "admin@example.com")
			q := cb.Query()
			if tc.name == "untouched" && (q.Get("iss") != s.url || q.Get("code") == "") {
				t.Fatalf("callback %v", q)
			}
			tc.tamper(q)
			cb.RawQuery = q.Encode()
			r, err := c.Get(cb.String())
			if err != nil {
				t.Fatal(err)
			}
			r.Body.Close()
			has := false
			for _, ck := range c.Jar.Cookies(mustURL(t, s.url+"/admin/")) {
				has = has || ck.Name == "authalla_admin"
			}
			if tc.ok != (r.StatusCode == http.StatusSeeOther && has) {
				t.Fatalf("status %d, session cookie %v", r.StatusCode, has)
			}
			if !tc.ok && r.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", r.StatusCode)
			}
		})
	}
}

// stagedKey returns the kid of tid's staged key ("" if none).
func (s *stack) stagedKey(t *testing.T, tid string) string {
	t.Helper()
	ks, err := s.manage.ListSigningKeys(s.cli, tid)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range ks {
		if k.State == idp.KeyStaged {
			return k.ID
		}
	}
	return ""
}

// activeIs reports whether kid is the active key of ks.
func activeIs(ks []idp.SigningKey, kid string) bool {
	for _, k := range ks {
		if k.State == idp.KeyActive {
			return k.ID == kid
		}
	}
	return false
}
