package api_test

import (
	"testing"

	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
)

// TestSigningKeyLifecycle drives stage → activate (refused too early,
// then forced, then in time) → retire through the API.
func TestSigningKeyLifecycle(t *testing.T) {
	s := newStack(t)
	a := caller{token: s.adminToken(t, s.root, manage.ManagementScopes), tenant: "tenant-a"}
	keyStates := func() map[string]string {
		out := map[string]string{}
		for _, k := range s.do(t, a, "GET", "/api/v1/signing-keys", nil).items("signing_keys") {
			out[k["kid"].(string)], _ = k["state"].(string)
		}
		return out
	}
	var first string
	for kid, st := range keyStates() {
		if st == "active" {
			first = kid
		}
	}
	if first == "" {
		t.Fatal("tenant-a has no active key")
	}

	wantStatus(t, "stage HS256", s.do(t, a, "POST", "/api/v1/signing-keys", map[string]any{"alg": "HS256"}), 400)
	r := s.do(t, a, "POST", "/api/v1/signing-keys", map[string]any{"alg": "ES256"})
	wantStatus(t, "stage", r, 201)
	staged := r.str("kid")
	if r.str("state") != "staged" || r.str("alg") != "ES256" || r.body["public_jwk"] == nil {
		t.Fatalf("staged %s", r.raw)
	}

	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+staged+"/activate", nil)
	if r.status != 409 || r.str("error") != "key_not_ready" || r.str("error_description") == "" {
		t.Fatalf("early activation %s", r.raw)
	}
	wantStatus(t, "retire active", s.do(t, a, "POST", "/api/v1/signing-keys/"+first+"/retire", nil), 409)
	wantStatus(t, "activate unknown", s.do(t, a, "POST", "/api/v1/signing-keys/nope/activate", map[string]any{"force": true}), 404)

	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+staged+"/activate", map[string]any{"force": true})
	wantStatus(t, "forced activation", r, 200)
	act, _ := r.body["activated"].(map[string]any)
	ret, _ := r.body["retired"].(map[string]any)
	if act["kid"] != staged || act["state"] != "active" || ret["kid"] != first || ret["state"] != "retired" || ret["remove_after"] == nil {
		t.Fatalf("activation %s", r.raw)
	}
	if st := keyStates(); st[first] != "retired" || st[staged] != "active" {
		t.Fatalf("states after activation %v (the retired key must stay listed and published)", st)
	}
	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+staged+"/retire", nil)
	if r.status != 409 || r.str("error") != "key_active" {
		t.Fatalf("retire active %s", r.raw)
	}
	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+first+"/activate", map[string]any{"force": true})
	if r.status != 409 || r.str("error") != "key_retired" {
		t.Fatalf("activate retired %s", r.raw)
	}

	// A staged key activates without force once published for the max-age.
	next := s.do(t, a, "POST", "/api/v1/signing-keys", nil)
	wantStatus(t, "stage default alg", next, 201)
	s.clock.Advance(keys.DefaultJWKSMaxAge + keys.DefaultCacheTTL)
	wantStatus(t, "timely activation", s.do(t, a, "POST", "/api/v1/signing-keys/"+next.str("kid")+"/activate", nil), 200)

	// Retire: a staged key is removed; a retired key is a no-op.
	gone := s.do(t, a, "POST", "/api/v1/signing-keys", nil).str("kid")
	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+gone+"/retire", nil)
	if r.status != 200 || r.body["removed"] != true {
		t.Fatalf("retire staged %s", r.raw)
	}
	if _, ok := keyStates()[gone]; ok {
		t.Fatal("the retired staged key is still listed")
	}
	r = s.do(t, a, "POST", "/api/v1/signing-keys/"+first+"/retire", nil)
	if r.status != 200 || r.body["removed"] != false || r.body["key"].(map[string]any)["state"] != "retired" {
		t.Fatalf("retire retired %s", r.raw)
	}
}
