package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/url"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// clientMetadataError explains why a URL client id or the document behind
// it cannot be used. Its reason names the rule that was broken and is safe
// to show to the user and the client: it never quotes the fetched content.
type clientMetadataError struct{ reason string }

func (e *clientMetadataError) Error() string { return "client metadata document: " + e.reason }

// Is makes a refusal match idp.ErrNotFound: to a caller that only asks
// whether the client exists, a URL client id that cannot be used is no
// client.
func (e *clientMetadataError) Is(target error) bool { return target == idp.ErrNotFound }

func metadataRefused(reason string) error { return &clientMetadataError{reason: reason} }

// asClientMetadataError returns err as a *clientMetadataError, or nil.
func asClientMetadataError(err error) *clientMetadataError {
	var me *clientMetadataError
	if errors.As(err, &me) {
		return me
	}
	return nil
}

// looksLikeURLClientID reports whether a client id is meant as a URL:
// Authalla's own client ids never contain a colon, so an id starting with
// a scheme is a Client ID Metadata Document client or a mistake worth a
// clear error, never a stored client.
func looksLikeURLClientID(id string) bool {
	l := strings.ToLower(id)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://")
}

// checkClientIDURL applies the rules for a client identifier URL
// (draft-ietf-oauth-client-id-metadata-document, "Client Identifier"):
// the https scheme, a host, a path, no single- or double-dot path
// segments, no fragment, no user information; a port is allowed.
// Authalla also refuses a query string (which the draft discourages), so
// that one document cannot be presented under endless client ids, and ids
// longer than a client id can be.
func checkClientIDURL(id string) error {
	if len(id) > maxClientIDLen {
		return metadataRefused("the client_id URL is too long")
	}
	if !strings.HasPrefix(id, "https://") {
		return metadataRefused("a client_id URL must use https")
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= 0x20 || c >= 0x7f || c == '\\' {
			return metadataRefused("the client_id URL contains characters a URL cannot hold")
		}
	}
	if strings.Contains(id, "#") {
		return metadataRefused("the client_id URL must not have a fragment")
	}
	if strings.Contains(id, "?") {
		return metadataRefused("the client_id URL must not have a query string")
	}
	u, err := url.Parse(id)
	if err != nil || u.Opaque != "" {
		return metadataRefused("the client_id is not a valid URL")
	}
	if u.User != nil || strings.Contains(u.Host, "@") {
		return metadataRefused("the client_id URL must not contain user information")
	}
	if u.Hostname() == "" || strings.HasSuffix(u.Host, ":") {
		return metadataRefused("the client_id URL must name a host")
	}
	if u.EscapedPath() == "" {
		return metadataRefused("the client_id URL must have a path")
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		s := strings.ReplaceAll(strings.ToLower(seg), "%2e", ".")
		if s == "." || s == ".." {
			return metadataRefused("the client_id URL must not contain . or .. path segments")
		}
	}
	return nil
}

// clientMetadataDocument holds the members of a client metadata document
// (RFC 7591 §2 client metadata) that Authalla uses.
type clientMetadataDocument struct {
	ClientID                string   `json:"client_id"`
	ClientName              string   `json:"client_name"`
	ClientURI               string   `json:"client_uri"`
	RedirectURIs            []string `json:"redirect_uris"`
	TokenEndpointAuthMethod string   `json:"token_endpoint_auth_method"`
	GrantTypes              []string `json:"grant_types"`
	ResponseTypes           []string `json:"response_types"`
}

// parseClientMetadata checks a fetched document against the URL it came
// from and returns the client it describes (id, name, home page and
// redirect URIs; the redirect URIs are validated when the client is
// stored, by the same rules as any registration):
//   - one JSON object (RFC 8259), nothing after it;
//   - client_id equal to the URL by simple string comparison (the
//     draft's "Client Metadata" section);
//   - no client_secret or client_secret_expires_at, and no shared-secret
//     token_endpoint_auth_method (same section: nothing can establish
//     a secret); Authalla supports "none" only, so private_key_jwt and
//     other methods are refused too; an absent method means "none", the
//     only one such a client can use;
//   - grant_types, when given, within authorization_code and
//     refresh_token and including authorization_code; response_types,
//     when given, only "code" (OAuth 2.1 has no other);
//   - at least one redirect URI (RFC 7591 §2: required for redirect-based
//     flows).
func parseClientMetadata(clientID string, body []byte) (*idp.Client, error) {
	var members map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&members); err != nil || members == nil {
		return nil, metadataRefused("the document is not a JSON object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, metadataRefused("the document has content after its JSON object")
	}
	for _, k := range []string{"client_secret", "client_secret_expires_at"} {
		if _, ok := members[k]; ok {
			return nil, metadataRefused("the document must not contain " + k)
		}
	}
	var doc clientMetadataDocument
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, metadataRefused("a member of the document has the wrong type")
	}
	if _, ok := members["client_id"]; !ok {
		return nil, metadataRefused("the document has no client_id")
	}
	if doc.ClientID != clientID {
		return nil, metadataRefused("the document's client_id is not the URL it was fetched from")
	}
	switch doc.TokenEndpointAuthMethod {
	case "", authMethodNone:
	case authMethodBasic, authMethodPost, "client_secret_jwt":
		return nil, metadataRefused("a client identified by a URL cannot use a shared secret (token_endpoint_auth_method must be none)")
	default:
		return nil, metadataRefused("token_endpoint_auth_method " + quoteShort(doc.TokenEndpointAuthMethod) + " is not supported here; use none")
	}
	if doc.GrantTypes != nil {
		for _, g := range doc.GrantTypes {
			if g != idp.GrantAuthorizationCode && g != idp.GrantRefreshToken {
				return nil, metadataRefused("grant_types may hold only authorization_code and refresh_token")
			}
		}
		if !slices.Contains(doc.GrantTypes, idp.GrantAuthorizationCode) {
			return nil, metadataRefused("grant_types must include authorization_code")
		}
	}
	for _, rt := range doc.ResponseTypes {
		if rt != "code" {
			return nil, metadataRefused("response_types may hold only code")
		}
	}
	if len(doc.RedirectURIs) == 0 {
		return nil, metadataRefused("the document has no redirect_uris")
	}
	return &idp.Client{ID: clientID, Name: doc.ClientName, ClientURI: doc.ClientURI, RedirectURIs: doc.RedirectURIs}, nil
}

// quoteShort quotes a document value for an error message, shortened and
// limited to printable ASCII so that it cannot carry markup or line breaks.
func quoteShort(s string) string {
	b := make([]byte, 0, 34)
	for i := 0; i < len(s) && len(b) < 32; i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			c = '?'
		}
		b = append(b, c)
	}
	return `"` + string(b) + `"`
}
