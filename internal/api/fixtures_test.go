package api_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
)

// rawBody is a non-JSON request body.
type rawBody struct {
	contentType string
	data        []byte
}

// fixture prepares one route's request against objects of tenant tid:
// it creates what the route acts on and returns the path and a valid
// body. The matrix fails for a route without a fixture, so that a new
// route cannot escape it.
type fixture func(t *testing.T, s *stack, tid string) (path string, body any)

func fixed(path string, body any) fixture {
	return func(*testing.T, *stack, string) (string, any) { return path, body }
}

func rnd(t *testing.T) string {
	v, err := secret.Default.ID("")
	must(t, err)
	return strings.ToLower(v[:12])
}

func (s *stack) newClient(t *testing.T, tid string) string {
	c, err := s.manage.CreateClient(s.cli, tid, manage.ClientInput{ID: "web-" + rnd(t), Name: "Web", Type: idp.ClientWeb, RedirectURIs: []string{"https://app.example.com/cb"}})
	must(t, err)
	return c.Client.ID
}

func (s *stack) newUser(t *testing.T, tid string) string {
	u, err := s.manage.CreateUser(s.cli, tid, manage.UserInput{Email: "u-" + rnd(t) + "@example.com", Name: "U"})
	must(t, err)
	return u.ID
}

func (s *stack) newResourceServer(t *testing.T, tid string) string {
	r, err := s.manage.CreateResourceServer(s.cli, tid, manage.ResourceServerInput{Identifier: "https://api-" + rnd(t) + ".example.com", Name: "Orders", ScopePrefix: "orders"})
	must(t, err)
	return r.ID
}

// stageKey stages a signing key of tid and returns its kid.
func (s *stack) stageKey(t *testing.T, tid string) string {
	k, err := s.manage.StageSigningKey(s.cli, tid, "")
	must(t, err)
	return k.ID
}

// ownerAccount is the account that owns tid.
func (s *stack) ownerAccount(t *testing.T, tid string) string {
	tn, err := s.db.GetTenant(context.Background(), tid)
	must(t, err)
	return tn.AccountID
}

func pngImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{R: 200, A: 255})
	var b bytes.Buffer
	must(t, png.Encode(&b, img))
	return b.Bytes()
}

var fixtures = map[string]fixture{
	"GET /api/v1/me":      fixed("/api/v1/me", nil),
	"GET /api/v1/tenants": fixed("/api/v1/tenants", nil),
	"POST /api/v1/tenants": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/tenants", map[string]any{"name": "New", "account_id": s.ownerAccount(t, tid)}
	},
	"GET /api/v1/tenants/{id}": func(t *testing.T, s *stack, tid string) (string, any) { return "/api/v1/tenants/" + tid, nil },
	"PATCH /api/v1/tenants/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/tenants/" + tid, map[string]any{"allow_registration": true}
	},
	"POST /api/v1/tenants/{id}/suspend": func(t *testing.T, s *stack, tid string) (string, any) {
		// A tenant of its own, in tid's account, so that tid keeps serving.
		tn, err := s.manage.CreateTenant(s.cli, manage.TenantInput{Name: "Paused", AccountID: s.ownerAccount(t, tid)})
		must(t, err)
		return "/api/v1/tenants/" + tn.ID + "/suspend", nil
	},
	"POST /api/v1/tenants/{id}/resume": func(t *testing.T, s *stack, tid string) (string, any) {
		tn, err := s.manage.CreateTenant(s.cli, manage.TenantInput{Name: "Paused", AccountID: s.ownerAccount(t, tid)})
		must(t, err)
		_, err = s.manage.SuspendTenant(s.cli, tn.ID)
		must(t, err)
		return "/api/v1/tenants/" + tn.ID + "/resume", nil
	},
	"DELETE /api/v1/tenants/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		// A tenant of its own, in tid's account, so that tid survives.
		tn, err := s.manage.CreateTenant(s.cli, manage.TenantInput{Name: "Doomed", AccountID: s.ownerAccount(t, tid)})
		must(t, err)
		return "/api/v1/tenants/" + tn.ID, nil
	},

	"GET /api/v1/clients": fixed("/api/v1/clients", nil),
	"POST /api/v1/clients": fixed("/api/v1/clients", map[string]any{
		"name": "Shop", "type": "web", "redirect_uris": []string{"https://shop.example.com/cb"},
	}),
	"GET /api/v1/clients/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/clients/" + s.newClient(t, tid), nil
	},
	"PATCH /api/v1/clients/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/clients/" + s.newClient(t, tid), map[string]any{"add_redirect_uris": []string{"https://app.example.com/cb2"}}
	},
	"DELETE /api/v1/clients/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/clients/" + s.newClient(t, tid), nil
	},
	"GET /api/v1/clients/{id}/secrets": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/clients/" + s.newClient(t, tid) + "/secrets", nil
	},
	"POST /api/v1/clients/{id}/secrets": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/clients/" + s.newClient(t, tid) + "/secrets", nil
	},
	"DELETE /api/v1/clients/{id}/secrets/{secret_id}": func(t *testing.T, s *stack, tid string) (string, any) {
		id := s.newClient(t, tid)
		sec, err := s.manage.AddClientSecret(s.cli, tid, id)
		must(t, err)
		return "/api/v1/clients/" + id + "/secrets/" + sec.ID, nil
	},

	"GET /api/v1/users": fixed("/api/v1/users?search=example", nil),
	"POST /api/v1/users": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users", map[string]any{"email": "new-" + rnd(t) + "@example.com", "name": "New"}
	},
	"GET /api/v1/users/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid), nil
	},
	"PATCH /api/v1/users/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid), map[string]any{"name": "Renamed"}
	},
	"DELETE /api/v1/users/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid), nil
	},
	"POST /api/v1/users/{id}/suspend": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid) + "/suspend", nil
	},
	"GET /api/v1/users/{id}/sessions": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid) + "/sessions", nil
	},
	"DELETE /api/v1/users/{id}/sessions": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid) + "/sessions", nil
	},
	"GET /api/v1/users/{id}/connected-apps": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/users/" + s.newUser(t, tid) + "/connected-apps", nil
	},
	"DELETE /api/v1/users/{id}/connected-apps/{client_id}": func(t *testing.T, s *stack, tid string) (string, any) {
		uid, cid := s.newUser(t, tid), s.newClient(t, tid)
		now := s.clock.Now()
		must(t, s.db.PutConsent(context.Background(), tid, &idp.Consent{TenantID: tid, UserID: uid, ClientID: cid, Scopes: []string{"openid"}, CreatedAt: now, UpdatedAt: now}))
		return "/api/v1/users/" + uid + "/connected-apps/" + cid, nil
	},

	"GET /api/v1/resource-servers": fixed("/api/v1/resource-servers", nil),
	"POST /api/v1/resource-servers": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/resource-servers", map[string]any{"identifier": "https://new-" + rnd(t) + ".example.com", "name": "New API",
			"scopes": []map[string]any{{"value": "new:read", "description": "Read"}}, "scope_prefix": "new"}
	},
	"GET /api/v1/resource-servers/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/resource-servers/" + s.newResourceServer(t, tid), nil
	},
	"PATCH /api/v1/resource-servers/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/resource-servers/" + s.newResourceServer(t, tid), map[string]any{"name": "Renamed"}
	},
	"DELETE /api/v1/resource-servers/{id}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/resource-servers/" + s.newResourceServer(t, tid), nil
	},
	"POST /api/v1/resource-servers/{id}/scopes": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/resource-servers/" + s.newResourceServer(t, tid) + "/scopes", map[string]any{"value": "orders:read", "description": "Read"}
	},

	"GET /api/v1/signing-keys":         fixed("/api/v1/signing-keys", nil),
	"POST /api/v1/signing-keys/rotate": fixed("/api/v1/signing-keys/rotate", map[string]any{"immediate": true}),
	"POST /api/v1/signing-keys":        fixed("/api/v1/signing-keys", map[string]any{"alg": "ES256"}),
	"POST /api/v1/signing-keys/{kid}/activate": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/signing-keys/" + s.stageKey(t, tid) + "/activate", map[string]any{"force": true}
	},
	"POST /api/v1/signing-keys/{kid}/retire": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/signing-keys/" + s.stageKey(t, tid) + "/retire", nil
	},

	"GET /api/v1/theme":    fixed("/api/v1/theme", nil),
	"PATCH /api/v1/theme":  fixed("/api/v1/theme", map[string]any{"light": map[string]any{"primary_color": "#123456"}}),
	"DELETE /api/v1/theme": fixed("/api/v1/theme", nil),
	"PUT /api/v1/theme/{kind}": func(t *testing.T, s *stack, tid string) (string, any) {
		return "/api/v1/theme/logo", rawBody{"image/png", pngImage(t)}
	},

	"GET /api/v1/audit-events": fixed("/api/v1/audit-events?action=client.create", nil),
}
