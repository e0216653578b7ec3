package manage

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

const cimdID = "https://agent.example.com/oauth/client.json"

// cimd is the client a metadata document describes.
func cimd(name string, redirects ...string) *idp.Client {
	return &idp.Client{TenantID: AdminTenantID, ID: cimdID, Name: name, RedirectURIs: redirects,
		// What a document cannot choose is ignored.
		Type: idp.ClientWeb, Scopes: []string{"mcp:admin"}, RefreshGraceSeconds: 0}
}

func TestRegisterMetadataClientCreates(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	in := cimd("Agent", "http://127.0.0.1/callback", "https://agent.example.com/cb")
	in.ClientURI = "https://agent.example.com"
	c, err := f.svc.RegisterMetadataClient(ctx, in, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.st.GetClient(ctx, AdminTenantID, cimdID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range []*idp.Client{c, got} {
		if x.ID != cimdID || x.Name != "Agent" || x.Type != idp.ClientNative || !x.Public() || !x.Dynamic || !x.ThirdParty ||
			!x.RequireConsent || x.RefreshGraceSeconds != 60 || len(x.RegistrationTokenHash) != 0 || len(x.Scopes) != 0 ||
			x.ClientURI != "https://agent.example.com" || !slices.Equal(x.RedirectURIs, in.RedirectURIs) {
			t.Fatalf("client = %+v", x)
		}
	}
	if secrets, _ := f.st.ListClientSecrets(ctx, AdminTenantID, cimdID); len(secrets) != 0 {
		t.Fatal("a metadata document client got a secret")
	}
	e := f.lastAudit(t, AdminTenantID, "client.register")
	if e.ActorType != ActorSystem || e.ActorID != ActorMetadataDocument || e.ObjectID != cimdID || e.RequestID != "req-1" ||
		e.Details["source"] != "client_id_metadata_document" || e.Outcome != "success" {
		t.Fatalf("audit = %+v", e)
	}
}

func TestRegisterMetadataClientUpdatesOnlyOnChange(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.RegisterMetadataClient(ctx, cimd("Agent", "http://127.0.0.1/cb"), ""); err != nil {
		t.Fatal(err)
	}
	created := f.clock.Now()
	events := len(f.audits(t, AdminTenantID))

	f.clock.Advance(time.Hour)
	c, err := f.svc.RegisterMetadataClient(ctx, cimd("Agent", "http://127.0.0.1/cb"), "")
	if err != nil {
		t.Fatal(err)
	}
	if !c.UpdatedAt.Equal(created) || len(f.audits(t, AdminTenantID)) != events {
		t.Fatalf("an unchanged document wrote: updated %v, %d audit events (was %d)", c.UpdatedAt, len(f.audits(t, AdminTenantID)), events)
	}

	c, err = f.svc.RegisterMetadataClient(ctx, cimd("Agent 2", "http://127.0.0.1/cb", "cursor://agent/cb"), "")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := f.st.GetClient(ctx, AdminTenantID, cimdID)
	if got.Name != "Agent 2" || len(got.RedirectURIs) != 2 || !got.UpdatedAt.Equal(f.clock.Now()) || !got.CreatedAt.Equal(created) || c.Name != "Agent 2" {
		t.Fatalf("updated client = %+v", got)
	}
	if e := f.lastAudit(t, AdminTenantID, "client.update"); e.ObjectID != cimdID || e.ActorID != ActorMetadataDocument {
		t.Fatalf("audit = %+v", e)
	}
}

func TestRegisterMetadataClientNameDefaultsToHost(t *testing.T) {
	f := newFixture(t)
	c, err := f.svc.RegisterMetadataClient(context.Background(), cimd("  ", "http://127.0.0.1/cb"), "")
	if err != nil || c.Name != "agent.example.com" {
		t.Fatalf("client = %+v, %v", c, err)
	}
}

// TestRegisterMetadataClientRefusals: the redirect URIs of a document obey
// the rules of dynamic registration (one rule set), and nothing is stored
// when they do not.
func TestRegisterMetadataClientRefusals(t *testing.T) {
	tests := []struct {
		name  string
		in    func() *idp.Client
		field string
	}{
		{"no redirect URIs", func() *idp.Client { return cimd("A") }, "redirect_uris"},
		{"javascript", func() *idp.Client { return cimd("A", "javascript:alert(1)") }, "redirect_uris"},
		{"data", func() *idp.Client { return cimd("A", "data:text/html,hi") }, "redirect_uris"},
		{"file", func() *idp.Client { return cimd("A", "file:///etc/passwd") }, "redirect_uris"},
		{"fragment", func() *idp.Client { return cimd("A", "https://agent.example.com/cb#x") }, "redirect_uris"},
		{"http non-loopback", func() *idp.Client { return cimd("A", "http://agent.example.com/cb") }, "redirect_uris"},
		{"userinfo", func() *idp.Client { return cimd("A", "https://a@evil.example/cb") }, "redirect_uris"},
		{"one bad among good", func() *idp.Client { return cimd("A", "http://127.0.0.1/cb", "javascript:x") }, "redirect_uris"},
		{"bad client_uri", func() *idp.Client {
			c := cimd("A", "http://127.0.0.1/cb")
			c.ClientURI = "javascript:alert(1)"
			return c
		}, "client_uri"},
		{"name too long", func() *idp.Client { return cimd(strings.Repeat("a", 101), "http://127.0.0.1/cb") }, "name"},
		{"control characters in name", func() *idp.Client { return cimd("A\x1b[31m", "http://127.0.0.1/cb") }, "name"},
		{"not an https URL", func() *idp.Client {
			c := cimd("A", "http://127.0.0.1/cb")
			c.ID = "http://agent.example.com/c"
			return c
		}, "client_id"},
		{"not a URL", func() *idp.Client { c := cimd("A", "http://127.0.0.1/cb"); c.ID = "agent"; return c }, "client_id"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			in := tc.in()
			_, err := f.svc.RegisterMetadataClient(context.Background(), in, "")
			var ve *idp.ValidationError
			if !errors.As(err, &ve) || ve.Field != tc.field {
				t.Fatalf("err = %v, want a validation error on %s", err, tc.field)
			}
			if _, err := f.st.GetClient(context.Background(), AdminTenantID, in.ID); !errors.Is(err, idp.ErrNotFound) {
				t.Fatalf("a refused client was stored: %v", err)
			}
		})
	}
}

func TestRegisterMetadataClientAdminTenantOnly(t *testing.T) {
	f := newFixture(t)
	in := cimd("A", "http://127.0.0.1/cb")
	in.TenantID = "tenant-a"
	if _, err := f.svc.RegisterMetadataClient(context.Background(), in, ""); !errors.Is(err, idp.ErrNotFound) {
		t.Fatalf("err = %v, want not found", err)
	}
	if _, err := f.st.GetClient(context.Background(), "tenant-a", cimdID); !errors.Is(err, idp.ErrNotFound) {
		t.Fatal("stored on a customer tenant")
	}
}

func TestRegisterMetadataClientLeavesOtherClientsAlone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// Only a hand-edited store can hold a non-dynamic client with a URL id.
	other := &idp.Client{TenantID: AdminTenantID, ID: cimdID, Name: "Pinned", Type: idp.ClientWeb,
		RedirectURIs: []string{"https://pinned.example.com/cb"}, CreatedAt: t0, UpdatedAt: t0}
	if err := f.st.CreateClient(ctx, AdminTenantID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.RegisterMetadataClient(ctx, cimd("A", "http://127.0.0.1/cb"), ""); !errors.Is(err, idp.ErrConflict) {
		t.Fatalf("err = %v, want conflict", err)
	}
	got, _ := f.st.GetClient(ctx, AdminTenantID, cimdID)
	if got.Name != "Pinned" || got.Type != idp.ClientWeb {
		t.Fatalf("the other client changed: %+v", got)
	}
}
