package api

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/authalla/authalla/internal/manage"
)

// openAPIDocument builds the OpenAPI 3.1 document from the route table;
// the schemas come from the Go types of the bodies, so the document and
// the handlers cannot drift apart.
func openAPIDocument(routes []route) map[string]any {
	g := &schemaGen{schemas: map[string]any{}}
	g.schemas["Error"] = map[string]any{
		"type":     "object",
		"required": []string{"error"},
		"properties": map[string]any{
			"error":             map[string]any{"type": "string", "description": "An error code such as invalid_request, invalid_token, insufficient_scope, forbidden, not_found, conflict."},
			"error_description": map[string]any{"type": "string"},
			"fields":            map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string"}, "description": "For validation errors: the field at fault and what is wrong with it."},
		},
	}
	scopes := map[string]any{}
	for _, s := range manage.ManagementScopes {
		scopes[s] = s
	}
	paths := map[string]any{}
	for _, rt := range routes {
		item, _ := paths[rt.Path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.Path] = item
		}
		item[strings.ToLower(rt.Method)] = g.operation(rt)
	}
	paths[openAPIPath] = map[string]any{"get": map[string]any{
		"operationId": "getOpenAPI", "summary": "This document", "tags": []string{"meta"}, "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "The OpenAPI 3.1 document.", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}}},
	}}
	errResp := func(desc string) map[string]any {
		return map[string]any{"description": desc, "content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Authalla Management API",
			"version": "1",
			"description": "Manage tenants, clients, users, resource servers, signing keys, branding and the audit log. " +
				"Authenticate with a bearer access token whose audience is " + manage.ManagementAPI + ": an administrator's token on the admin " +
				"host (select the tenant with the X-Tenant-ID header), or a client-credentials token of a backend client on a tenant's own host. " +
				"Objects of tenants the caller cannot see answer 404.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas": g.schemas,
			"securitySchemes": map[string]any{
				"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT",
					"description": "An RFC 9068 JWT access token for " + manage.ManagementAPI + " carrying the operation's scope."},
				"oauth2": map[string]any{"type": "oauth2", "flows": map[string]any{
					"authorizationCode": map[string]any{"authorizationUrl": "/oauth2/authorize", "tokenUrl": "/oauth2/token", "scopes": scopes},
					"clientCredentials": map[string]any{"tokenUrl": "/oauth2/token", "scopes": scopes},
				}},
			},
			"responses": map[string]any{
				"BadRequest":      errResp("Invalid input; fields names each field at fault."),
				"Unauthorized":    errResp("Missing, invalid, expired or revoked access token (WWW-Authenticate: Bearer)."),
				"Forbidden":       errResp("insufficient_scope (the token lacks the scope) or forbidden (the role may not do this)."),
				"NotFound":        errResp("No such object, or one of a tenant the caller cannot see."),
				"Conflict":        errResp("The object already exists."),
				"TooLarge":        errResp("The request body is too large."),
				"UnsupportedType": errResp("The body is not of the documented media type."),
				"TooManyRequests": errResp("Too many requests; retry later."),
			},
			"parameters": map[string]any{
				"TenantID": map[string]any{"name": tenantHeader, "in": "header", "schema": map[string]any{"type": "string"},
					"description": "The tenant the call works on. Required with an administrator's token; with a machine token it may only name the token's own tenant."},
			},
		},
	}
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }

// operation describes one route.
func (g *schemaGen) operation(rt route) map[string]any {
	op := map[string]any{
		"operationId": operationID(rt),
		"summary":     rt.Summary,
		"tags":        []string{rt.Tag},
	}
	var scopes []string
	if rt.Scope != "" {
		scopes = []string{rt.Scope}
		op["description"] = "Needs the scope `" + rt.Scope + "`."
	} else {
		scopes = []string{}
		op["description"] = "Any valid management token."
	}
	if rt.Description != "" {
		op["description"] = op["description"].(string) + " " + rt.Description
	}
	op["security"] = []any{map[string]any{"bearer": scopes}, map[string]any{"oauth2": scopes}}
	var params []any
	for _, name := range pathParams(rt.Path) {
		params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
	}
	for _, q := range rt.Query {
		params = append(params, map[string]any{"name": q.Name, "in": "query", "description": q.Description, "schema": map[string]any{"type": q.Type}})
	}
	if rt.Tenant {
		params = append(params, map[string]any{"$ref": "#/components/parameters/TenantID"})
	}
	if len(params) > 0 {
		op["parameters"] = params
	}
	if rt.Request != nil {
		op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}}}
	}
	if len(rt.RawBody) > 0 {
		content := map[string]any{}
		for _, mt := range rt.RawBody {
			content[mt] = map[string]any{"schema": map[string]any{"type": "string", "contentMediaType": mt}}
		}
		op["requestBody"] = map[string]any{"required": true, "content": content}
	}
	responses := map[string]any{
		"400": map[string]any{"$ref": "#/components/responses/BadRequest"},
		"401": map[string]any{"$ref": "#/components/responses/Unauthorized"},
		"403": map[string]any{"$ref": "#/components/responses/Forbidden"},
		"404": map[string]any{"$ref": "#/components/responses/NotFound"},
		"429": map[string]any{"$ref": "#/components/responses/TooManyRequests"},
	}
	if rt.Method == http.MethodPost || rt.Method == http.MethodPatch {
		responses["409"] = map[string]any{"$ref": "#/components/responses/Conflict"}
	}
	if rt.Request != nil || len(rt.RawBody) > 0 {
		responses["413"] = map[string]any{"$ref": "#/components/responses/TooLarge"}
		responses["415"] = map[string]any{"$ref": "#/components/responses/UnsupportedType"}
	}
	ok := map[string]any{"description": http.StatusText(rt.Status)}
	if rt.Response != nil {
		var sch map[string]any
		if l, isList := rt.Response.(listOf); isList {
			sch = g.listSchema(l)
		} else {
			sch = g.schema(reflect.TypeOf(rt.Response))
		}
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": sch}}
	}
	responses[strconv.Itoa(rt.Status)] = ok
	op["responses"] = responses
	return op
}

// operationID is a unique camelCase name from the method and the path,
// e.g. DELETE /api/v1/clients/{id}/secrets/{secret_id} →
// deleteClientsByIdSecretsBySecretId.
func operationID(rt route) string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.Method))
	for _, seg := range strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/") {
		if strings.HasPrefix(seg, "{") {
			seg = "by-" + strings.Trim(seg, "{}")
		}
		for _, part := range strings.FieldsFunc(seg, func(r rune) bool { return r == '-' || r == '_' }) {
			r := []rune(part)
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		}
	}
	return b.String()
}

// pathParams returns the {names} of a pattern path.
func pathParams(p string) []string {
	var out []string
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.TrimSuffix(strings.Trim(seg, "{}"), "..."))
		}
	}
	return out
}

// schemaGen turns Go types into JSON Schema (2020-12, as OpenAPI 3.1
// uses), registering named structs under components/schemas.
type schemaGen struct {
	schemas map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
	listType = reflect.TypeOf(listOf{})
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == listType:
		panic("api: a listOf must be described with listSchema")
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		return map[string]any{"type": "object"}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Int32:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case reflect.Struct:
		name := schemaName(t)
		if _, ok := g.schemas[name]; !ok {
			g.schemas[name] = nil // reserve: recursion guard
			g.schemas[name] = g.object(t)
		}
		return ref(name)
	}
	return map[string]any{}
}

// listSchema is the schema of a list answer.
func (g *schemaGen) listSchema(l listOf) map[string]any {
	return map[string]any{
		"type":     "object",
		"required": []string{l.Key, "total", "limit", "offset"},
		"properties": map[string]any{
			l.Key:    map[string]any{"type": "array", "items": g.schema(reflect.TypeOf(l.Item))},
			"total":  map[string]any{"type": "integer", "description": "Items in the whole list."},
			"limit":  map[string]any{"type": "integer"},
			"offset": map[string]any{"type": "integer"},
		},
	}
}

// object describes a struct's JSON fields (embedded structs are flattened).
func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	var walk func(t reflect.Type)
	walk = func(t reflect.Type) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			tag := f.Tag.Get("json")
			name, opts, _ := strings.Cut(tag, ",")
			if name == "-" || name == "" || !f.IsExported() {
				continue
			}
			props[name] = g.schema(f.Type)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, name)
			}
		}
	}
	walk(t)
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		out["required"] = required
	}
	return out
}

// schemaName names a body type by its Go name without a View suffix:
// view.Tenant → Tenant, rotateView → Rotate, clientPatch → ClientPatch.
func schemaName(t reflect.Type) string {
	n := strings.TrimSuffix(t.Name(), "View")
	r := []rune(n)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}
