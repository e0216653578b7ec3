package manage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

func TestCreateClientValidation(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	if _, err := f.svc.CreateResourceServer(ctx, "tenant-a", ResourceServerInput{Identifier: "https://api.example.com", Name: "API"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateResourceServer(ctx, "tenant-b", ResourceServerInput{Identifier: "https://b-api.example.com", Name: "B API"}); err != nil {
		t.Fatal(err)
	}
	cb := []string{"https://app.example.com/cb"}
	cases := []struct {
		name   string
		in     ClientInput
		field  string // "" = ok
		secret bool
	}{
		{"spa", ClientInput{Name: "SPA", Type: idp.ClientSPA, RedirectURIs: []string{"http://localhost:5173/cb"}}, "", false},
		{"native", ClientInput{Name: "App", Type: idp.ClientNative, RedirectURIs: []string{"com.example.app:/cb", "http://127.0.0.1/cb"}}, "", false},
		{"web", ClientInput{Name: "Web", Type: idp.ClientWeb, RedirectURIs: cb, PostLogoutRedirectURIs: []string{"https://app.example.com/"},
			Scopes: []string{"openid", "api:read"}, RequireConsent: true, DefaultResourceServer: "https://api.example.com", RefreshGraceSeconds: 60}, "", true},
		{"backend", ClientInput{Name: "Job", Type: idp.ClientBackend}, "", true},
		{"chosen id", ClientInput{ID: "my-app.v2_~", Name: "x", Type: idp.ClientBackend}, "", true},

		{"no name", ClientInput{Type: idp.ClientBackend}, "name", false},
		{"long name", ClientInput{Name: strings.Repeat("n", 101), Type: idp.ClientBackend}, "name", false},
		{"bad type", ClientInput{Name: "x", Type: "confidential"}, "type", false},
		{"spa without redirect", ClientInput{Name: "x", Type: idp.ClientSPA}, "redirect_uris", false},
		{"web without redirect", ClientInput{Name: "x", Type: idp.ClientWeb}, "redirect_uris", false},
		{"backend with redirect", ClientInput{Name: "x", Type: idp.ClientBackend, RedirectURIs: cb}, "redirect_uris", false},
		{"backend with logout", ClientInput{Name: "x", Type: idp.ClientBackend, PostLogoutRedirectURIs: cb}, "post_logout_redirect_uris", false},
		{"fragment", ClientInput{Name: "x", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb#"}}, "redirect_uris", false},
		{"custom scheme for web", ClientInput{Name: "x", Type: idp.ClientWeb, RedirectURIs: []string{"myapp:/cb"}}, "redirect_uris", false},
		{"javascript logout", ClientInput{Name: "x", Type: idp.ClientNative, RedirectURIs: []string{"myapp:/cb"}, PostLogoutRedirectURIs: []string{"javascript:alert(1)"}}, "post_logout_redirect_uris", false},
		{"bad scope", ClientInput{Name: "x", Type: idp.ClientBackend, Scopes: []string{"a b"}}, "scopes", false},
		{"quote scope", ClientInput{Name: "x", Type: idp.ClientBackend, Scopes: []string{`a"b`}}, "scopes", false},
		{"unknown resource server", ClientInput{Name: "x", Type: idp.ClientBackend, DefaultResourceServer: "https://nope.example.com"}, "default_resource_server", false},
		{"other tenant's resource server", ClientInput{Name: "x", Type: idp.ClientBackend, DefaultResourceServer: "https://b-api.example.com"}, "default_resource_server", false},
		{"grace too long", ClientInput{Name: "x", Type: idp.ClientBackend, RefreshGraceSeconds: 61}, "refresh_grace_seconds", false},
		{"grace negative", ClientInput{Name: "x", Type: idp.ClientBackend, RefreshGraceSeconds: -1}, "refresh_grace_seconds", false},
		{"short id", ClientInput{ID: "ab", Name: "x", Type: idp.ClientBackend}, "client_id", false},
		{"id with slash", ClientInput{ID: "a/b/c", Name: "x", Type: idp.ClientBackend}, "client_id", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := f.svc.CreateClient(ctx, "tenant-a", c.in)
			if c.field != "" {
				wantField(t, err, c.field)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.in.ID == "" && (len(res.Client.ID) != 24 || !clientIDPattern.MatchString(res.Client.ID)) {
				t.Fatalf("generated client_id %q", res.Client.ID)
			}
			if (res.Secret != nil) != c.secret {
				t.Fatalf("secret %v, want %v", res.Secret, c.secret)
			}
			got, err := f.svc.GetClient(ctx, "tenant-a", res.Client.ID)
			if err != nil || got.Name != c.in.Name || got.Type != c.in.Type || len(got.RedirectURIs) != len(c.in.RedirectURIs) {
				t.Fatalf("round trip %+v %v", got, err)
			}
		})
	}
}

// Client ids are unique per tenant only: the same id may live in two tenants.
func TestClientIDPerTenant(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	in := ClientInput{ID: "shared-id", Name: "x", Type: idp.ClientBackend}
	if _, err := f.svc.CreateClient(ctx, "tenant-a", in); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateClient(ctx, "tenant-b", in); err != nil {
		t.Fatalf("same id in another tenant: %v", err)
	}
	if _, err := f.svc.CreateClient(ctx, "tenant-a", in); !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("duplicate in the same tenant: %v", err)
	}
	if _, err := f.svc.GetClient(userIn(f.accB, idp.RoleOwner), "tenant-a", "shared-id"); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("other account: %v", err)
	}
}

// TestClientSecretsHashed: a secret is 32 random bytes in base64url, shown
// once, stored as its SHA-256, and written nowhere else: not in the audit
// log, not in the database file (SECURITY-TESTS 48).
func TestClientSecretsHashed(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	res, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "Web", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	first := res.Secret.Value
	if len(first) != 43 || strings.ContainsAny(first, "+/=") {
		t.Fatalf("secret %q is not 32 bytes of unpadded base64url", first)
	}
	second, err := f.svc.AddClientSecret(ctx, "tenant-a", res.Client.ID)
	if err != nil {
		t.Fatal(err)
	}
	if second.Value == first {
		t.Fatal("the second secret repeats the first")
	}
	stored, err := f.st.ListClientSecrets(ctx, "tenant-a", res.Client.ID)
	if err != nil || len(stored) != 2 {
		t.Fatalf("stored secrets %v %v", stored, err)
	}
	for _, s := range stored {
		if !secret.Equal(s.Hash, secret.HashBytes(first)) && !secret.Equal(s.Hash, secret.HashBytes(second.Value)) {
			t.Fatalf("stored hash %x matches neither secret", s.Hash)
		}
	}
	listed, err := f.svc.ListClientSecrets(ctx, "tenant-a", res.Client.ID)
	if err != nil || len(listed) != 2 {
		t.Fatal(listed, err)
	}
	for _, s := range listed {
		if s.Hash != nil || (s.Hint != first[len(first)-4:] && s.Hint != second.Value[len(second.Value)-4:]) {
			t.Fatalf("listing exposes %+v", s)
		}
	}
	auditJSON, _ := json.Marshal(f.audits(t, "tenant-a"))
	for _, sec := range []string{first, second.Value} {
		if bytes.Contains(auditJSON, []byte(sec)) {
			t.Fatal("a client secret is in the audit log")
		}
	}
	e := f.lastAudit(t, "tenant-a", "client.secret.add")
	if e.ObjectID != res.Client.ID || e.Details["secret_id"] != second.ID {
		t.Fatalf("audit %+v", e)
	}
	for _, path := range []string{f.db, f.db + "-wal"} {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, sec := range []string{first, second.Value} {
			if bytes.Contains(raw, []byte(sec)) {
				t.Fatalf("a client secret is in %s", path)
			}
		}
	}
	// Public clients have no secrets.
	spa, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "SPA", Type: idp.ClientSPA, RedirectURIs: []string{"https://spa.example.com/cb"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.AddClientSecret(ctx, "tenant-a", spa.Client.ID); !errors.Is(err, idp.ErrInvalid) {
		t.Fatalf("secret for a public client: %v", err)
	}
	if err := f.svc.DeleteClientSecret(ctx, "tenant-a", res.Client.ID, second.ID); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.svc.ListClientSecrets(ctx, "tenant-a", res.Client.ID); len(left) != 1 {
		t.Fatalf("after delete: %v", left)
	}
}

func TestUpdateClient(t *testing.T) {
	f := newFixture(t)
	ctx := cli(context.Background())
	res, err := f.svc.CreateClient(ctx, "tenant-a", ClientInput{Name: "Web", Type: idp.ClientWeb,
		RedirectURIs: []string{"https://app.example.com/cb", "https://app.example.com/cb2"}})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Client.ID
	name, consent := "Renamed", true
	c, err := f.svc.UpdateClient(ctx, "tenant-a", id, ClientPatch{
		Name: &name, RequireConsent: &consent,
		AddRedirectURIs:           []string{"https://app.example.com/cb3", "https://app.example.com/cb"},
		RemoveRedirectURIs:        []string{"https://app.example.com/cb2"},
		AddPostLogoutRedirectURIs: []string{"https://app.example.com/bye"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://app.example.com/cb", "https://app.example.com/cb3"}
	got, _ := f.svc.GetClient(ctx, "tenant-a", id)
	if got.Name != name || !got.RequireConsent || strings.Join(got.RedirectURIs, " ") != strings.Join(want, " ") ||
		len(got.PostLogoutRedirectURIs) != 1 || c.Type != idp.ClientWeb {
		t.Fatalf("stored %+v", got)
	}
	// Removing every redirect URI of a web client is refused.
	f.clock.Advance(time.Second)
	_, err = f.svc.UpdateClient(ctx, "tenant-a", id, ClientPatch{RedirectURIs: &[]string{}})
	wantField(t, err, "redirect_uris")
	_, err = f.svc.UpdateClient(ctx, "tenant-a", id, ClientPatch{AddRedirectURIs: []string{"http://evil.example/cb"}})
	wantField(t, err, "redirect_uris")
	if _, err := f.svc.UpdateClient(ctx, "tenant-a", "nope", ClientPatch{Name: &name}); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("unknown client: %v", err)
	}
	if _, err := f.svc.UpdateClient(userIn(f.accA, idp.RoleViewer), "tenant-a", id, ClientPatch{Name: &name}); !errors.Is(err, idp.ErrForbidden) {
		t.Fatalf("viewer: %v", err)
	}
	if err := f.svc.DeleteClient(ctx, "tenant-a", id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.GetClient(ctx, "tenant-a", id); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("after delete: %v", err)
	}
	list, total, err := f.svc.ListClients(ctx, "tenant-a", idp.Page{})
	if err != nil || total != 0 || len(list) != 0 {
		t.Fatalf("list %v %d %v", list, total, err)
	}
	e := f.lastAudit(t, "tenant-a", "client.delete")
	if e.ObjectID != id || e.Outcome != "success" {
		t.Fatalf("audit %+v", e)
	}
}
