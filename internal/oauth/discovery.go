package oauth

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sync"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// discoveryMaxAge is the Cache-Control max-age of the discovery document.
const discoveryMaxAge = "300"

// maxCachedDocs bounds the discovery cache; past it the cache starts over.
const maxCachedDocs = 4096

// metadata is the OpenID Provider Metadata (OIDC Discovery 1.0 §3), which
// is also served as OAuth Authorization Server Metadata (RFC 8414 §2).
type metadata struct {
	Issuer                                     string   `json:"issuer"`
	AuthorizationEndpoint                      string   `json:"authorization_endpoint"`
	TokenEndpoint                              string   `json:"token_endpoint"`
	UserinfoEndpoint                           string   `json:"userinfo_endpoint"`
	JWKSURI                                    string   `json:"jwks_uri"`
	EndSessionEndpoint                         string   `json:"end_session_endpoint"`
	IntrospectionEndpoint                      string   `json:"introspection_endpoint"`
	RevocationEndpoint                         string   `json:"revocation_endpoint"`
	RegistrationEndpoint                       string   `json:"registration_endpoint,omitempty"`
	ScopesSupported                            []string `json:"scopes_supported"`
	ResponseTypesSupported                     []string `json:"response_types_supported"`
	ResponseModesSupported                     []string `json:"response_modes_supported"`
	GrantTypesSupported                        []string `json:"grant_types_supported"`
	SubjectTypesSupported                      []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported           []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported          []string `json:"token_endpoint_auth_methods_supported"`
	IntrospectionEndpointAuthMethodsSupported  []string `json:"introspection_endpoint_auth_methods_supported"`
	RevocationEndpointAuthMethodsSupported     []string `json:"revocation_endpoint_auth_methods_supported"`
	CodeChallengeMethodsSupported              []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                            []string `json:"claims_supported"`
	PromptValuesSupported                      []string `json:"prompt_values_supported"`
	AuthorizationResponseIssParameterSupported bool     `json:"authorization_response_iss_parameter_supported"`
	RequestParameterSupported                  bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported               bool     `json:"request_uri_parameter_supported"`
	ClaimsParameterSupported                   bool     `json:"claims_parameter_supported"`
	// ClientIDMetadataDocumentSupported: URL client ids are resolved
	// (draft-ietf-oauth-client-id-metadata-document; client_metadata.go).
	ClientIDMetadataDocumentSupported bool `json:"client_id_metadata_document_supported,omitempty"`
}

// buildMetadata describes the tenant at the issuer the request arrived on.
// Every endpoint is under that issuer, so a tenant reached at two issuers
// (host and path) gets two consistent documents. On the admin tenant it
// adds the registration endpoint when registration is on (RFC 8414 §2,
// RFC 7591 §3), and every tenant lists its derived scopes (the MCP
// scopes on the admin tenant).
func (p *Provider) buildMetadata(info *tenant.Info) *metadata {
	m := buildMetadata(info)
	for _, s := range p.derivedScopes(info) {
		if !slices.Contains(m.ScopesSupported, s) {
			// Clip: never append into defaultClientScopes' array.
			m.ScopesSupported = append(slices.Clip(m.ScopesSupported), s)
		}
	}
	if p.registrationEnabled(info) {
		m.RegistrationEndpoint = info.URL(registerPath)
	}
	m.ClientIDMetadataDocumentSupported = p.metadataDocumentsSupported(info)
	return m
}

// buildMetadata describes what every tenant supports, at info's issuer.
func buildMetadata(info *tenant.Info) *metadata {
	alg := info.Tenant.SigningAlg
	if alg == "" {
		alg = idp.AlgRS256
	}
	return &metadata{
		Issuer:                 info.Issuer,
		AuthorizationEndpoint:  info.URL("/oauth2/authorize"),
		TokenEndpoint:          info.URL("/oauth2/token"),
		UserinfoEndpoint:       info.URL("/oauth2/userinfo"),
		JWKSURI:                info.URL("/.well-known/jwks.json"),
		EndSessionEndpoint:     info.URL("/oauth2/logout"),
		IntrospectionEndpoint:  info.URL("/oauth2/introspect"),
		RevocationEndpoint:     info.URL("/oauth2/revoke"),
		ScopesSupported:        defaultClientScopes,
		ResponseTypesSupported: []string{"code"},
		ResponseModesSupported: []string{"query"},
		GrantTypesSupported:    []string{idp.GrantAuthorizationCode, idp.GrantRefreshToken, idp.GrantClientCredentials},
		SubjectTypesSupported:  []string{"public"},
		// The tenant's algorithm; a tenant changing it publishes the new
		// key through staged rotation.
		IDTokenSigningAlgValuesSupported:          []string{alg},
		TokenEndpointAuthMethodsSupported:         []string{"client_secret_basic", "client_secret_post", "none"},
		IntrospectionEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		RevocationEndpointAuthMethodsSupported:    []string{"client_secret_basic", "client_secret_post", "none"},
		CodeChallengeMethodsSupported:             []string{pkceS256},
		ClaimsSupported: []string{
			"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "sid", "amr",
			"email", "email_verified", "name", "picture", "updated_at",
		},
		PromptValuesSupported:                      promptValues,
		AuthorizationResponseIssParameterSupported: true,  // RFC 9207 §3
		RequestParameterSupported:                  false, // OIDC Core §6: refused with request_not_supported
		RequestURIParameterSupported:               false, // refused with request_uri_not_supported
		ClaimsParameterSupported:                   false,
	}
}

// docKey identifies one cached document: the document changes only with
// the issuer or the tenant's settings.
type docKey struct {
	tenantID string
	issuer   string
	updated  int64
}

// docCache holds marshalled discovery documents. The zero value is ready.
type docCache struct {
	mu   sync.Mutex
	docs map[docKey][]byte
}

// get returns the cached document for k, building it with build on a miss.
func (c *docCache) get(k docKey, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	doc, ok := c.docs[k]
	c.mu.Unlock()
	if ok {
		return doc, nil
	}
	doc, err := build()
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.docs == nil || len(c.docs) >= maxCachedDocs {
		c.docs = make(map[docKey][]byte)
	}
	c.docs[k] = doc
	c.mu.Unlock()
	return doc, nil
}

// drop forgets every document of tenantID.
func (c *docCache) drop(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.docs {
		if k.tenantID == tenantID {
			delete(c.docs, k)
		}
	}
}

// dropAll forgets every tenant's documents.
func (c *docCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.docs)
}

// discovery serves GET /.well-known/openid-configuration (OIDC Discovery
// 1.0 §4) and its RFC 8414 twin /.well-known/oauth-authorization-server.
func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	k := docKey{tenantID: info.Tenant.ID, issuer: info.Issuer, updated: info.Tenant.UpdatedAt.UnixNano()}
	doc, err := p.discoveryDocs.get(k, func() ([]byte, error) {
		b, err := json.Marshal(p.buildMetadata(info))
		if err != nil {
			return nil, fmt.Errorf("discovery: %w", err)
		}
		return append(b, '\n'), nil
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrDiscoveryCache
	h["X-Content-Type-Options"] = hdrNosniff
	_, err = w.Write(doc)
	return err
}

// Header values of the memory-served JSON documents, built once and
// assigned into the header map directly (canonical keys): this spares
// Header.Set's key check and one slice per header on every request. Each
// slice has length and capacity 1, so a later Add appends to a copy;
// nothing writes into a header value in place.
var (
	hdrJSON           = []string{"application/json"}
	hdrNosniff        = []string{"nosniff"}
	hdrDiscoveryCache = []string{"public, max-age=" + discoveryMaxAge}
)
