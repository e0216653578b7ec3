package mcp

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mcpsdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/authalla/authalla/internal/bearer"
	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// toolEnv runs the client, user, resource-server and integration tools
// (plus the tenant tools the seed prompts use) in a real MCP server from
// the SDK, over a real SQLite store and signing keys, and talks to it with
// the SDK's client over an in-memory transport. The caller (actor, token
// scopes) is what the HTTP layer would put into the request context; the
// HTTP layer itself (bearer token, 401/403) is tested with the server.
//
// Accounts: A (the bootstrap account) with owner root and viewer vic,
// owning tenant-a; B with owner bob, owning tenant-b.
type toolEnv struct {
	manage *manage.Service
	db     *sqlstore.Store
	cli    context.Context
	root   *idp.User
	vic    *idp.User
	bob    *idp.User
	issuer string // the admin tenant's issuer
}

var envStart = time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)

func newToolEnv(t *testing.T) *toolEnv {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "authalla.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	sealer, err := secret.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	clock := idp.NewFakeClock(envStart)
	km := keys.New(keys.Options{Store: db, Sealer: sealer, Clock: clock, Random: secret.Default})
	e := &toolEnv{db: db, issuer: "http://127.0.0.1:8080"}
	e.manage = manage.New(manage.Options{
		Store: db, Keys: km, Clock: clock, Random: secret.Default,
		Issuer: func(t *idp.Tenant) string {
			if t.Admin {
				return e.issuer
			}
			return e.issuer + "/t/" + t.ID
		},
	})
	e.cli = manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "test"})
	boot, err := e.manage.Bootstrap(e.cli, manage.BootstrapInput{AdminEmail: "root@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	e.root = boot.AdminUser
	const accB = "acc_b"
	if err := db.CreateAccount(ctx, &idp.Account{ID: accB, Name: "B", CreatedAt: envStart}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ id, acc string }{{"tenant-a", boot.Account.ID}, {"tenant-b", accB}} {
		if _, err := e.manage.CreateTenant(e.cli, manage.TenantInput{ID: tc.id, Name: "Tenant " + tc.id, AccountID: tc.acc}); err != nil {
			t.Fatal(err)
		}
	}
	e.vic = e.admin(t, "vic@example.com", boot.Account.ID, idp.RoleViewer)
	e.bob = e.admin(t, "bob@example.com", accB, idp.RoleOwner)
	return e
}

// admin creates an administrator (a user of the admin tenant) with one
// account membership.
func (e *toolEnv) admin(t *testing.T, email, account string, role idp.AccountRole) *idp.User {
	t.Helper()
	u, err := e.manage.CreateUser(e.cli, manage.AdminTenantID, manage.UserInput{Email: email, EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.db.PutAccountMember(context.Background(), &idp.AccountMember{AccountID: account, UserID: u.ID, Role: role, CreatedAt: envStart}); err != nil {
		t.Fatal(err)
	}
	return u
}

// allScopes are the MCP scopes every administrator may be granted.
const allScopes = "mcp:read mcp:write mcp:admin"

// session connects the SDK's client as administrator u holding scopes.
func (e *toolEnv) session(t *testing.T, u *idp.User, scopes string) *mcpsdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	a, err := e.manage.AdminActor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	admin, err := e.manage.GetTenant(e.cli, manage.AdminTenantID)
	if err != nil {
		t.Fatal(err)
	}
	info := &tenant.Info{Tenant: admin.Tenant, Issuer: e.issuer}
	c := &caller{
		ctx:  manage.WithActor(ctx, a),
		info: info,
		claims: &bearer.Claims{Issuer: e.issuer, Subject: u.ID, Audience: idp.Audience{Resource(info)},
			ClientID: "test-client", Scope: scopes, AuthTime: envStart.Unix()},
	}
	s := &Server{manage: e.manage, clock: idp.SystemClock{}, log: slog.New(slog.NewTextHandler(io.Discard, nil)), toolScopes: map[string]string{}}
	srv := mcpsdk.NewServer(&mcpsdk.Implementation{Name: "authalla-test", Version: "test"}, nil)
	s.registerTenantTools(srv)
	s.registerClientTools(srv)
	s.registerUserTools(srv)
	s.registerResourceTools(srv)
	s.registerIntegrationTools(srv)
	st, ct := mcpsdk.NewInMemoryTransports()
	ss, err := srv.Connect(context.WithValue(ctx, callerKey{}, c), st, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ss.Close() })
	client := mcpsdk.NewClient(&mcpsdk.Implementation{Name: "test-client", Version: "test"}, nil)
	cs, err := client.Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cs.Close() })
	return cs
}

// toolResult is one tools/call answer.
type toolResult struct {
	isError bool
	text    string          // all text content, joined
	data    json.RawMessage // structured content
}

// callTool runs tool with args and returns its answer; a protocol error fails
// the test (tool errors are answers).
func callTool(t *testing.T, cs *mcpsdk.ClientSession, tool string, args map[string]any) toolResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := cs.CallTool(ctx, &mcpsdk.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", tool, err)
	}
	var texts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcpsdk.TextContent); ok {
			texts = append(texts, tc.Text)
		}
	}
	out := toolResult{isError: res.IsError, text: strings.Join(texts, "\n")}
	if res.StructuredContent != nil {
		b, err := json.Marshal(res.StructuredContent)
		if err != nil {
			t.Fatal(err)
		}
		out.data = b
	}
	return out
}

// ok runs tool, fails the test on a tool error, and decodes the
// structured content into out.
func ok(t *testing.T, cs *mcpsdk.ClientSession, tool string, args map[string]any, out any) toolResult {
	t.Helper()
	r := callTool(t, cs, tool, args)
	if r.isError {
		t.Fatalf("%s(%v): tool error: %s", tool, args, r.text)
	}
	if out != nil {
		if err := json.Unmarshal(r.data, out); err != nil {
			t.Fatalf("%s: structured content %s: %v", tool, r.data, err)
		}
	}
	return r
}

// fails runs tool and returns its error text, failing the test when the
// tool succeeded.
func fails(t *testing.T, cs *mcpsdk.ClientSession, tool string, args map[string]any) string {
	t.Helper()
	r := callTool(t, cs, tool, args)
	if !r.isError {
		t.Fatalf("%s(%v) succeeded, want an error: %s", tool, args, r.text)
	}
	return r.text
}

// restDescription is the error_description the REST API answers for err
// (its one error mapper, internal/httpx).
func restDescription(t *testing.T, err error) string {
	t.Helper()
	rec := httptest.NewRecorder()
	httpx.WriteError(rec, httptest.NewRequest(http.MethodPost, "/api/v1/clients", nil), err)
	var body struct {
		Error       string `json:"error"`
		Description string `json:"error_description"`
	}
	if e := json.Unmarshal(rec.Body.Bytes(), &body); e != nil || body.Description == "" {
		t.Fatalf("REST answer for %v: %d %s", err, rec.Code, rec.Body)
	}
	return body.Description
}
