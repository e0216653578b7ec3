package api_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/authalla/authalla/internal/api"
)

// TestOpenAPIAgreesWithRoutes fetches the served document and checks it
// against the route table in both directions: every route is documented
// with its scope, parameters and success status, every documented
// operation is served (it answers 401 without a token rather than the
// API's 404), and every $ref resolves.
func TestOpenAPIAgreesWithRoutes(t *testing.T) {
	s := newStack(t)
	r := s.do(t, caller{}, "GET", "/api/v1/openapi.json", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		t.Fatalf("openapi.json: %d %v", r.status, r.header)
	}
	var doc struct {
		OpenAPI    string                               `json:"openapi"`
		Paths      map[string]map[string]map[string]any `json:"paths"`
		Components struct {
			Schemas         map[string]any `json:"schemas"`
			Responses       map[string]any `json:"responses"`
			Parameters      map[string]any `json:"parameters"`
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Components.SecuritySchemes["bearer"] == nil {
		t.Fatalf("openapi %q, schemes %v", doc.OpenAPI, doc.Components.SecuritySchemes)
	}

	served := map[string]bool{}
	ids := map[string]bool{}
	for _, rt := range api.Operations() {
		key := rt.Method + " " + rt.Path
		served[key] = true
		op := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if op == nil {
			t.Errorf("%s is served but not documented", key)
			continue
		}
		id, _ := op["operationId"].(string)
		if id == "" || ids[id] {
			t.Errorf("%s: operationId %q missing or repeated", key, id)
		}
		ids[id] = true
		sec, _ := json.Marshal(op["security"])
		wantScopes := "[]"
		if rt.Scope != "" {
			wantScopes = `["` + rt.Scope + `"]`
		}
		if !strings.Contains(string(sec), `{"bearer":`+wantScopes+`}`) {
			t.Errorf("%s: security %s, want scope %s", key, sec, wantScopes)
		}
		resp, _ := op["responses"].(map[string]any)
		for _, st := range []string{itoa(rt.Status), "401", "403", "404"} {
			if resp[st] == nil {
				t.Errorf("%s: response %s not documented", key, st)
			}
		}
		var inPath []string
		params, _ := op["parameters"].([]any)
		hasTenant := false
		for _, p := range params {
			m := p.(map[string]any)
			if m["in"] == "path" {
				inPath = append(inPath, m["name"].(string))
			}
			if m["$ref"] == "#/components/parameters/TenantID" {
				hasTenant = true
			}
		}
		var want []string
		for _, seg := range strings.Split(rt.Path, "/") {
			if strings.HasPrefix(seg, "{") {
				want = append(want, strings.Trim(seg, "{}"))
			}
		}
		if !slices.Equal(inPath, want) || hasTenant != rt.Tenant {
			t.Errorf("%s: path params %v (want %v), X-Tenant-ID %v", key, inPath, want, hasTenant)
		}
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			key := strings.ToUpper(method) + " " + path
			documented = append(documented, key)
			if path != "/api/v1/openapi.json" && !served[key] {
				t.Errorf("%s is documented but not in the route table", key)
			}
		}
	}
	sort.Strings(documented)

	// Every documented operation is really registered: without a token
	// it is refused with 401, where an unregistered one gets the API's 404.
	for _, key := range documented {
		method, path, _ := strings.Cut(key, " ")
		if path == "/api/v1/openapi.json" {
			continue
		}
		concrete := strings.NewReplacer("{id}", "x", "{secret_id}", "x", "{client_id}", "x", "{kind}", "logo").Replace(path)
		if got := s.do(t, caller{}, method, concrete, nil); got.status != http.StatusUnauthorized {
			t.Errorf("%s: %d without a token, want 401 (not registered?)", key, got.status)
		}
	}
	if got := s.do(t, caller{}, "PUT", "/api/v1/tenants", nil); got.status != 404 || got.str("error") != "not_found" {
		t.Errorf("an unknown operation: %d %s", got.status, got.raw)
	}

	// Every $ref resolves.
	for _, ref := range refs(r.raw) {
		parts := strings.Split(strings.TrimPrefix(ref, "#/components/"), "/")
		var table map[string]any
		switch parts[0] {
		case "schemas":
			table = doc.Components.Schemas
		case "responses":
			table = doc.Components.Responses
		case "parameters":
			table = doc.Components.Parameters
		}
		if len(parts) != 2 || table[parts[1]] == nil {
			t.Errorf("unresolved $ref %s", ref)
		}
	}
	// The client schema documents the hosted service's names.
	created, _ := json.Marshal(doc.Components.Schemas["ClientCreated"])
	for _, f := range []string{"client_id", "client_secret", "redirect_uris", "post_logout_redirect_uris", "require_consent", "default_resource_server"} {
		if !strings.Contains(string(created), `"`+f+`"`) {
			t.Errorf("ClientCreated lacks %s: %s", f, created)
		}
	}
}

func refs(raw []byte) []string {
	var out []string
	for _, part := range strings.Split(string(raw), `"$ref":"`)[1:] {
		ref, _, _ := strings.Cut(part, `"`)
		out = append(out, ref)
	}
	return out
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
