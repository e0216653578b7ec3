package manage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
)

// dcr is a registration request of the admin tenant.
func dcr(typ idp.ClientType, redirects ...string) *idp.Client {
	return &idp.Client{TenantID: AdminTenantID, Type: typ, Name: "Claude Code", RedirectURIs: redirects}
}

// TestRegisterDynamicRedirects: the redirect URIs real assistants use are
// accepted, and every dangerous or malformed one is refused on field
// redirect_uris (which the protocol layer answers invalid_redirect_uri).
func TestRegisterDynamicRedirects(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	accepted := []struct {
		typ idp.ClientType
		uri string
	}{
		{idp.ClientNative, "http://127.0.0.1:33418/callback"},
		{idp.ClientNative, "http://localhost/cb"},
		{idp.ClientNative, "http://[::1]:8080/cb"},
		{idp.ClientNative, "cursor://anysphere.cursor-retrieval/oauth/callback"},
		{idp.ClientNative, "vscode://vscode.github-authentication/did-authenticate"},
		{idp.ClientNative, "claude://oauth/callback"},
		{idp.ClientNative, "com.example.app:/oauth2redirect"},
		{idp.ClientNative, "https://vscode.dev/redirect"},
		{idp.ClientNative, "https://claude.ai/api/mcp/auth_callback"},
		{idp.ClientWeb, "https://claude.ai/api/mcp/auth_callback"},
		{idp.ClientWeb, "http://localhost:6274/oauth/callback"},
	}
	for _, c := range accepted {
		if _, _, _, err := f.svc.RegisterDynamicClient(ctx, dcr(c.typ, c.uri), "", ""); err != nil {
			t.Errorf("%s %s refused: %v", c.typ, c.uri, err)
		}
	}
	long := "https://app.example.com/" + strings.Repeat("a", maxDynamicRedirectURILen)
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = "http://127.0.0.1/cb" + strings.Repeat("x", i)
	}
	refused := []struct {
		name string
		typ  idp.ClientType
		uris []string
	}{
		{"none", idp.ClientNative, nil},
		{"javascript", idp.ClientNative, []string{"javascript:alert(1)"}},
		{"javascript comment", idp.ClientNative, []string{"javascript://example.com/%0Aalert(1)"}},
		{"data", idp.ClientNative, []string{"data:text/html,<script>alert(1)</script>"}},
		{"file", idp.ClientNative, []string{"file:///etc/passwd"}},
		{"vbscript", idp.ClientNative, []string{"vbscript:msgbox(1)"}},
		{"about", idp.ClientNative, []string{"about:blank"}},
		{"blob", idp.ClientNative, []string{"blob:https://claude.ai/0d6b"}},
		{"fragment", idp.ClientNative, []string{"https://claude.ai/cb#frag"}},
		{"empty fragment", idp.ClientNative, []string{"https://claude.ai/cb#"}},
		{"userinfo", idp.ClientNative, []string{"https://claude.ai@evil.example/cb"}},
		{"userinfo loopback", idp.ClientNative, []string{"http://user:pw@127.0.0.1/cb"}},
		{"http non-loopback", idp.ClientNative, []string{"http://evil.example/cb"}},
		{"http loopback lookalike", idp.ClientNative, []string{"http://127.0.0.1.evil.example/cb"}},
		{"http web non-loopback", idp.ClientWeb, []string{"http://claude.ai/cb"}},
		{"relative", idp.ClientNative, []string{"/callback"}},
		{"scheme-relative", idp.ClientNative, []string{"//evil.example/cb"}},
		{"custom scheme for web", idp.ClientWeb, []string{"cursor://anysphere.cursor-retrieval/oauth/callback"}},
		{"too many", idp.ClientNative, eleven},
		{"too long", idp.ClientNative, []string{long}},
		{"one bad among good", idp.ClientNative, []string{"http://127.0.0.1/cb", "javascript:alert(1)"}},
	}
	for _, c := range refused {
		t.Run(c.name, func(t *testing.T) {
			_, _, _, err := f.svc.RegisterDynamicClient(ctx, dcr(c.typ, c.uris...), "", "")
			var ve *idp.ValidationError
			if !errors.As(err, &ve) || ve.Field != "redirect_uris" {
				t.Fatalf("err = %v, want a redirect_uris validation error", err)
			}
		})
	}
}

// TestRegisterDynamicClient: what a registration stores and returns, and
// its audit record.
func TestRegisterDynamicClient(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := dcr(idp.ClientWeb, "https://claude.ai/api/mcp/auth_callback")
	in.ID, in.ClientURI = "chosen-id", "https://claude.ai"
	c, sec, token, err := f.svc.RegisterDynamicClient(ctx, in, "req-1", "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	if c.ID == "chosen-id" || len(c.ID) != 24 {
		t.Errorf("client_id = %q: must be generated, not chosen (SECURITY-TESTS 46)", c.ID)
	}
	if sec == "" || token == "" || sec == token {
		t.Fatalf("secret %q / registration token %q", sec, token)
	}
	got, err := f.st.GetClient(ctx, AdminTenantID, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Dynamic || !got.ThirdParty || !got.RequireConsent || got.RefreshGraceSeconds != 60 || got.Type != idp.ClientWeb || got.ClientURI != "https://claude.ai" {
		t.Errorf("stored client = %+v", got)
	}
	if !secret.Equal(got.RegistrationTokenHash, secret.HashBytes(token)) {
		t.Errorf("registration token hash not stored")
	}
	secrets, err := f.st.ListClientSecrets(ctx, AdminTenantID, c.ID)
	if err != nil || len(secrets) != 1 || !secret.Equal(secrets[0].Hash, secret.HashBytes(sec)) {
		t.Fatalf("secrets = %+v, %v", secrets, err)
	}
	e := f.lastAudit(t, AdminTenantID, "client.register")
	if e.ActorType != ActorSystem || e.ActorID != ActorDynamicRegistration || e.ObjectID != c.ID || e.ClientIP != "192.0.2.7" || e.RequestID != "req-1" || e.Outcome != outcomeSuccess {
		t.Errorf("audit = %+v", e)
	}
	for k, v := range e.Details {
		if strings.Contains(v, sec) || strings.Contains(v, token) {
			t.Errorf("audit detail %s holds a secret", k)
		}
	}

	// A native client has no secret; an unnamed one gets a name.
	nat := dcr(idp.ClientNative, "http://127.0.0.1/cb")
	nat.Name = ""
	c2, sec2, token2, err := f.svc.RegisterDynamicClient(ctx, nat, "", "")
	if err != nil || sec2 != "" || token2 == "" || c2.Name == "" {
		t.Fatalf("native: %+v %q %q %v", c2, sec2, token2, err)
	}
}

// TestRegisterDynamicRefused: registration happens on the admin tenant
// only, for native and web clients, with a valid home page and name.
func TestRegisterDynamicRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	before := len(f.audits(t, AdminTenantID)) + len(f.audits(t, "tenant-a"))
	other := dcr(idp.ClientNative, "http://127.0.0.1/cb")
	other.TenantID = "tenant-a"
	if _, _, _, err := f.svc.RegisterDynamicClient(ctx, other, "", ""); !errors.Is(err, idp.ErrNotFound) {
		t.Errorf("tenant-a: err = %v, want not found", err)
	}
	for name, c := range map[string]struct {
		mutate func(*idp.Client)
		field  string
	}{
		"backend":            {func(c *idp.Client) { c.Type = idp.ClientBackend }, "token_endpoint_auth_method"},
		"spa":                {func(c *idp.Client) { c.Type = idp.ClientSPA }, "token_endpoint_auth_method"},
		"client_uri http":    {func(c *idp.Client) { c.ClientURI = "http://claude.ai" }, "client_uri"},
		"client_uri js":      {func(c *idp.Client) { c.ClientURI = "javascript:alert(1)" }, "client_uri"},
		"client_uri creds":   {func(c *idp.Client) { c.ClientURI = "https://a:b@claude.ai" }, "client_uri"},
		"name too long":      {func(c *idp.Client) { c.Name = strings.Repeat("n", 101) }, "name"},
		"name with controls": {func(c *idp.Client) { c.Name = "Claude\x07" }, "name"},
	} {
		t.Run(name, func(t *testing.T) {
			in := dcr(idp.ClientNative, "http://127.0.0.1/cb")
			c.mutate(in)
			_, _, _, err := f.svc.RegisterDynamicClient(ctx, in, "", "")
			var ve *idp.ValidationError
			if !errors.As(err, &ve) || ve.Field != c.field {
				t.Fatalf("err = %v, want a %s validation error", err, c.field)
			}
		})
	}
	if after := len(f.audits(t, AdminTenantID)) + len(f.audits(t, "tenant-a")); after != before {
		t.Errorf("refused registrations wrote %d audit records", after-before)
	}
}

// TestDynamicClientToken: RFC 7592 read and delete need the client's own
// registration access token; another client's token, a wrong one and an
// unknown client all fail alike.
func TestDynamicClientToken(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, _, tokA, err := f.svc.RegisterDynamicClient(ctx, dcr(idp.ClientNative, "http://127.0.0.1/a"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	b, _, tokB, err := f.svc.RegisterDynamicClient(ctx, dcr(idp.ClientNative, "http://127.0.0.1/b"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := f.svc.ReadDynamicClient(ctx, AdminTenantID, a.ID, tokA); err != nil || got.ID != a.ID {
		t.Fatalf("read own: %v %v", got, err)
	}
	// A client created by an administrator has no registration token.
	made, err := f.svc.CreateClient(cli(ctx), AdminTenantID, ClientInput{Name: "Made", Type: idp.ClientNative, RedirectURIs: []string{"http://127.0.0.1/m"}})
	if err != nil {
		t.Fatal(err)
	}
	// A dynamic client without a registration token (as Client ID
	// Metadata Documents create them).
	now := f.clock.Now()
	if err := f.st.CreateClient(ctx, AdminTenantID, &idp.Client{TenantID: AdminTenantID, ID: "https://app.example/client.json", Name: "Doc",
		Type: idp.ClientNative, RedirectURIs: []string{"http://127.0.0.1/d"}, Dynamic: true, ThirdParty: true, CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ tenant, id, token string }{
		"no token registered":  {AdminTenantID, "https://app.example/client.json", "authalla: no such registration"},
		"no token, empty":      {AdminTenantID, "https://app.example/client.json", ""},
		"other client's token": {AdminTenantID, a.ID, tokB},
		"wrong token":          {AdminTenantID, a.ID, tokA + "x"},
		"empty token":          {AdminTenantID, a.ID, ""},
		"unknown client":       {AdminTenantID, "nope", tokA},
		"other tenant":         {"tenant-a", a.ID, tokA},
		"not dynamic":          {AdminTenantID, made.Client.ID, ""},
	} {
		if _, err := f.svc.ReadDynamicClient(ctx, c.tenant, c.id, c.token); !errors.Is(err, idp.ErrForbidden) {
			t.Errorf("read, %s: err = %v, want forbidden", name, err)
		}
		if err := f.svc.DeleteDynamicClient(ctx, c.tenant, c.id, c.token, "", ""); !errors.Is(err, idp.ErrForbidden) {
			t.Errorf("delete, %s: err = %v, want forbidden", name, err)
		}
	}
	if err := f.svc.DeleteDynamicClient(ctx, AdminTenantID, b.ID, tokB, "req-2", "192.0.2.8"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetClient(ctx, AdminTenantID, b.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Errorf("deleted client still there: %v", err)
	}
	if e := f.lastAudit(t, AdminTenantID, "client.delete"); e.ObjectID != b.ID || e.ActorID != ActorDynamicRegistration {
		t.Errorf("audit = %+v", e)
	}
	if _, err := f.st.GetClient(ctx, AdminTenantID, a.ID); err != nil {
		t.Errorf("the other client went too: %v", err)
	}
}

// TestPurgeDynamicClients: unused registrations older than the TTL go;
// younger ones, used ones and administrators' clients stay; only the
// server or the CLI may purge.
func TestPurgeDynamicClients(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old, _, _, err := f.svc.RegisterDynamicClient(ctx, dcr(idp.ClientNative, "http://127.0.0.1/old"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	used, _, _, err := f.svc.RegisterDynamicClient(ctx, dcr(idp.ClientNative, "http://127.0.0.1/used"), "", "")
	if err != nil {
		t.Fatal(err)
	}
	// A grant, as a redeemed code leaves one.
	now := f.clock.Now()
	user := f.boot.AdminUser
	code := &idp.AuthCode{TenantID: AdminTenantID, Hash: "code-hash", ClientID: used.ID, UserID: user.ID,
		Scope: []string{"openid"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}
	if err := f.st.CreateAuthCode(ctx, AdminTenantID, code); err != nil {
		t.Fatal(err)
	}
	g := &idp.Grant{TenantID: AdminTenantID, ID: "grt_1", ClientID: used.ID, UserID: user.ID,
		Scope: []string{"openid"}, AuthTime: now, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := f.st.RedeemAuthCode(ctx, AdminTenantID, code.Hash, now, store.Issue{Grant: g}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(DefaultDynamicClientTTL + time.Minute)
	young, _, _, err := f.svc.RegisterDynamicClient(ctx, dcr(idp.ClientNative, "http://127.0.0.1/young"), "", "")
	if err != nil {
		t.Fatal(err)
	}

	if _, err := f.svc.PurgeDynamicClients(userIn(f.accA, idp.RoleOwner), 0); !errors.Is(err, idp.ErrForbidden) {
		t.Errorf("an owner purged: %v", err)
	}
	if _, err := f.svc.PurgeDynamicClients(ctx, 0); !errors.Is(err, idp.ErrForbidden) {
		t.Errorf("no actor purged: %v", err)
	}
	sys := WithActor(ctx, Actor{Type: ActorSystem, ID: "server"})
	n, err := f.svc.PurgeDynamicClients(sys, 0)
	if err != nil || n != 1 {
		t.Fatalf("purged %d, %v; want 1", n, err)
	}
	if _, err := f.st.GetClient(ctx, AdminTenantID, old.ID); !errors.Is(err, idp.ErrNotFound) {
		t.Errorf("unused old registration kept: %v", err)
	}
	for _, id := range []string{used.ID, young.ID, AdminUIClientID} {
		if _, err := f.st.GetClient(ctx, AdminTenantID, id); err != nil {
			t.Errorf("%s purged: %v", id, err)
		}
	}
}
