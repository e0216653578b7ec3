package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/netip"
	"strconv"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// Registrar stores dynamically registered clients (RFC 7591, RFC 7592).
// The protocol layer parses and answers registration requests; what may
// be registered, and the registration access tokens, are the Registrar's
// (*manage.Service satisfies it, wired in internal/server). Validation
// failures are *idp.ValidationError, with field "redirect_uris" for
// redirect URIs; a failed registration-token check is idp.ErrForbidden.
type Registrar interface {
	// RegisterDynamicClient validates and stores a client of the admin
	// tenant c.TenantID from c's Type, Name, RedirectURIs and ClientURI.
	// It returns the stored client, its secret (web clients only) and its
	// registration access token, both in plaintext once.
	RegisterDynamicClient(ctx context.Context, c *idp.Client, requestID, clientIP string) (client *idp.Client, clientSecret, registrationToken string, err error)
	// ReadDynamicClient returns the dynamically registered client clientID
	// to the holder of its registration access token.
	ReadDynamicClient(ctx context.Context, tenantID, clientID, registrationToken string) (*idp.Client, error)
	// DeleteDynamicClient deletes the dynamically registered client
	// clientID for the holder of its registration access token.
	DeleteDynamicClient(ctx context.Context, tenantID, clientID, registrationToken, requestID, clientIP string) error
}

// registerPath is the registration endpoint under the admin issuer.
const registerPath = "/oauth2/register"

// maxRegistrationBody bounds a registration request: ten redirect URIs
// and a few names fit many times over.
const maxRegistrationBody = 16 << 10

// Registration throttling per client IP (SECURITY-TESTS 46: unauthenticated
// registration is rate-limited). A person's assistants register a handful
// of clients; a flood is refused with 429 and Retry-After.
const (
	registrationsPerWindow = 20
	registrationWindow     = 10 * time.Minute
	registrationMaxKeys    = 10000
	// Failed registration-token checks (RFC 7592) per client IP.
	registrationTokenFailures = 10
	registrationTokenWindow   = time.Minute
)

// registrationEnabled reports whether info's tenant takes registrations:
// the admin tenant, when a Registrar is configured.
func (p *Provider) registrationEnabled(info *tenant.Info) bool {
	return p.registrar != nil && info.Tenant.Admin
}

// registrationNotFound answers registration paths on tenants that do not
// take registrations as if they did not exist.
func registrationNotFound() error {
	return &httpx.APIError{Status: http.StatusNotFound, Code: "not_found", Description: "The requested resource does not exist."}
}

// register serves POST /oauth2/register (RFC 7591 §3.1): an
// unauthenticated JSON registration request, answered with 201 and the
// client information response (§3.2.1) or a §3.2.2 error.
func (p *Provider) register(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	if !p.registrationEnabled(info) {
		return registrationNotFound()
	}
	ip := p.clientIP(r)
	key := addressBlock(ip)
	if wait := p.registrations.blockedFor(key); wait > 0 {
		return tooManyRequests(w, wait)
	}
	// Every attempt counts, successful or not: the limit is on work and
	// rows an anonymous caller can cause.
	p.registrations.fail(key)

	m, err := readClientMetadata(w, r)
	if err != nil {
		return err
	}
	typ, method, err := m.clientType()
	if err != nil {
		return err
	}
	in := &idp.Client{
		TenantID: info.Tenant.ID, Type: typ, Name: m.ClientName,
		RedirectURIs: m.RedirectURIs, ClientURI: m.ClientURI,
	}
	c, sec, token, err := p.registrar.RegisterDynamicClient(ctx, in, httpx.RequestID(ctx), ip)
	if err != nil {
		return registrarError(ctx, err)
	}
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Pragma", "no-cache")
	h.Set("Location", registrationClientURI(info, c.ID))
	httpx.WriteJSON(w, http.StatusCreated, information(info, c, sec, token, method))
	return nil
}

// readClientMetadata reads the JSON body of a registration request
// (RFC 7591 §3.1: application/json, one object). A body over
// maxRegistrationBody is 413.
func readClientMetadata(w http.ResponseWriter, r *http.Request) (*clientMetadata, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return nil, registrationError(regInvalidClientMetadata, "The request body must be application/json.")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxRegistrationBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, &httpx.OAuthError{Code: regInvalidClientMetadata, Description: "The request body is too large.", Status: http.StatusRequestEntityTooLarge}
		}
		return nil, registrationError(regInvalidClientMetadata, "The request body could not be read.")
	}
	var m clientMetadata
	if err := json.Unmarshal(body, &m); err != nil {
		return nil, registrationError(regInvalidClientMetadata, "The request body is not a JSON object of client metadata with values of the right types.")
	}
	return &m, nil
}

// registrarError maps a Registrar failure to the RFC 7591 §3.2.2 error.
func registrarError(ctx context.Context, err error) error {
	var ve *idp.ValidationError
	switch {
	case errors.As(err, &ve) && ve.Field == "redirect_uris":
		return registrationError(regInvalidRedirectURI, ve.Error())
	case errors.As(err, &ve):
		return registrationError(regInvalidClientMetadata, ve.Error())
	case errors.Is(err, idp.ErrNotFound):
		return registrationNotFound()
	}
	return internalFailure(ctx, "register: store client", err)
}

// tooManyRequests is the 429 answer with Retry-After in whole seconds.
func tooManyRequests(w http.ResponseWriter, wait time.Duration) error {
	secs := int((wait + time.Second - 1) / time.Second)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &httpx.OAuthError{Code: oauthInvalidRequest, Description: "Too many requests; try again later.", Status: http.StatusTooManyRequests}
}

// addressBlock is the rate-limit key of a client address: the address
// itself for IPv4, its /64 for IPv6, since one host or site usually
// holds a whole /64 (RFC 6177) and could otherwise rotate addresses
// within it to escape the limit.
func addressBlock(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.Is6() || a.Is4In6() {
		return ip
	}
	return netip.PrefixFrom(a, 64).Masked().String()
}

// clientIP is the address rate limits and audit records use: the peer,
// or the client a trusted proxy reports.
func (p *Provider) clientIP(r *http.Request) string {
	if ip := p.proxies.ClientIP(r); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
