package mcp

import (
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/tenant"
)

// prmPath is the well-known path of protected resource metadata (RFC
// 9728 §3). The endpoint's own document is at prmPath + Endpoint (§3.1:
// the resource's path appended); prmPath alone serves the same document
// for clients that look there first.
const prmPath = "/.well-known/oauth-protected-resource"

// resourceMetadata is the RFC 9728 §2 document.
type resourceMetadata struct {
	Resource               string   `json:"resource"`
	AuthorizationServers   []string `json:"authorization_servers"`
	ScopesSupported        []string `json:"scopes_supported"`
	BearerMethodsSupported []string `json:"bearer_methods_supported"`
	ResourceName           string   `json:"resource_name"`
	ResourceDocumentation  string   `json:"resource_documentation,omitempty"`
}

// metadata returns the document for the issuer of info: the resource is
// the endpoint on this issuer and its authorization server is the issuer
// itself (RFC 9728 §3.3: resource must equal the URL the client used).
func metadata(info *tenant.Info) resourceMetadata {
	return resourceMetadata{
		Resource:               Resource(info),
		AuthorizationServers:   []string{info.Issuer},
		ScopesSupported:        append([]string(nil), Scopes...),
		BearerMethodsSupported: []string{"header"},
		ResourceName:           "Authalla MCP server",
	}
}

// serveMetadata answers the metadata on the admin tenant (404 elsewhere).
// It is public and may be read by any origin (a browser-based client
// discovers the authorization server from it), so CORS allows all.
func (s *Server) serveMetadata(w http.ResponseWriter, r *http.Request) {
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.Admin {
		httpx.WriteError(w, r, &httpx.APIError{Status: http.StatusNotFound, Code: "not_found", Description: "No protected resource on this tenant."})
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	httpx.WriteJSON(w, http.StatusOK, metadata(info))
}

// serveMetadataPreflight answers a CORS preflight for the metadata.
func (s *Server) serveMetadataPreflight(w http.ResponseWriter, r *http.Request) {
	info := tenant.MustFromContext(r.Context())
	if !info.Tenant.Admin {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Access-Control-Allow-Methods", "GET, OPTIONS")
	w.Header().Set("Access-Control-Allow-Headers", "MCP-Protocol-Version")
	w.Header().Set("Access-Control-Max-Age", "86400")
	w.WriteHeader(http.StatusNoContent)
}
