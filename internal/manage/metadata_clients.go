package manage

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// Clients identified by a Client ID Metadata Document
// (draft-ietf-oauth-client-id-metadata-document): the client_id is an
// https URL whose document holds the client's metadata. The protocol layer
// fetches and checks the document; the client it describes is stored here,
// by the rules of dynamic registration, so that codes, grants, refresh
// tokens and revocation work for it as for any client.

// ActorMetadataDocument is the actor id of audit records written for
// clients stored from a metadata document (actor type ActorSystem:
// nobody signed in).
const ActorMetadataDocument = "cimd"

// maxMetadataClientIDLen is the longest URL client id (the longest client
// id the protocol layer accepts).
const maxMetadataClientIDLen = 255

// RegisterMetadataClient creates or updates the client that a metadata
// document describes, on the admin tenant c.TenantID. c.ID is the
// document's URL; from c it takes Name, RedirectURIs and ClientURI, which
// are validated as for a self-registered client (validDynamicRedirectURIs,
// validClientURI, then the general client rules for a native client).
// Everything else is fixed: a public native client (the document cannot
// establish a secret, so token_endpoint_auth_method is none and PKCE is
// required), Dynamic, ThirdParty and RequireConsent, a 60 s refresh-token
// grace window, and no registration access token (the document is the
// registration; RFC 7592 management does not apply). A client without a
// name is named after the URL's host.
//
// An unchanged client is returned as stored, without a write; a created
// or changed one is audited (requestID goes into the record). Validation
// failures are *idp.ValidationError; a tenant other than the admin tenant
// is idp.ErrNotFound; an id held by a client that is not a metadata
// document client is idp.ErrConflict.
func (s *Service) RegisterMetadataClient(ctx context.Context, c *idp.Client, requestID string) (*idp.Client, error) {
	t, err := s.store.GetTenant(ctx, c.TenantID)
	if err != nil {
		return nil, fmt.Errorf("manage: metadata client: tenant: %w", err)
	}
	if !t.Admin {
		return nil, fmt.Errorf("manage: metadata client: tenant %q takes none: %w", t.ID, idp.ErrNotFound)
	}
	want, err := s.metadataClient(ctx, t.ID, c)
	if err != nil {
		return nil, err
	}
	a := Actor{Type: ActorSystem, ID: ActorMetadataDocument, RequestID: requestID}
	// Two nodes may store the same new client at once: the loser of the
	// insert reads the winner's row and goes on from there.
	for attempt := 0; ; attempt++ {
		got, err := s.store.GetClient(ctx, t.ID, want.ID)
		switch {
		case errors.Is(err, idp.ErrNotFound):
			err = s.store.CreateClient(ctx, t.ID, want)
			if errors.Is(err, idp.ErrConflict) && attempt == 0 {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("manage: metadata client: create: %w", err)
			}
			s.changed(idp.ChangeClient, t.ID, want.ID)
			s.audit(ctx, a, t.ID, "client.register", "client", want.ID, nil, map[string]string{"type": string(want.Type), "source": "client_id_metadata_document"})
			return want, nil
		case err != nil:
			return nil, fmt.Errorf("manage: metadata client: %w", err)
		}
		return s.updateMetadataClient(ctx, a, got, want)
	}
}

// metadataClient builds and validates the client a document describes.
func (s *Service) metadataClient(ctx context.Context, tenantID string, c *idp.Client) (*idp.Client, error) {
	u, err := url.Parse(c.ID)
	if err != nil || u.Scheme != "https" || u.Host == "" || len(c.ID) > maxMetadataClientIDLen {
		return nil, idp.Invalid("client_id", fmt.Sprintf("must be an https URL of at most %d characters", maxMetadataClientIDLen))
	}
	if err := validDynamicRedirectURIs(c.RedirectURIs); err != nil {
		return nil, err
	}
	clientURI, err := validClientURI(c.ClientURI)
	if err != nil {
		return nil, err
	}
	name := strings.TrimSpace(c.Name)
	if name == "" {
		name = u.Host
	}
	now := s.clock.Now()
	out := &idp.Client{
		TenantID: tenantID, ID: c.ID, Name: name, Type: idp.ClientNative,
		RedirectURIs: slices.Clone(c.RedirectURIs), ClientURI: clientURI,
		ThirdParty: true, RequireConsent: true, RefreshGraceSeconds: dynamicRefreshGrace, Dynamic: true,
		CreatedAt: now, UpdatedAt: now,
	}
	// The general client rules apply on top (name, redirect URI syntax for
	// a native client, de-duplication).
	if err := s.validateClient(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// updateMetadataClient brings the stored client got in line with the
// document's want, writing only when something the document sets changed.
func (s *Service) updateMetadataClient(ctx context.Context, a Actor, got, want *idp.Client) (*idp.Client, error) {
	if !got.Dynamic || len(got.RegistrationTokenHash) > 0 {
		// Not a metadata document client (ids of other clients cannot be
		// URLs, so this is a store that was edited by hand).
		return nil, fmt.Errorf("manage: metadata client %q: the id belongs to another client: %w", want.ID, idp.ErrConflict)
	}
	if got.Name == want.Name && got.ClientURI == want.ClientURI && slices.Equal(got.RedirectURIs, want.RedirectURIs) &&
		got.Type == want.Type && got.ThirdParty && got.RequireConsent {
		return got, nil
	}
	up := *got
	up.Name, up.ClientURI, up.RedirectURIs = want.Name, want.ClientURI, want.RedirectURIs
	up.Type, up.ThirdParty, up.RequireConsent = want.Type, true, true
	up.UpdatedAt = s.clock.Now()
	if err := s.store.UpdateClient(ctx, up.TenantID, &up); err != nil {
		return nil, fmt.Errorf("manage: metadata client: update: %w", err)
	}
	s.changed(idp.ChangeClient, up.TenantID, up.ID)
	s.audit(ctx, a, up.TenantID, "client.update", "client", up.ID, nil, map[string]string{"source": "client_id_metadata_document"})
	return &up, nil
}
