package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/api"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// tokens are the callers of the matrix.
type tokens struct {
	root, bob, vic string
	// lacking[scope] is root's token with every management scope but scope.
	lacking map[string]string
	// machine[tenant] is robot's token of that tenant with every scope;
	// machineOnly[scope] is tenant-a's robot with only that scope.
	machine     map[string]string
	machineOnly map[string]string
}

func (s *stack) tokens(t *testing.T) *tokens {
	tk := &tokens{
		root:    s.adminToken(t, s.root, manage.ManagementScopes),
		bob:     s.adminToken(t, s.bob, manage.ManagementScopes),
		vic:     s.adminToken(t, s.vic, manage.ManagementScopes),
		lacking: map[string]string{}, machine: map[string]string{}, machineOnly: map[string]string{},
	}
	for _, sc := range manage.ManagementScopes {
		tk.lacking[sc] = s.adminToken(t, s.root, without(manage.ManagementScopes, sc))
	}
	for _, tid := range []string{"tenant-a", "tenant-b"} {
		tk.machine[tid] = s.machineToken(t, tid, "")
	}
	tk.machineOnly[manage.ScopeAuditRead] = s.machineToken(t, "tenant-a", manage.ScopeAuditRead)
	tk.machineOnly[manage.ScopeKeysRead] = s.machineToken(t, "tenant-a", manage.ScopeKeysRead)
	return tk
}

// expectations that differ from the general rule for routes that are not
// about one tenant's objects.
type special struct {
	other, viewer, machine int
}

var specials = map[string]special{
	"GET /api/v1/me":              {other: 200, viewer: 200, machine: 200},
	"GET /api/v1/tenants":         {other: 200, viewer: 200, machine: 200},
	"POST /api/v1/tenants":        {other: 400, viewer: 403, machine: 403}, // bob names an account that is not his
	"DELETE /api/v1/tenants/{id}": {other: 404, viewer: 403, machine: 404}, // a machine sees only its own tenant
	// The fixtures suspend and resume a tenant of their own, which a
	// machine of tenant-a does not see.
	"POST /api/v1/tenants/{id}/suspend": {other: 404, viewer: 403, machine: 404},
	"POST /api/v1/tenants/{id}/resume":  {other: 404, viewer: 403, machine: 404},
}

// TestSec44AuthorizationMatrix runs every route of the table × {no token,
// expired token, another account's administrator, a viewer, a token
// lacking the route's scope, a machine token of another tenant, another
// tenant's object, the right callers}: only the right callers succeed,
// and foreign objects answer 404, never 403 (SECURITY-TESTS 44).
func TestSec44AuthorizationMatrix(t *testing.T) {
	s := newStack(t)
	tk := s.tokens(t)
	admin := func(tok, tenant string) caller { return caller{token: tok, tenant: tenant} }
	var secrets []string
	t.Cleanup(func() { s.noSecretStored(t, secrets) })
	routes := api.Operations()
	if len(routes) < 30 {
		t.Fatalf("only %d routes", len(routes))
	}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Path
		t.Run(key, func(t *testing.T) {
			fx, ok := fixtures[key]
			if !ok {
				t.Fatalf("no fixture for %s: every route must be in the matrix", key)
			}
			write := rt.Method != http.MethodGet
			sp, isSpecial := specials[key]
			tenantObject := rt.Tenant || strings.HasPrefix(rt.Path, "/api/v1/tenants/{id}")
			expect := func(name string, r result, want int) {
				t.Helper()
				if r.status != want {
					t.Fatalf("%s: status %d, want %d: %s", name, r.status, want, r.raw)
				}
				if cc := r.header.Get("Cache-Control"); cc != "no-store" {
					t.Fatalf("%s: Cache-Control %q", name, cc)
				}
				if r.header.Get("Access-Control-Allow-Origin") != "" {
					t.Fatalf("%s: CORS on the API", name)
				}
			}

			// No token, and a malformed one.
			path, body := fx(t, s, "tenant-a")
			r := s.do(t, admin("", "tenant-a"), rt.Method, path, body)
			expect("no token", r, 401)
			if !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") || r.str("error") != "invalid_token" {
				t.Fatalf("no token: %v %s", r.header, r.raw)
			}
			r = s.do(t, admin(tk.root+"x", "tenant-a"), rt.Method, path, body)
			expect("tampered token", r, 401)
			if !strings.Contains(r.header.Get("WWW-Authenticate"), `error="invalid_token"`) {
				t.Fatalf("tampered: %v", r.header)
			}

			// Expired: the same valid token 16 minutes later (lifetime 15).
			s.clock.Set(start.Add(16 * time.Minute))
			r = s.do(t, admin(tk.root, "tenant-a"), rt.Method, path, body)
			s.clock.Set(start)
			expect("expired token", r, 401)

			// Another account's administrator on tenant-a's objects.
			want := 404
			if isSpecial {
				want = sp.other
			} else if !tenantObject {
				want = rt.Status
			}
			r = s.do(t, admin(tk.bob, "tenant-a"), rt.Method, path, body)
			expect("other account's admin", r, want)
			if key == "GET /api/v1/tenants" && strings.Contains(string(r.raw), `"tenant-a"`) {
				t.Fatalf("bob lists tenant-a: %s", r.raw)
			}

			// A viewer may read, never write.
			want = rt.Status
			if isSpecial {
				want = sp.viewer
			} else if write {
				want = 403
			}
			if write {
				path, body = fx(t, s, "tenant-a")
			}
			r = s.do(t, admin(tk.vic, "tenant-a"), rt.Method, path, body)
			expect("viewer", r, want)
			if want == 403 && r.str("error") != "forbidden" {
				t.Fatalf("viewer: %s", r.raw)
			}
			if want == 403 && rt.Tenant {
				// A refused change on a tenant the viewer sees is audited too.
				e := s.auditByRequest(t, r.header.Get("X-Request-Id"), manage.ActorUser, []string{"tenant-a"})
				if e == nil || e.ActorID != s.vic.ID || e.Outcome != "failure" || e.Details["reason"] != "forbidden" {
					t.Fatalf("audit of the refusal: %+v", e)
				}
			}

			// Insufficient scope, for administrators and machines.
			if rt.Scope != "" {
				r = s.do(t, admin(tk.lacking[rt.Scope], "tenant-a"), rt.Method, path, body)
				expect("admin lacking "+rt.Scope, r, 403)
				if r.str("error") != "insufficient_scope" || !strings.Contains(r.header.Get("WWW-Authenticate"), `scope="`+rt.Scope+`"`) {
					t.Fatalf("insufficient scope: %v %s", r.header, r.raw)
				}
				other := manage.ScopeAuditRead
				if rt.Scope == other {
					other = manage.ScopeKeysRead
				}
				r = s.do(t, caller{base: "/t/tenant-a", token: tk.machineOnly[other]}, rt.Method, path, body)
				expect("machine lacking "+rt.Scope, r, 403)
			}

			// Tenant-b's machine token: on tenant-b's host naming tenant-a,
			// and on tenant-a's host (not its issuer).
			if tenantObject && !isSpecial && rt.Tenant {
				r = s.do(t, caller{base: "/t/tenant-b", token: tk.machine["tenant-b"], tenant: "tenant-a"}, rt.Method, path, body)
				expect("machine naming another tenant", r, 404)
			}
			r = s.do(t, caller{base: "/t/tenant-a", token: tk.machine["tenant-b"]}, rt.Method, path, body)
			expect("machine token at another tenant's host", r, 401)
			// An admin token is not a machine token and vice versa.
			r = s.do(t, caller{base: "/t/tenant-a", token: tk.root}, rt.Method, path, body)
			expect("admin token at a tenant host", r, 401)
			r = s.do(t, admin(tk.machine["tenant-a"], "tenant-a"), rt.Method, path, body)
			expect("machine token at the admin host", r, 401)

			// Another tenant's object through tenant-a: 404, not 403.
			if strings.Contains(rt.Path, "{id}") {
				fpath, fbody := fx(t, s, "tenant-b")
				r = s.do(t, admin(tk.root, "tenant-a"), rt.Method, fpath, fbody)
				expect("foreign object", r, 404)
				if r.str("error") != "not_found" {
					t.Fatalf("foreign object: %s", r.raw)
				}
			}

			// The right callers. Every change is audited (SECURITY-TESTS 44).
			path, body = fx(t, s, "tenant-a")
			r = s.do(t, admin(tk.root, "tenant-a"), rt.Method, path, body)
			expect("owner", r, rt.Status)
			if sec := r.str("client_secret"); sec != "" {
				secrets = append(secrets, sec)
			}
			if write {
				tenants := []string{"tenant-a", manage.AdminTenantID}
				if rt.Path == "/api/v1/tenants" || strings.HasPrefix(rt.Path, "/api/v1/tenants/{id}/") {
					tenants = append(tenants, r.str("id")) // the tenant's own log
				}
				e := s.auditByRequest(t, r.header.Get("X-Request-Id"), manage.ActorUser, tenants)
				if e == nil || e.ActorType != manage.ActorUser || e.ActorID != s.root.ID || e.Outcome != "success" ||
					e.ObjectType == "" || e.ObjectID == "" || e.ClientIP != "127.0.0.1" || e.Action == "" {
					t.Fatalf("audit of the change: %+v", e)
				}
			}
			want = rt.Status
			if isSpecial {
				want = sp.machine
			}
			path, body = fx(t, s, "tenant-a")
			r = s.do(t, caller{base: "/t/tenant-a", token: tk.machine["tenant-a"]}, rt.Method, path, body)
			expect("machine", r, want)
			if write && want == rt.Status {
				e := s.auditByRequest(t, r.header.Get("X-Request-Id"), manage.ActorClient, []string{"tenant-a"})
				if e == nil || e.ActorID != "robot" || e.Outcome != "success" || e.ObjectID == "" {
					t.Fatalf("audit of the machine's change: %+v", e)
				}
			}
		})
	}
}

// auditByRequest finds the audit event a request wrote in one of tenants
// with actor type actorType (a request may write several: creating a
// tenant also records its built-in resource server, by the system).
func (s *stack) auditByRequest(t *testing.T, requestID, actorType string, tenants []string) *idp.AuditEvent {
	t.Helper()
	if requestID == "" {
		t.Fatal("no X-Request-Id")
	}
	for _, tid := range tenants {
		es, _, err := s.db.ListAudit(context.Background(), tid, idp.AuditQuery{Page: idp.Page{Limit: 10000}})
		must(t, err)
		for i := range es {
			if es[i].RequestID == requestID && es[i].ActorType == actorType {
				return &es[i]
			}
		}
	}
	return nil
}

// noSecretStored checks that no secret handed out appears in any tenant's
// audit log or in the server log (SECURITY-TESTS 48).
func (s *stack) noSecretStored(t *testing.T, secrets []string) {
	ctx := context.Background()
	ts, _, err := s.db.ListTenants(ctx, "", idp.Page{Limit: 1000})
	must(t, err)
	var dump strings.Builder
	for _, tn := range ts {
		es, _, err := s.db.ListAudit(ctx, tn.ID, idp.AuditQuery{Page: idp.Page{Limit: 10000}})
		must(t, err)
		fmt.Fprintf(&dump, "%+v\n", es)
	}
	if len(secrets) == 0 {
		t.Error("the matrix handed out no client secret to look for")
	}
	for _, sec := range secrets {
		if strings.Contains(dump.String(), sec) || strings.Contains(s.logs.String(), sec) {
			t.Errorf("a client secret is in the audit or server log")
		}
	}
}
