package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// fields returns the field details of a 400.
func (r result) fields() map[string]any { f, _ := r.body["fields"].(map[string]any); return f }

func wantStatus(t *testing.T, what string, r result, status int) {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d: %s", what, r.status, status, r.raw)
	}
}

func wantField(t *testing.T, what string, r result, field string) {
	t.Helper()
	wantStatus(t, what, r, 400)
	if r.str("error") != "invalid_request" || r.fields()[field] == nil {
		t.Fatalf("%s: want a field error on %s: %s", what, field, r.raw)
	}
}

func TestTenants(t *testing.T) {
	s := newStack(t)
	root := caller{token: s.adminToken(t, s.root, manage.ManagementScopes)}

	wantField(t, "ttl out of range", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"name": "X", "access_token_ttl": 5}), "access_token_ttl")
	wantField(t, "unknown field", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"name": "X", "bogus": 1}), "bogus")
	wantField(t, "wrong type", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"name": 7}), "name")
	wantField(t, "bad method", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"name": "X", "auth_methods": []string{"telepathy"}}), "auth_methods")
	wantStatus(t, "not JSON", s.do(t, root, "POST", "/api/v1/tenants", "{"), 400)
	wantStatus(t, "a form", s.do(t, root, "POST", "/api/v1/tenants", rawBody{"application/x-www-form-urlencoded", []byte("name=X")}), 415)
	wantStatus(t, "two objects", s.do(t, root, "POST", "/api/v1/tenants", `{"name":"X"} {}`), 400)
	wantStatus(t, "too large", s.do(t, root, "POST", "/api/v1/tenants", `{"name":"`+strings.Repeat("x", 70<<10)+`"}`), 413)
	wantStatus(t, "larger than the server limit", s.do(t, root, "POST", "/api/v1/tenants", strings.Repeat(" ", 2<<20)), 413)

	// Create with settings; the issuer is where it is served.
	r := s.do(t, root, "POST", "/api/v1/tenants", map[string]any{
		"id": "shop", "name": "Shop", "allow_registration": true, "auth_methods": []string{"magic_link", "passkey"},
		"allowed_origins": []string{"https://shop.example.com"}, "access_token_ttl": 600, "signing_alg": "ES256",
	})
	wantStatus(t, "create", r, 201)
	if r.str("id") != "shop" || r.str("issuer") != s.url+"/t/shop" || r.body["access_token_ttl"] != 600.0 || r.str("signing_alg") != "ES256" || r.body["allow_registration"] != true {
		t.Fatalf("created %s", r.raw)
	}
	wantStatus(t, "duplicate id", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"id": "shop", "name": "Again"}), 400)

	// PATCH changes only what it names; origins are added and removed.
	r = s.do(t, root, "PATCH", "/api/v1/tenants/shop", map[string]any{"add_allowed_origins": []string{"http://localhost:3000"}, "remove_allowed_origins": []string{"https://shop.example.com"}, "signing_alg": "EdDSA"})
	wantStatus(t, "patch", r, 200)
	if fmt.Sprint(r.body["allowed_origins"]) != "[http://localhost:3000]" || r.str("name") != "Shop" || r.str("signing_alg") != "EdDSA" || r.body["access_token_ttl"] != 600.0 {
		t.Fatalf("patched %s", r.raw)
	}
	keys := s.do(t, caller{token: root.token, tenant: "shop"}, "GET", "/api/v1/signing-keys", nil)
	active := ""
	for _, k := range keys.items("signing_keys") {
		if k["state"] == "active" {
			active, _ = k["alg"].(string)
		}
		if k["private_enc"] != nil || strings.Contains(string(keys.raw), "PRIVATE") {
			t.Fatalf("private key in listing: %s", keys.raw)
		}
	}
	if active != "EdDSA" {
		t.Fatalf("active key %q: %s", active, keys.raw)
	}
	wantField(t, "bad origin", s.do(t, root, "PATCH", "/api/v1/tenants/shop", map[string]any{"add_allowed_origins": []string{"https://x.example.com/path"}}), "allowed_origins")

	// Pagination: root sees the default tenant, tenant-a, shop (and more).
	for i := range 3 {
		wantStatus(t, "create", s.do(t, root, "POST", "/api/v1/tenants", map[string]any{"id": fmt.Sprintf("p%d-tenant", i), "name": "P"}), 201)
	}
	all := s.do(t, root, "GET", "/api/v1/tenants", nil)
	total := int(all.body["total"].(float64))
	if total != 6 || len(all.items("tenants")) != total || all.body["limit"] != 50.0 || all.body["offset"] != 0.0 {
		t.Fatalf("list %s", all.raw)
	}
	pg := s.do(t, root, "GET", "/api/v1/tenants?limit=2&offset=1", nil)
	if pg.body["total"] != float64(total) || len(pg.items("tenants")) != 2 || pg.body["limit"] != 2.0 || pg.body["offset"] != 1.0 ||
		pg.items("tenants")[0]["id"] != all.items("tenants")[1]["id"] {
		t.Fatalf("page %s", pg.raw)
	}
	if big := s.do(t, root, "GET", "/api/v1/tenants?limit=5000", nil); big.body["limit"] != 200.0 {
		t.Fatalf("limit not capped: %s", big.raw)
	}
	wantField(t, "bad limit", s.do(t, root, "GET", "/api/v1/tenants?limit=-1", nil), "limit")
	wantField(t, "bad offset", s.do(t, root, "GET", "/api/v1/tenants?offset=x", nil), "offset")

	// The admin tenant cannot be deleted; another tenant can.
	// The admin tenant belongs to no account: no administrator sees it.
	wantStatus(t, "delete admin", s.do(t, root, "DELETE", "/api/v1/tenants/admin", nil), 404)
	wantStatus(t, "delete", s.do(t, root, "DELETE", "/api/v1/tenants/shop", nil), 204)
	wantStatus(t, "gone", s.do(t, root, "GET", "/api/v1/tenants/shop", nil), 404)

	// Tenant-scoped routes need X-Tenant-ID with an admin token.
	wantField(t, "no tenant header", s.do(t, root, "GET", "/api/v1/clients", nil), "X-Tenant-ID")
	wantStatus(t, "unknown tenant", s.do(t, caller{token: root.token, tenant: "nope-tenant"}, "GET", "/api/v1/clients", nil), 404)
	wantStatus(t, "unknown endpoint", s.do(t, root, "GET", "/api/v1/nope", nil), 404)
}

func TestClientsSecretsAndAudit(t *testing.T) {
	s := newStack(t)
	a := caller{token: s.adminToken(t, s.root, manage.ManagementScopes), tenant: "tenant-a"}

	wantField(t, "javascript redirect", s.do(t, a, "POST", "/api/v1/clients", map[string]any{"name": "Bad", "type": "spa", "redirect_uris": []string{"javascript:alert(1)"}}), "redirect_uris")
	wantField(t, "bad type", s.do(t, a, "POST", "/api/v1/clients", map[string]any{"name": "Bad", "type": "robot"}), "type")
	wantStatus(t, "duplicate id", s.do(t, a, "POST", "/api/v1/clients", map[string]any{"client_id": "robot", "name": "Dup", "type": "backend"}), 409)

	// A backend client: its secret is shown once and works at the token endpoint.
	r := s.do(t, a, "POST", "/api/v1/clients", map[string]any{"client_id": "svc", "name": "Service", "type": "backend", "default_resource_server": manage.ManagementAPI})
	wantStatus(t, "create", r, 201)
	secret1 := r.str("client_secret")
	if len(secret1) < 40 || r.str("client_id") != "svc" || r.str("client_secret_id") == "" {
		t.Fatalf("created %s", r.raw)
	}
	tok := s.token(t, "/t/tenant-a", url.Values{"grant_type": {"client_credentials"}, "scope": {"clients:read"}}, "svc", secret1)
	me := s.do(t, caller{base: "/t/tenant-a", token: tok}, "GET", "/api/v1/me", nil)
	if me.str("type") != "client" || me.body["client"].(map[string]any)["client_id"] != "svc" {
		t.Fatalf("me %s", me.raw)
	}
	got := s.do(t, a, "GET", "/api/v1/clients/svc", nil)
	if strings.Contains(string(got.raw), secret1) || got.body["client_secret"] != nil {
		t.Fatalf("secret shown again: %s", got.raw)
	}
	r = s.do(t, a, "POST", "/api/v1/clients/svc/secrets", nil)
	wantStatus(t, "add secret", r, 201)
	secret2, secret2ID := r.str("client_secret"), r.str("id")
	list := s.do(t, a, "GET", "/api/v1/clients/svc/secrets", nil)
	hints := map[any]any{}
	for _, x := range list.items("secrets") {
		hints[x["id"]] = x["hint"]
	}
	if len(hints) != 2 || strings.Contains(string(list.raw), secret1) || strings.Contains(string(list.raw), secret2) ||
		hints[secret2ID] != secret2[len(secret2)-4:] {
		t.Fatalf("secrets %s", list.raw)
	}
	wantStatus(t, "delete secret", s.do(t, a, "DELETE", "/api/v1/clients/svc/secrets/"+secret2ID, nil), 204)
	wantStatus(t, "delete again", s.do(t, a, "DELETE", "/api/v1/clients/svc/secrets/"+secret2ID, nil), 404)
	wantField(t, "spa secret", s.do(t, a, "POST", "/api/v1/clients", map[string]any{"name": "S", "type": "spa", "redirect_uris": []string{"https://spa.example.com/cb"}, "bogus": true}), "bogus")

	// A web client's redirect and logout URIs are edited in place.
	r = s.do(t, a, "POST", "/api/v1/clients", map[string]any{"client_id": "web", "name": "Web", "type": "web", "redirect_uris": []string{"https://app.example.com/cb"}})
	wantStatus(t, "create web", r, 201)
	r = s.do(t, a, "PATCH", "/api/v1/clients/web", map[string]any{
		"add_redirect_uris": []string{"https://app.example.com/cb2"}, "remove_redirect_uris": []string{"https://app.example.com/cb"},
		"add_post_logout_redirect_uris": []string{"https://app.example.com/bye"}, "require_consent": true,
	})
	wantStatus(t, "patch", r, 200)
	if fmt.Sprint(r.body["redirect_uris"]) != "[https://app.example.com/cb2]" || fmt.Sprint(r.body["post_logout_redirect_uris"]) != "[https://app.example.com/bye]" || r.body["require_consent"] != true {
		t.Fatalf("patched %s", r.raw)
	}
	wantField(t, "empty redirects", s.do(t, a, "PATCH", "/api/v1/clients/web", map[string]any{"redirect_uris": []string{}}), "redirect_uris")
	pg := s.do(t, a, "GET", "/api/v1/clients?limit=1&offset=1", nil)
	if pg.body["total"] != 3.0 || len(pg.items("clients")) != 1 || pg.body["limit"] != 1.0 || pg.body["offset"] != 1.0 {
		t.Fatalf("page %s", pg.raw)
	}
	wantStatus(t, "delete", s.do(t, a, "DELETE", "/api/v1/clients/web", nil), 204)

	// The audit log: every change above with actor, object, outcome,
	// request id and client IP, and no secret (SECURITY-TESTS 44, 48).
	ev := s.do(t, a, "GET", "/api/v1/audit-events?action=client.create", nil)
	wantStatus(t, "audit", ev, 200)
	var found bool
	for _, e := range ev.items("audit_events") {
		if e["action"] != "client.create" {
			t.Fatalf("filter: %v", e)
		}
		if e["object_id"] == "svc" {
			found = true
			if e["actor_type"] != "user" || e["actor_id"] != s.root.ID || e["outcome"] != "success" || e["request_id"] == "" || e["client_ip"] != "127.0.0.1" {
				t.Fatalf("event %v", e)
			}
		}
	}
	if !found {
		t.Fatalf("no client.create of svc: %s", ev.raw)
	}
	all := s.do(t, a, "GET", "/api/v1/audit-events?limit=200", nil)
	for _, want := range []string{"client.secret.add", "client.secret.delete", "client.update", "client.delete"} {
		if !strings.Contains(string(all.raw), `"action":"`+want+`"`) {
			t.Fatalf("no %s event: %s", want, all.raw)
		}
	}
	dump, _, err := s.db.ListAudit(context.Background(), "tenant-a", idp.AuditQuery{Page: idp.Page{Limit: 1000}})
	must(t, err)
	for _, sec := range []string{secret1, secret2} {
		if strings.Contains(string(all.raw), sec) || strings.Contains(fmt.Sprintf("%+v", dump), sec) || strings.Contains(s.logs.String(), sec) {
			t.Fatal("a client secret is in the audit log or the server log")
		}
	}
	if strings.Contains(s.logs.String(), a.token) || strings.Contains(s.logs.String(), tok) {
		t.Fatal("an access token is in the server log")
	}
	since := s.do(t, a, "GET", "/api/v1/audit-events?since="+url.QueryEscape(start.Add(time.Hour).Format(time.RFC3339)), nil)
	if since.body["total"] != 0.0 {
		t.Fatalf("since filter: %s", since.raw)
	}
	wantField(t, "bad since", s.do(t, a, "GET", "/api/v1/audit-events?since=yesterday", nil), "since")
	wantField(t, "until before since", s.do(t, a, "GET", "/api/v1/audit-events?since=2026-05-05T00:00:00Z&until=2026-05-04T00:00:00Z", nil), "until")
	byActor := s.do(t, a, "GET", "/api/v1/audit-events?actor=nobody", nil)
	if byActor.body["total"] != 0.0 {
		t.Fatalf("actor filter: %s", byActor.raw)
	}

	// Deleting the client ends its machine tokens at once.
	wantStatus(t, "delete svc", s.do(t, a, "DELETE", "/api/v1/clients/svc", nil), 204)
	wantStatus(t, "token of a deleted client", s.do(t, caller{base: "/t/tenant-a", token: tok}, "GET", "/api/v1/me", nil), 401)
}

func TestUsersSessionsAndConnectedApps(t *testing.T) {
	s := newStack(t)
	a := caller{token: s.adminToken(t, s.root, manage.ManagementScopes), tenant: "tenant-a"}
	wantField(t, "bad email", s.do(t, a, "POST", "/api/v1/users", map[string]any{"email": "not-an-email"}), "email")
	wantField(t, "bad status", s.do(t, a, "POST", "/api/v1/users", map[string]any{"email": "x@example.com", "status": "asleep"}), "status")
	r := s.do(t, a, "POST", "/api/v1/users", map[string]any{"email": "Alice@Example.com", "name": "Alice", "email_verified": true})
	wantStatus(t, "create", r, 201)
	uid := r.str("id")
	if r.str("email") != "alice@example.com" || r.str("status") != "active" {
		t.Fatalf("created %s", r.raw)
	}
	wantStatus(t, "duplicate", s.do(t, a, "POST", "/api/v1/users", map[string]any{"email": "alice@example.com"}), 409)
	for i := range 3 {
		wantStatus(t, "create", s.do(t, a, "POST", "/api/v1/users", map[string]any{"email": fmt.Sprintf("bob%d@example.org", i)}), 201)
	}
	found := s.do(t, a, "GET", "/api/v1/users?search=ALICE", nil)
	if found.body["total"] != 1.0 || found.items("users")[0]["id"] != uid {
		t.Fatalf("search %s", found.raw)
	}
	pg := s.do(t, a, "GET", "/api/v1/users?search=example.org&limit=2&offset=2", nil)
	if pg.body["total"] != 3.0 || len(pg.items("users")) != 1 {
		t.Fatalf("page %s", pg.raw)
	}
	r = s.do(t, a, "PATCH", "/api/v1/users/"+uid, map[string]any{"name": "Alice B."})
	if r.str("name") != "Alice B." || r.body["email_verified"] != true {
		t.Fatalf("patched %s", r.raw)
	}

	// Two sessions and a connected app, then revoke them.
	ctx := context.Background()
	now := s.clock.Now()
	for i := range 2 {
		must(t, s.db.CreateSession(ctx, "tenant-a", &idp.Session{TenantID: "tenant-a", ID: fmt.Sprintf("%064d", i), UserID: uid, AuthTime: now, AMR: []string{"email"}, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(time.Hour)}))
	}
	must(t, s.db.PutConsent(ctx, "tenant-a", &idp.Consent{TenantID: "tenant-a", UserID: uid, ClientID: "robot", Scopes: []string{"openid", "email"}, CreatedAt: now, UpdatedAt: now}))
	ss := s.do(t, a, "GET", "/api/v1/users/"+uid+"/sessions", nil)
	if len(ss.items("sessions")) != 2 || strings.Contains(string(ss.raw), fmt.Sprintf("%064d", 0)) {
		t.Fatalf("sessions %s", ss.raw)
	}
	apps := s.do(t, a, "GET", "/api/v1/users/"+uid+"/connected-apps", nil)
	if len(apps.items("connected_apps")) != 1 || apps.items("connected_apps")[0]["client_id"] != "robot" || apps.items("connected_apps")[0]["client_name"] != "Robot" {
		t.Fatalf("apps %s", apps.raw)
	}
	rv := s.do(t, a, "DELETE", "/api/v1/users/"+uid+"/sessions", nil)
	if rv.status != 200 || rv.body["revoked"] != 2.0 {
		t.Fatalf("revoke %s", rv.raw)
	}
	if ss := s.do(t, a, "GET", "/api/v1/users/"+uid+"/sessions", nil); len(ss.items("sessions")) != 0 {
		t.Fatalf("after revoke %s", ss.raw)
	}
	wantStatus(t, "disconnect", s.do(t, a, "DELETE", "/api/v1/users/"+uid+"/connected-apps/robot", nil), 204)
	wantStatus(t, "disconnect again", s.do(t, a, "DELETE", "/api/v1/users/"+uid+"/connected-apps/robot", nil), 404)

	r = s.do(t, a, "POST", "/api/v1/users/"+uid+"/suspend", nil)
	if r.status != 200 || r.str("status") != "suspended" {
		t.Fatalf("suspend %s", r.raw)
	}
	wantStatus(t, "delete", s.do(t, a, "DELETE", "/api/v1/users/"+uid, nil), 204)
	wantStatus(t, "gone", s.do(t, a, "GET", "/api/v1/users/"+uid, nil), 404)

	// A suspended administrator's token stops working at once.
	vic := caller{token: s.adminToken(t, s.vic, manage.ManagementScopes)}
	wantStatus(t, "viewer me", s.do(t, vic, "GET", "/api/v1/me", nil), 200)
	_, err := s.manage.SuspendUser(s.cli, manage.AdminTenantID, s.vic.ID)
	must(t, err)
	wantStatus(t, "suspended admin", s.do(t, vic, "GET", "/api/v1/me", nil), 401)
}

func TestResourceServersKeysAndTheme(t *testing.T) {
	s := newStack(t)
	a := caller{token: s.adminToken(t, s.root, manage.ManagementScopes), tenant: "tenant-a"}
	wantField(t, "http identifier", s.do(t, a, "POST", "/api/v1/resource-servers", map[string]any{"identifier": "http://api.example.com", "name": "X"}), "identifier")
	r := s.do(t, a, "POST", "/api/v1/resource-servers", map[string]any{"identifier": "https://orders.example.com", "name": "Orders", "scopes": []map[string]any{{"value": "orders:read"}}})
	wantStatus(t, "create", r, 201)
	id := r.str("id")
	if r.str("scope_prefix") != "orders:" || r.body["builtin"] != false {
		t.Fatalf("created %s", r.raw)
	}
	wantField(t, "scope without prefix", s.do(t, a, "POST", "/api/v1/resource-servers/"+id+"/scopes", map[string]any{"value": "write"}), "scopes")
	r = s.do(t, a, "POST", "/api/v1/resource-servers/"+id+"/scopes", map[string]any{"value": "orders:write", "description": "Write", "granted_to_all": true})
	if r.status != 201 || len(r.items("scopes")) != 2 {
		t.Fatalf("add scope %s", r.raw)
	}
	list := s.do(t, a, "GET", "/api/v1/resource-servers", nil)
	var builtin string
	for _, x := range list.items("resource_servers") {
		if x["identifier"] == manage.ManagementAPI {
			builtin, _ = x["id"].(string)
			if x["builtin"] != true {
				t.Fatalf("builtin flag %v", x)
			}
		}
	}
	if list.body["total"] != 2.0 || builtin == "" {
		t.Fatalf("list %s", list.raw)
	}
	wantStatus(t, "delete builtin", s.do(t, a, "DELETE", "/api/v1/resource-servers/"+builtin, nil), 403)
	wantStatus(t, "rename builtin", s.do(t, a, "PATCH", "/api/v1/resource-servers/"+builtin, map[string]any{"name": "Mine"}), 403)
	wantStatus(t, "delete", s.do(t, a, "DELETE", "/api/v1/resource-servers/"+id, nil), 204)

	// Staged rotation: stage, then (too early) refused, then immediate.
	r = s.do(t, a, "POST", "/api/v1/signing-keys/rotate", nil)
	if r.status != 200 || r.body["staged"] == nil || r.body["activated"] != nil {
		t.Fatalf("stage %s", r.raw)
	}
	r = s.do(t, a, "POST", "/api/v1/signing-keys/rotate", map[string]any{"immediate": false})
	if r.status != 409 || r.str("error") != "rotation_pending" {
		t.Fatalf("early activation %s", r.raw)
	}
	r = s.do(t, a, "POST", "/api/v1/signing-keys/rotate", map[string]any{"immediate": true})
	if r.status != 200 || r.body["activated"] == nil {
		t.Fatalf("immediate %s", r.raw)
	}

	// Theme: only the given fields change; bad colours name the field.
	wantField(t, "bad colour", s.do(t, a, "PATCH", "/api/v1/theme", map[string]any{"light": map[string]any{"primary_color": "red"}}), "light.primary_color")
	r = s.do(t, a, "PATCH", "/api/v1/theme", map[string]any{"light": map[string]any{"primary_color": "#ffffff", "text_color": "#eeeeee"}})
	if r.status != 200 || r.body["light"].(map[string]any)["primary_color"] != "#ffffff" || r.body["dark"].(map[string]any)["primary_color"] == "#ffffff" ||
		len(r.body["warnings"].([]any)) == 0 {
		t.Fatalf("theme %s", r.raw)
	}
	up := s.do(t, a, "PUT", "/api/v1/theme/icon", rawBody{"image/png", pngImage(t)})
	if up.status != 200 || !strings.HasPrefix(up.str("icon_url"), "/assets/brand/icon?v=") {
		t.Fatalf("icon %s", up.raw)
	}
	wantField(t, "svg logo", s.do(t, a, "PUT", "/api/v1/theme/logo", rawBody{"image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)}), "logo_url")
	wantStatus(t, "unknown kind", s.do(t, a, "PUT", "/api/v1/theme/banner", rawBody{"image/png", pngImage(t)}), 404)
	r = s.do(t, a, "DELETE", "/api/v1/theme", nil)
	if r.status != 200 || r.body["icon_url"] != nil {
		t.Fatalf("reset %s", r.raw)
	}
}

// Forged tokens from one address are throttled (429 with Retry-After)
// before any verification; an expired token does not count.
func TestForgedTokensThrottled(t *testing.T) {
	s := newStack(t)
	good := s.adminToken(t, s.root, manage.ManagementScopes)
	forged := caller{token: good[:len(good)-4] + "AAAA"}
	for range 60 {
		wantStatus(t, "forged", s.do(t, forged, "GET", "/api/v1/me", nil), 401)
	}
	r := s.do(t, forged, "GET", "/api/v1/me", nil)
	if r.status != 429 || r.str("error") != "too_many_requests" || r.header.Get("Retry-After") == "" || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("61st forged token: %d %v %s", r.status, r.header, r.raw)
	}
	wantStatus(t, "even a good token from there", s.do(t, caller{token: good}, "GET", "/api/v1/me", nil), 429)
	s.clock.Set(start.Add(time.Minute))
	wantStatus(t, "next minute", s.do(t, caller{token: good}, "GET", "/api/v1/me", nil), 200)
}

// Disconnecting an administrator from the Admin UI client revokes the
// grant behind their token: the API refuses it at once (RFC 7009 §2).
func TestRevokedGrantEndsAdminToken(t *testing.T) {
	s := newStack(t)
	tok := s.adminToken(t, s.root, manage.ManagementScopes)
	wantStatus(t, "before", s.do(t, caller{token: tok}, "GET", "/api/v1/me", nil), 200)
	apps, err := s.manage.ListConnectedApps(s.cli, manage.AdminTenantID, s.root.ID)
	must(t, err)
	if len(apps) != 1 || apps[0].ClientID != manage.AdminUIClientID || apps[0].Grants != 1 || apps[0].LastUsedAt == nil {
		t.Fatalf("connected apps %+v", apps)
	}
	must(t, s.manage.RevokeConnectedApp(s.cli, manage.AdminTenantID, s.root.ID, manage.AdminUIClientID))
	wantStatus(t, "after", s.do(t, caller{token: tok}, "GET", "/api/v1/me", nil), 401)
}
