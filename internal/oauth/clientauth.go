package oauth

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/tenant"
)

// Token endpoint client authentication methods (RFC 7591 §2 names).
const (
	authMethodBasic = "client_secret_basic"
	authMethodPost  = "client_secret_post"
	authMethodNone  = "none"
)

// Bounds on presented credentials: larger values are not ours and are
// refused before any lookup.
const (
	maxClientIDLen     = 255
	maxClientSecretLen = 512
)

// dummySecretHash is what a secret presented for an unknown client is
// compared with, so that an unknown client costs the same work as a wrong
// secret (RFC 6819 §5.1.4.2.2 hints; SECURITY-TESTS 25).
var dummySecretHash = secret.HashBytes("authalla: no such client")

// clientAuthError is the one invalid_client answer for every failed
// authentication: unknown client, wrong or expired secret, public client
// using a secret, confidential client without one. The response is the
// same in all cases; with HTTP Basic it carries the challenge RFC 6749
// §5.2 requires.
func clientAuthError(info *tenant.Info, basic bool) error {
	e := &httpx.OAuthError{Code: oauthInvalidClient, Description: "Client authentication failed.", Status: http.StatusUnauthorized}
	if basic {
		e.WWWAuthenticate = basicChallenge(info)
	}
	return e
}

// basicChallenge is the WWW-Authenticate value for HTTP Basic (RFC 7617 §2).
func basicChallenge(info *tenant.Info) string {
	return `Basic realm="` + info.Issuer + `"`
}

// clientCredentials is what a request presented to authenticate.
type clientCredentials struct {
	method string // authMethod*
	id     string
	secret string
}

// authenticateClient authenticates the client of a token, introspection or
// revocation request (RFC 6749 §2.3.1, §3.2.1). It accepts exactly one of
// client_secret_basic (credentials form-urlencoded inside the Basic
// header), client_secret_post, or — when allowPublic — none, where a public
// client only names itself. Repeated failures for one client id are
// throttled with 429. Every failure is an *httpx.OAuthError; store
// failures become server_error or temporarily_unavailable.
func (p *Provider) authenticateClient(w http.ResponseWriter, r *http.Request, form url.Values, allowPublic bool) (*idp.Client, error) {
	info := tenant.MustFromContext(r.Context())
	creds, err := presentedCredentials(r, form)
	if err != nil {
		return nil, err
	}
	basic := creds.method == authMethodBasic
	if creds.id == "" {
		e := &httpx.OAuthError{Code: oauthInvalidClient, Description: "Client authentication is required.", Status: http.StatusUnauthorized}
		if basic {
			e.WWWAuthenticate = basicChallenge(info)
		}
		return nil, e
	}
	if len(creds.id) > maxClientIDLen || len(creds.secret) > maxClientSecretLen {
		return nil, clientAuthError(info, basic)
	}
	ctx := r.Context()
	tid := info.Tenant.ID

	if creds.method == authMethodNone {
		c, err := p.lookupClient(ctx, info, creds.id)
		if me := asClientMetadataError(err); me != nil {
			return nil, &httpx.OAuthError{Code: oauthInvalidClient, Description: "The client ID Metadata Document cannot be used: " + me.reason + ".", Status: http.StatusUnauthorized}
		}
		if errors.Is(err, idp.ErrNotFound) {
			return nil, clientAuthError(info, false)
		}
		if err != nil {
			return nil, internalFailure(ctx, "client auth: get client", err)
		}
		// A confidential client must authenticate (RFC 6749 §3.2.1).
		if !allowPublic || !c.Public() {
			return nil, clientAuthError(info, false)
		}
		return c, nil
	}

	key := tid + "\x00" + creds.id
	if wait := p.clientAuthFailures.blockedFor(key); wait > 0 {
		secs := int((wait + time.Second - 1) / time.Second)
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		return nil, &httpx.OAuthError{Code: oauthInvalidClient, Description: "too many failed attempts", Status: http.StatusTooManyRequests}
	}

	// One cached read for known and unknown clients alike (client_cache.go).
	entry, err := p.clientEntry(ctx, tid, creds.id)
	if err != nil {
		return nil, internalFailure(ctx, "client auth", err)
	}
	c, secrets := entry.client, entry.secrets
	presented := secret.HashBytes(creds.secret)
	ok := false
	if c == nil {
		_ = secret.Equal(presented, dummySecretHash)
	} else {
		now := p.clock.Now()
		for i := range secrets {
			s := &secrets[i]
			match := secret.Equal(presented, s.Hash)
			live := s.ExpiresAt == nil || now.Before(*s.ExpiresAt)
			ok = ok || (match && live)
		}
		// Public clients hold no secrets; if one somehow does, it still
		// does not make the client confidential.
		ok = ok && !c.Public()
	}
	if !ok {
		p.clientAuthFailures.fail(key)
		return nil, clientAuthError(info, basic)
	}
	return c, nil
}

// presentedCredentials extracts the credentials of one authentication
// method. Using more than one method is an invalid_client (RFC 6749
// §2.3: "MUST NOT use more than one authentication method in each
// request"), as is any method we do not support (client assertions).
func presentedCredentials(r *http.Request, form url.Values) (clientCredentials, error) {
	info := tenant.MustFromContext(r.Context())
	authz := r.Header.Values("Authorization")
	if form.Has("client_assertion") || form.Has("client_assertion_type") {
		return clientCredentials{}, clientAuthError(info, len(authz) > 0)
	}
	if len(authz) == 0 {
		if form.Has("client_secret") {
			return clientCredentials{method: authMethodPost, id: form.Get("client_id"), secret: form.Get("client_secret")}, nil
		}
		return clientCredentials{method: authMethodNone, id: form.Get("client_id")}, nil
	}
	if len(authz) > 1 {
		return clientCredentials{}, clientAuthError(info, true)
	}
	id, sec, ok := parseBasicAuth(authz[0])
	if !ok {
		return clientCredentials{}, clientAuthError(info, true)
	}
	if form.Has("client_secret") {
		return clientCredentials{}, &httpx.OAuthError{Code: oauthInvalidClient, Description: "Use exactly one client authentication method.", Status: http.StatusUnauthorized, WWWAuthenticate: basicChallenge(info)}
	}
	// RFC 6749 §4.1.3 lets a client repeat its id in the body; it must be
	// the same client.
	if form.Has("client_id") && form.Get("client_id") != id {
		return clientCredentials{}, clientAuthError(info, true)
	}
	return clientCredentials{method: authMethodBasic, id: id, secret: sec}, nil
}

// parseBasicAuth decodes an HTTP Basic header (RFC 7617 §2) whose user-id
// and password are the client id and secret, each
// application/x-www-form-urlencoded first (RFC 6749 §2.3.1).
func parseBasicAuth(h string) (id, sec string, ok bool) {
	scheme, cred, found := strings.Cut(h, " ")
	if !found || !strings.EqualFold(scheme, "Basic") {
		return "", "", false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return "", "", false
	}
	rawID, rawSecret, found := strings.Cut(string(raw), ":")
	if !found {
		return "", "", false
	}
	if id, err = url.QueryUnescape(rawID); err != nil {
		return "", "", false
	}
	if sec, err = url.QueryUnescape(rawSecret); err != nil {
		return "", "", false
	}
	return id, sec, id != ""
}
