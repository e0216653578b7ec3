package cliauth

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
)

// Metadata is the part of the server's discovery document the CLI uses
// (OpenID Connect Discovery 1.0 §3, RFC 8414 §2).
type Metadata struct {
	Issuer                string   `json:"issuer"`
	AuthorizationEndpoint string   `json:"authorization_endpoint"`
	TokenEndpoint         string   `json:"token_endpoint"`
	RevocationEndpoint    string   `json:"revocation_endpoint"`
	CodeChallengeMethods  []string `json:"code_challenge_methods_supported"`
	// IssParameterSupported: the authorization response carries iss
	// (RFC 9207 §3), which the client must then check.
	IssParameterSupported bool `json:"authorization_response_iss_parameter_supported"`
}

// maxDiscovery bounds the discovery document.
const maxDiscovery = 256 << 10

// NormalizeServer checks a --server URL and returns it without a
// trailing slash. Tokens must not cross the network in clear text, so
// http is accepted only for a loopback host.
func NormalizeServer(raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("cliauth: server %q: want an absolute URL such as https://auth.example.com", raw)
	}
	if err := checkTransport(u); err != nil {
		return "", fmt.Errorf("cliauth: server %q: %w", raw, err)
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.EscapedPath(), "/"), nil
}

// checkTransport accepts https, and http on a loopback host only.
func checkTransport(u *url.URL) error {
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return fmt.Errorf("http is allowed only for a loopback host; use https")
	}
	return fmt.Errorf("scheme %q is not http or https", u.Scheme)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Discover fetches server's discovery document and checks it: the issuer
// must be exactly the server URL (OpenID Connect Discovery 1.0 §4.3,
// which stops a document on one host from speaking for another), the
// endpoints must use a safe transport, and PKCE S256 must be offered.
func Discover(ctx context.Context, hc *http.Client, server string) (*Metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, server+"/.well-known/openid-configuration", nil)
	if err != nil {
		return nil, fmt.Errorf("cliauth: discovery: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cliauth: discovery: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("cliauth: discovery at %s: HTTP %d", server, resp.StatusCode)
	}
	var m Metadata
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxDiscovery)).Decode(&m); err != nil {
		return nil, fmt.Errorf("cliauth: discovery at %s: not a JSON document", server)
	}
	if m.Issuer != server {
		return nil, fmt.Errorf("cliauth: discovery at %s names the issuer %q; use that URL as --server", server, m.Issuer)
	}
	for name, ep := range map[string]string{"authorization_endpoint": m.AuthorizationEndpoint, "token_endpoint": m.TokenEndpoint} {
		u, err := url.Parse(ep)
		if ep == "" || err != nil || u.Host == "" {
			return nil, fmt.Errorf("cliauth: discovery at %s: %s missing or invalid", server, name)
		}
		if err := checkTransport(u); err != nil {
			return nil, fmt.Errorf("cliauth: discovery at %s: %s: %w", server, name, err)
		}
	}
	if m.RevocationEndpoint != "" {
		u, err := url.Parse(m.RevocationEndpoint)
		if err != nil || u.Host == "" || checkTransport(u) != nil {
			return nil, fmt.Errorf("cliauth: discovery at %s: revocation_endpoint invalid", server)
		}
	}
	s256 := false
	for _, c := range m.CodeChallengeMethods {
		s256 = s256 || c == "S256"
	}
	if !s256 {
		return nil, fmt.Errorf("cliauth: discovery at %s: the server does not offer PKCE S256", server)
	}
	return &m, nil
}
