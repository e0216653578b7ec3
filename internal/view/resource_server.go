package view

import (
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// Scope is one scope of a resource server; it is also the input shape
// when scopes are given.
type Scope struct {
	Value        string `json:"value" jsonschema:"The scope, starting with the resource server's scope prefix, e.g. orders:read."`
	Description  string `json:"description,omitempty" jsonschema:"What the scope allows, shown on the consent screen."`
	GrantedToAll bool   `json:"granted_to_all,omitempty"`
}

// ResourceServer is a resource server (an API) with its scopes.
type ResourceServer struct {
	ID string `json:"id"`
	// Identifier is the audience of the API's access tokens and its
	// resource indicator (RFC 8707 section 2).
	Identifier  string    `json:"identifier" jsonschema:"The API's identifier: the audience (aud) of its access tokens and the RFC 8707 resource value."`
	Name        string    `json:"name"`
	ScopePrefix string    `json:"scope_prefix"`
	Scopes      []Scope   `json:"scopes"`
	Builtin     bool      `json:"builtin"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// NewResourceServer shows a resource server; the management API itself
// is marked builtin.
func NewResourceServer(r *idp.ResourceServer) ResourceServer {
	v := ResourceServer{ID: r.ID, Identifier: r.Identifier, Name: r.Name, ScopePrefix: r.ScopePrefix,
		Scopes: []Scope{}, Builtin: r.Identifier == manage.ManagementAPI, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, s := range r.Scopes {
		v.Scopes = append(v.Scopes, Scope(s))
	}
	return v
}

// ScopesIn turns given scopes into the domain's.
func ScopesIn(in []Scope) []idp.ResourceScope {
	out := make([]idp.ResourceScope, len(in))
	for i, s := range in {
		out[i] = idp.ResourceScope(s)
	}
	return out
}
