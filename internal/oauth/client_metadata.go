package oauth

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// MetadataClientRegistrar stores the client a Client ID Metadata Document
// describes, so that codes, grants, refresh tokens and revocation work for
// it as for any client. *manage.Service satisfies it (wired in server).
type MetadataClientRegistrar interface {
	// RegisterMetadataClient validates the client c describes (its
	// TenantID, ID, Name, ClientURI and RedirectURIs are read; everything
	// else is set by the registrar) by the rules of dynamic registration
	// and creates or updates it as a dynamic, third-party, public client.
	// requestID goes into the audit record. Validation failures are
	// *idp.ValidationError.
	RegisterMetadataClient(ctx context.Context, c *idp.Client, requestID string) (*idp.Client, error)
}

// ClientMetadataOptions configure ClientMetadataDocuments.
type ClientMetadataOptions struct {
	// Registrar stores resolved clients (required).
	Registrar MetadataClientRegistrar
	Clock     idp.Clock
	Log       *slog.Logger
	// AllowAddress decides which resolved addresses may be dialled; nil
	// means globally routable unicast only (publicAddress). Tests that
	// serve documents on loopback replace it.
	AllowAddress func(netip.Addr) bool
	// RootCAs verify the document servers; nil means the system roots.
	RootCAs *x509.CertPool
	// Timeout bounds one fetch, connection to last byte (default 5 s).
	Timeout time.Duration
	// MaxEntries bounds the document cache (default 1,000).
	MaxEntries int
}

// ClientMetadataDocuments lets clients of the admin tenant identify
// themselves with a URL whose document holds their metadata, instead of
// registering first (draft-ietf-oauth-client-id-metadata-document; the MCP
// authorization specification's preferred registration). A URL client id
// is fetched under SSRF, size and time limits, checked, cached, and
// stored as a dynamic third-party client through the registrar. Safe for
// concurrent use.
type ClientMetadataDocuments struct {
	registrar MetadataClientRegistrar
	clock     idp.Clock
	log       *slog.Logger
	fetcher   *metadataFetcher
	cache     *metadataCache
	inflight  singleflight.Group
}

// NewClientMetadataDocuments returns a resolver. It panics without a
// Registrar (a wiring bug).
func NewClientMetadataDocuments(o ClientMetadataOptions) *ClientMetadataDocuments {
	if o.Registrar == nil {
		panic("oauth: NewClientMetadataDocuments needs a Registrar")
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.Log == nil {
		o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.AllowAddress == nil {
		o.AllowAddress = publicAddress
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultMetadataFetchTimeout
	}
	return &ClientMetadataDocuments{
		registrar: o.Registrar, clock: o.Clock, log: o.Log,
		fetcher: newMetadataFetcher(o.AllowAddress, o.RootCAs, o.Timeout),
		cache:   newMetadataCache(o.MaxEntries),
	}
}

// enabledFor reports whether URL client ids are resolved on the tenant of
// info: only the admin tenant's, and only when the resolver is configured
// (--client-id-metadata-documents).
func (d *ClientMetadataDocuments) enabledFor(info *tenant.Info) bool {
	return d != nil && info != nil && info.Tenant != nil && info.Tenant.Admin
}

// resolve returns the stored client for the URL client id clientID,
// fetching its document unless a cached one is still fresh. Refusals are
// *clientMetadataError; anything else is a server failure.
func (d *ClientMetadataDocuments) resolve(ctx context.Context, info *tenant.Info, clientID string) (*idp.Client, error) {
	if err := checkClientIDURL(clientID); err != nil {
		return nil, err
	}
	key := info.Tenant.ID + " " + clientID
	if e, ok := d.cache.get(key, d.clock.Now()); ok {
		if e.err != nil {
			return nil, e.err
		}
		return d.register(ctx, info, e.doc)
	}
	// Concurrent first uses of one URL share one fetch, which therefore
	// does not stop when the request that started it goes away.
	v, err, _ := d.inflight.Do(key, func() (any, error) {
		return d.fetchAndRegister(context.WithoutCancel(ctx), info, key, clientID)
	})
	if err != nil {
		return nil, err
	}
	c := *v.(*idp.Client) // each caller gets its own copy
	return &c, nil
}

// fetchAndRegister fetches and checks the document, stores its client and
// caches the outcome: the document for its (clamped) max-age, or a
// refusal for negativeMetadataCacheTTL. Server failures are not cached.
func (d *ClientMetadataDocuments) fetchAndRegister(ctx context.Context, info *tenant.Info, key, clientID string) (*idp.Client, error) {
	refuse := func(err error) (*idp.Client, error) {
		d.log.InfoContext(ctx, "client metadata document refused", slog.String("client_id", clientID), slog.String("reason", err.Error()))
		d.cache.put(&metadataEntry{key: key, err: err, expires: d.clock.Now().Add(negativeMetadataCacheTTL)})
		return nil, err
	}
	f, err := d.fetcher.fetch(ctx, clientID)
	if err != nil {
		return refuse(err)
	}
	doc, err := parseClientMetadata(clientID, f.body)
	if err != nil {
		return refuse(err)
	}
	c, err := d.register(ctx, info, doc)
	if asClientMetadataError(err) != nil {
		return refuse(err)
	}
	if err != nil {
		return nil, err
	}
	d.cache.put(&metadataEntry{key: key, doc: doc, expires: d.clock.Now().Add(metadataTTL(f))})
	return c, nil
}

// register stores the client of a checked document through the
// registrar. Validation failures (a redirect URI the registration rules
// refuse, a bad name) become refusals.
func (d *ClientMetadataDocuments) register(ctx context.Context, info *tenant.Info, doc *idp.Client) (*idp.Client, error) {
	in := *doc
	in.TenantID, in.RedirectURIs = info.Tenant.ID, slices.Clone(doc.RedirectURIs)
	c, err := d.registrar.RegisterMetadataClient(ctx, &in, httpx.RequestID(ctx))
	var ve *idp.ValidationError
	switch {
	case errors.As(err, &ve):
		return nil, metadataRefused(fmt.Sprintf("%s: %s", ve.Field, ve.Message))
	case errors.Is(err, idp.ErrConflict), errors.Is(err, idp.ErrForbidden):
		return nil, metadataRefused("this client_id cannot be used here")
	case err != nil:
		return nil, fmt.Errorf("client metadata: register: %w", err)
	}
	return c, nil
}

// lookupClient loads the client clientID of the tenant of info for the
// authorization and token endpoints. On a tenant that resolves Client ID
// Metadata Documents, an id that is a URL is resolved through its
// document; every other id comes from the store. A URL client id that
// cannot be used is a *clientMetadataError, which also matches
// idp.ErrNotFound for callers that only know "no such client".
func (p *Provider) lookupClient(ctx context.Context, info *tenant.Info, clientID string) (*idp.Client, error) {
	if p.metadataDocs.enabledFor(info) && looksLikeURLClientID(clientID) {
		return p.metadataDocs.resolve(ctx, info, clientID)
	}
	return p.storedClient(ctx, info.Tenant.ID, clientID)
}

// metadataDocumentsSupported reports whether discovery on the tenant of
// info advertises client_id_metadata_document_supported.
func (p *Provider) metadataDocumentsSupported(info *tenant.Info) bool {
	return p.metadataDocs.enabledFor(info)
}
