package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
)

// Dynamic client registration (RFC 7591) and its management protocol
// (RFC 7592): clients that register themselves, unauthenticated, on the
// admin tenant (MCP clients such as Claude, Cursor and VS Code). The
// protocol layer parses the request and answers it; the rules for what
// may be registered live here.

// ActorDynamicRegistration is the actor id of audit records written for
// self-registered clients (actor type ActorSystem: nobody signed in).
const ActorDynamicRegistration = "dcr"

// DefaultDynamicClientTTL is how long a self-registered client that never
// obtained a grant is kept (PurgeDynamicClients).
const DefaultDynamicClientTTL = 24 * time.Hour

// Limits on self-registered clients. They are tighter than those of
// clients an administrator creates, because anyone may register.
const (
	maxDynamicRedirectURIs   = 10
	maxDynamicRedirectURILen = 512
	dynamicRefreshGrace      = 60 // seconds; see idp.Client.RefreshGraceSeconds
	registrationTokenBytes   = 32 // 256 bits, so a fast hash suffices
	defaultDynamicClientName = "Unnamed application"
)

// errRegistrationToken is the one answer for an unknown client, a client
// that was not registered dynamically, and a wrong registration access
// token: which of them it was is not revealed (RFC 7592 §2.1 answers 401
// in every case).
var errRegistrationToken = fmt.Errorf("manage: invalid registration access token: %w", idp.ErrForbidden)

// noRegistrationHash is what a token presented for a client without one
// is compared with (the comparison's result is then ignored).
var noRegistrationHash = secret.HashBytes("authalla: no such registration")

// RegisterDynamicClient registers a client that registers itself (RFC 7591
// §3.1) on the admin tenant c.TenantID. From c it takes Type (native for
// token_endpoint_auth_method none, web for client_secret_basic/post),
// Name, RedirectURIs and ClientURI; everything else is set here: a random
// client_id (the client cannot choose one, SECURITY-TESTS 46), Dynamic,
// ThirdParty and RequireConsent (consent is always shown), and a 60 s
// refresh-token grace window for assistants that race their own
// refreshes. A web client gets a secret. Both the secret and the
// registration access token (RFC 7592 §3) are returned in plaintext once;
// only their SHA-256 is stored. requestID and clientIP go into the audit
// record, which holds no secret. Validation failures are
// *idp.ValidationError for the field at fault ("redirect_uris" for
// redirect URIs); a tenant other than the admin tenant is idp.ErrNotFound.
func (s *Service) RegisterDynamicClient(ctx context.Context, c *idp.Client, requestID, clientIP string) (client *idp.Client, clientSecret, registrationToken string, err error) {
	const action = "client.register"
	a := Actor{Type: ActorSystem, ID: ActorDynamicRegistration, RequestID: requestID, ClientIP: clientIP}
	t, err := s.store.GetTenant(ctx, c.TenantID)
	if err != nil {
		return nil, "", "", fmt.Errorf("manage: register client: tenant: %w", err)
	}
	if !t.Admin {
		// Registration is open on the admin tenant only (issue 4).
		return nil, "", "", fmt.Errorf("manage: register client: tenant %q takes no registrations: %w", t.ID, idp.ErrNotFound)
	}
	if c.Type != idp.ClientNative && c.Type != idp.ClientWeb {
		return nil, "", "", idp.Invalid("token_endpoint_auth_method", "a registered client is native (none) or web (client_secret_basic, client_secret_post)")
	}
	if err := validDynamicRedirectURIs(c.RedirectURIs); err != nil {
		return nil, "", "", err
	}
	clientURI, err := validClientURI(c.ClientURI)
	if err != nil {
		return nil, "", "", err
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = defaultDynamicClientName
	}
	id, err := s.newClientID()
	if err != nil {
		return nil, "", "", fmt.Errorf("manage: register client: id: %w", err)
	}
	token, err := s.random.Token(registrationTokenBytes)
	if err != nil {
		return nil, "", "", fmt.Errorf("manage: register client: token: %w", err)
	}
	now := s.clock.Now()
	out := &idp.Client{
		TenantID: t.ID, ID: id, Name: name, Type: c.Type,
		RedirectURIs: append([]string(nil), c.RedirectURIs...), ClientURI: clientURI,
		ThirdParty: true, RequireConsent: true, RefreshGraceSeconds: dynamicRefreshGrace,
		Dynamic: true, RegistrationTokenHash: secret.HashBytes(token),
		CreatedAt: now, UpdatedAt: now,
	}
	// The general client rules apply on top (name, redirect URI syntax
	// per client type, de-duplication).
	if err := s.validateClient(ctx, out); err != nil {
		return nil, "", "", err
	}
	if err := s.store.CreateClient(ctx, t.ID, out); err != nil {
		return nil, "", "", fmt.Errorf("manage: register client: %w", err)
	}
	s.changed(idp.ChangeClient, t.ID, id)
	details := map[string]string{"type": string(out.Type), "name": out.Name}
	if !out.Public() {
		sec, err := s.addSecret(ctx, t.ID, id)
		if err != nil {
			// A confidential client without a secret is useless: remove it.
			if derr := s.store.DeleteClient(ctx, t.ID, id); derr != nil {
				s.log.ErrorContext(ctx, "register client: remove client after failed secret", "client_id", id, "err", derr)
			}
			return nil, "", "", err
		}
		clientSecret = sec.Value
		details["secret_id"] = sec.ID
	}
	// Refused registrations are not audited: they change nothing, and an
	// unauthenticated caller must not be able to fill the audit log.
	s.audit(ctx, a, t.ID, action, "client", id, nil, details)
	return out, clientSecret, token, nil
}

// ReadDynamicClient returns a self-registered client of tenantID to the
// holder of its registration access token (RFC 7592 §2.1). An unknown
// client, a client not registered dynamically and a wrong token all give
// the same idp.ErrForbidden; the token is compared by its hash in
// constant time.
func (s *Service) ReadDynamicClient(ctx context.Context, tenantID, clientID, registrationToken string) (*idp.Client, error) {
	c, err := s.store.GetClient(ctx, tenantID, clientID)
	switch {
	case errors.Is(err, idp.ErrNotFound):
		c = nil
	case err != nil:
		return nil, fmt.Errorf("manage: read registered client: %w", err)
	}
	// An unknown client costs the same comparison as a known one, so
	// that client ids cannot be told apart by timing.
	// Clients from Client ID Metadata Documents are dynamic too, but
	// have no registration access token.
	registered := c != nil && c.Dynamic && len(c.RegistrationTokenHash) > 0
	want := noRegistrationHash
	if registered {
		want = c.RegistrationTokenHash
	}
	match := secret.Equal(secret.HashBytes(registrationToken), want)
	if !registered || !match || registrationToken == "" {
		return nil, errRegistrationToken
	}
	return c, nil
}

// DeleteDynamicClient deletes a self-registered client at the request of
// the holder of its registration access token (RFC 7592 §2.3): its
// secrets, codes and consents go with it and its grants are revoked.
// Token failures are as for ReadDynamicClient.
func (s *Service) DeleteDynamicClient(ctx context.Context, tenantID, clientID, registrationToken, requestID, clientIP string) error {
	const action = "client.delete"
	if _, err := s.ReadDynamicClient(ctx, tenantID, clientID, registrationToken); err != nil {
		return err
	}
	if err := s.store.DeleteClient(ctx, tenantID, clientID); err != nil {
		return fmt.Errorf("manage: delete registered client: %w", err)
	}
	s.changed(idp.ChangeClient, tenantID, clientID)
	s.changed(idp.ChangeToken, tenantID, "")
	a := Actor{Type: ActorSystem, ID: ActorDynamicRegistration, RequestID: requestID, ClientIP: clientIP}
	s.audit(ctx, a, tenantID, action, "client", clientID, nil, map[string]string{"reason": "rfc7592"})
	return nil
}

// PurgeDynamicClients deletes, across tenants, self-registered clients
// created more than olderThan ago (DefaultDynamicClientTTL when zero or
// less) that never obtained a grant, and returns how many it removed.
// Only the server itself or the CLI may call it.
func (s *Service) PurgeDynamicClients(ctx context.Context, olderThan time.Duration) (int64, error) {
	a, err := actor(ctx)
	if err != nil {
		return 0, err
	}
	if !a.privileged() {
		return 0, fmt.Errorf("manage: purge registered clients: %w", idp.ErrForbidden)
	}
	if olderThan <= 0 {
		olderThan = DefaultDynamicClientTTL
	}
	n, err := s.store.DeleteUnusedDynamicClients(ctx, s.clock.Now().Add(-olderThan))
	if err != nil {
		return 0, fmt.Errorf("manage: purge registered clients: %w", err)
	}
	if n > 0 {
		// Across tenants, and they never had a grant: every tenant's
		// cached clients go.
		s.changed(idp.ChangeClient, "", "")
	}
	return n, nil
}

// validDynamicRedirectURIs applies the rules for self-registered redirect
// URIs before the general ones (ValidateRedirectURI, per client type): at
// least one (RFC 7591 §2: required for the code grant), at most
// maxDynamicRedirectURIs, each at most maxDynamicRedirectURILen long.
// So that anyone may register, what the general rules admit is what real
// assistants use: https anywhere (https://claude.ai/api/mcp/auth_callback,
// https://vscode.dev/redirect), http on a loopback host only, whose port
// may change at use (RFC 8252 §7.3), and private-use schemes such as
// cursor:// or vscode:// for native clients (RFC 8252 §7.1); never
// javascript:, data:, file: and the like, fragments, or userinfo.
func validDynamicRedirectURIs(uris []string) error {
	const field = "redirect_uris"
	if len(uris) == 0 {
		return idp.Invalid(field, "at least one redirect URI is required")
	}
	if len(uris) > maxDynamicRedirectURIs {
		return idp.Invalid(field, fmt.Sprintf("at most %d redirect URIs", maxDynamicRedirectURIs))
	}
	for _, u := range uris {
		if len(u) > maxDynamicRedirectURILen {
			return idp.Invalid(field, fmt.Sprintf("a redirect URI is longer than %d characters", maxDynamicRedirectURILen))
		}
	}
	return nil
}

// validClientURI checks a client's home page (RFC 7591 §2 client_uri),
// which the consent page links to: empty, or an https URL (http on a
// loopback host) without userinfo or fragment. It returns the trimmed
// value.
func validClientURI(raw string) (string, error) {
	const field = "client_uri"
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", nil
	}
	bad := idp.Invalid(field, "must be an https URL without credentials or fragment")
	if len(raw) > maxDynamicRedirectURILen || strings.ContainsAny(raw, "#\\") {
		return "", bad
	}
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; c <= 0x20 || c >= 0x7f {
			return "", bad
		}
	}
	u, err := url.Parse(raw)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return "", bad
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopbackRedirectHost(u.Hostname()):
	default:
		return "", bad
	}
	return raw, nil
}
