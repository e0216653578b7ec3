package view

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// The JSON bytes are the contract three surfaces rely on (the REST API,
// the MCP tools and the OpenAPI document), so these cases pin them: field
// order, omitempty rules, and [] rather than null for empty lists.
func TestJSONShapes(t *testing.T) {
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	later := at.Add(time.Hour)
	cases := []struct {
		name string
		v    any
		want string
	}{
		{"tenant with empty lists and no issuer",
			NewTenant(&manage.TenantResult{Tenant: &idp.Tenant{ID: "t1", Name: "Acme", CreatedAt: at, UpdatedAt: at}}),
			`{"id":"t1","name":"Acme","admin":false,"status":"active","allow_registration":false,"auth_methods":[],"allowed_origins":[],"signing_alg":"","access_token_ttl":0,"id_token_ttl":0,"refresh_token_ttl":0,"refresh_absolute_ttl":0,"session_ttl":0,"session_idle_ttl":0,"default_language":"","created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"}`},
		{"suspended tenant says since when",
			NewTenant(&manage.TenantResult{Tenant: &idp.Tenant{ID: "t2", Name: "Paused", Status: idp.TenantSuspended, SuspendedAt: &later, CreatedAt: at, UpdatedAt: later}, Issuer: "https://t2.example.com"}),
			`{"id":"t2","name":"Paused","admin":false,"issuer":"https://t2.example.com","status":"suspended","suspended_at":"2026-05-01T13:00:00Z","allow_registration":false,"auth_methods":[],"allowed_origins":[],"signing_alg":"","access_token_ttl":0,"id_token_ttl":0,"refresh_token_ttl":0,"refresh_absolute_ttl":0,"session_ttl":0,"session_idle_ttl":0,"default_language":"","created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T13:00:00Z"}`},
		{"backend client gets its grant types from its type",
			NewClient(&idp.Client{ID: "c1", Name: "Worker", Type: idp.ClientBackend, RefreshGraceSeconds: 30, CreatedAt: at, UpdatedAt: later}),
			`{"client_id":"c1","name":"Worker","type":"backend","grant_types":["client_credentials"],"redirect_uris":[],"post_logout_redirect_uris":[],"scopes":[],"require_consent":false,"third_party":false,"refresh_grace_seconds":30,"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T13:00:00Z"}`},
		{"theme never saved has no updated_at and [] warnings",
			NewTheme(&idp.Theme{Light: idp.ThemeColors{PrimaryColor: "#112233"}}, "de", nil),
			`{"light":{"primary_color":"#112233","secondary_color":"","secondary_button_text_color":"","background_color":"","box_background_color":"","text_color":""},"dark":{"primary_color":"","secondary_color":"","secondary_button_text_color":"","background_color":"","box_background_color":"","text_color":""},"default_language":"de","warnings":[]}`},
		{"saved theme shows when",
			NewTheme(&idp.Theme{LogoURL: "/logo.png", UpdatedAt: later}, "", []string{"light text/background"}),
			`{"light":{"primary_color":"","secondary_color":"","secondary_button_text_color":"","background_color":"","box_background_color":"","text_color":""},"dark":{"primary_color":"","secondary_color":"","secondary_button_text_color":"","background_color":"","box_background_color":"","text_color":""},"logo_url":"/logo.png","warnings":["light text/background"],"updated_at":"2026-05-01T13:00:00Z"}`},
		{"audit events keep their order",
			NewAuditEvents([]idp.AuditEvent{
				{ID: "a2", Time: later, ActorType: "user", ActorID: "u1", Action: "client.update", ObjectType: "client", ObjectID: "c1", Outcome: "success", Details: map[string]string{"field": "name"}},
				{ID: "a1", Time: at, ActorType: "client", ActorID: "c9", Action: "theme.update", Outcome: "failure", ClientIP: "127.0.0.1"},
			}),
			`[{"id":"a2","time":"2026-05-01T13:00:00Z","actor_type":"user","actor_id":"u1","action":"client.update","object_type":"client","object_id":"c1","outcome":"success","details":{"field":"name"}},{"id":"a1","time":"2026-05-01T12:00:00Z","actor_type":"client","actor_id":"c9","action":"theme.update","outcome":"failure","client_ip":"127.0.0.1"}]`},
		{"no audit events is [], not null", NewAuditEvents(nil), `[]`},
		{"user without name, picture or last login",
			NewUser(&idp.User{ID: "u1", TenantID: "t1", Email: "a@example.com", Status: idp.UserActive, CreatedAt: at, UpdatedAt: at}),
			`{"id":"u1","email":"a@example.com","email_verified":false,"status":"active","scopes":[],"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"}`},
		{"secrets never show a hash",
			NewSecrets([]idp.ClientSecret{{ID: "s1", Hash: []byte("h"), Hint: "wxyz", CreatedAt: at, ExpiresAt: &later}}),
			`[{"id":"s1","hint":"wxyz","created_at":"2026-05-01T12:00:00Z","expires_at":"2026-05-01T13:00:00Z"}]`},
		{"no secrets is [], not null", NewSecrets(nil), `[]`},
		{"the management API is builtin",
			NewResourceServer(&idp.ResourceServer{ID: "r1", Identifier: manage.ManagementAPI, Name: "Management", ScopePrefix: "manage:",
				Scopes: []idp.ResourceScope{{Value: "manage:read", Description: "Read", GrantedToAll: true}, {Value: "manage:write"}}, CreatedAt: at, UpdatedAt: at}),
			`{"id":"r1","identifier":"urn:authalla:management","name":"Management","scope_prefix":"manage:","scopes":[{"value":"manage:read","description":"Read","granted_to_all":true},{"value":"manage:write"}],"builtin":true,"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"}`},
		{"a resource server without scopes shows []",
			NewResourceServer(&idp.ResourceServer{ID: "r2", Identifier: "https://api.example.com", Name: "Orders", ScopePrefix: "api:", CreatedAt: at, UpdatedAt: at}),
			`{"id":"r2","identifier":"https://api.example.com","name":"Orders","scope_prefix":"api:","scopes":[],"builtin":false,"created_at":"2026-05-01T12:00:00Z","updated_at":"2026-05-01T12:00:00Z"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("JSON:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestNonNil(t *testing.T) {
	if got := NonNil[string](nil); got == nil || len(got) != 0 {
		t.Errorf("NonNil(nil) = %#v, want an empty non-nil slice", got)
	}
	in := []int{1, 2}
	if got := NonNil(in); &got[0] != &in[0] {
		t.Error("NonNil must return a non-nil slice unchanged")
	}
}

func TestScopesInRoundTrip(t *testing.T) {
	in := []Scope{{Value: "api:read", Description: "Read", GrantedToAll: true}, {Value: "api:write"}}
	got := ScopesIn(in)
	want := []idp.ResourceScope{{Value: "api:read", Description: "Read", GrantedToAll: true}, {Value: "api:write"}}
	if len(got) != len(want) {
		t.Fatalf("ScopesIn = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("ScopesIn[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
