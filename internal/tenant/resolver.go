package tenant

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/metrics/cachestat"
)

// Lookup is the part of the store the resolver reads.
type Lookup interface {
	GetTenant(ctx context.Context, tenantID string) (*idp.Tenant, error)
	AdminTenant(ctx context.Context) (*idp.Tenant, error)
}

// Resolver maps requests to tenants. It is safe for concurrent use.
type Resolver struct {
	lookup      Lookup
	clock       idp.Clock
	proxies     httpx.Proxies
	scheme      string // of the public URL
	publicHost  string // host[:port] of the public URL, lower-case
	port        string // ":8080" or ""
	baseDomain  string
	pathIssuers bool
	stats       cachestat.Recorder
	cache       *tenantCache
}

// Options configure a Resolver.
type Options struct {
	PublicURL   string // scheme://host[:port]
	BaseDomain  string
	PathIssuers bool
	Proxies     httpx.Proxies
	Clock       idp.Clock
	// CacheTTL bounds how stale a cached tenant may be when a change
	// announcement is lost (default DefaultCacheTTL).
	CacheTTL time.Duration
	// CacheSize bounds the tenants cached (default DefaultCacheSize).
	CacheSize int
	// NegativeCacheTTL and NegativeCacheSize bound the cached answers
	// "no such tenant" (defaults DefaultNegativeCacheTTL and
	// DefaultNegativeCacheSize).
	NegativeCacheTTL  time.Duration
	NegativeCacheSize int
	// Cache counts the tenant cache's hits and misses (nil: not counted).
	Cache cachestat.Recorder
}

// NewResolver returns a resolver over lookup.
func NewResolver(lookup Lookup, o Options) (*Resolver, error) {
	u, err := url.Parse(o.PublicURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("tenant: bad public URL %q", o.PublicURL)
	}
	port := ""
	if p := u.Port(); p != "" {
		port = ":" + p
	}
	if o.Clock == nil {
		o.Clock = idp.SystemClock{}
	}
	if o.CacheTTL <= 0 {
		o.CacheTTL = DefaultCacheTTL
	}
	if o.CacheSize <= 0 {
		o.CacheSize = DefaultCacheSize
	}
	if o.NegativeCacheTTL <= 0 {
		o.NegativeCacheTTL = DefaultNegativeCacheTTL
	}
	if o.NegativeCacheSize <= 0 {
		o.NegativeCacheSize = DefaultNegativeCacheSize
	}
	return &Resolver{
		lookup: lookup, clock: o.Clock, proxies: o.Proxies,
		scheme: u.Scheme, publicHost: strings.ToLower(u.Host), port: port,
		baseDomain: strings.ToLower(o.BaseDomain), pathIssuers: o.PathIssuers,
		stats: cachestat.Or(o.Cache),
		cache: newTenantCache(o.CacheTTL, o.NegativeCacheTTL, o.CacheSize, o.NegativeCacheSize),
	}, nil
}

// ErrUnknownHost means the request's host or path names no tenant.
var ErrUnknownHost = errors.New("tenant: unknown host")

// HostIssuer is the issuer of tenant id on its own subdomain.
func (r *Resolver) HostIssuer(id string) string {
	return r.scheme + "://" + id + "." + r.baseDomain + r.port
}

// PathIssuer is the issuer of tenant id under the public URL.
func (r *Resolver) PathIssuer(id string) string {
	return r.scheme + "://" + r.publicHost + "/t/" + id
}

// AdminIssuer is the control plane's issuer: the public URL.
func (r *Resolver) AdminIssuer() string { return r.scheme + "://" + r.publicHost }

// PreferredIssuer is the issuer to print for a tenant: the path issuer when
// path issuers are on (it works with every client in development), else
// the host issuer. The admin tenant's is the public URL.
func (r *Resolver) PreferredIssuer(t *idp.Tenant) string {
	if t.Admin {
		return r.AdminIssuer()
	}
	if r.pathIssuers {
		return r.PathIssuer(t.ID)
	}
	return r.HostIssuer(t.ID)
}

// Resolve finds the tenant for req. It returns the info and the request
// path with any "/t/{id}" prefix removed.
func (r *Resolver) Resolve(req *http.Request) (*Info, string, error) {
	host := r.proxies.Host(req)
	secure := r.scheme == "https"
	path := req.URL.Path
	switch {
	case host == r.publicHost:
		if r.pathIssuers && strings.HasPrefix(path, "/t/") {
			rest := path[len("/t/"):]
			id, tail, _ := strings.Cut(rest, "/")
			e, err := r.entry(req.Context(), id)
			if err != nil {
				return nil, "", err
			}
			if e.t.Admin {
				return nil, "", ErrUnknownHost
			}
			return e.infos.path, issuerPath(rest, id, tail), nil
		}
		t, err := r.admin(req.Context())
		if err != nil {
			return nil, "", err
		}
		return &Info{Tenant: t, Issuer: r.AdminIssuer(), Secure: secure}, path, nil
	case host == "login."+r.baseDomain+r.port:
		t, err := r.admin(req.Context())
		if err != nil {
			return nil, "", err
		}
		return &Info{Tenant: t, Issuer: r.scheme + "://" + host, Secure: secure}, path, nil
	case strings.HasSuffix(host, "."+r.baseDomain+r.port):
		id := strings.TrimSuffix(host, "."+r.baseDomain+r.port)
		if strings.Contains(id, ".") {
			return nil, "", ErrUnknownHost
		}
		e, err := r.entry(req.Context(), id)
		if err != nil {
			return nil, "", err
		}
		if e.t.Admin {
			return nil, "", ErrUnknownHost
		}
		return e.infos.host, path, nil
	}
	return nil, "", ErrUnknownHost
}

// Middleware resolves the tenant, strips a path-issuer prefix and calls
// next; an unknown host or tenant answers 404.
func (r *Resolver) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		info, path, err := r.Resolve(req)
		if err != nil {
			if errors.Is(err, ErrUnknownHost) || errors.Is(err, idp.ErrNotFound) {
				httpx.WriteError(w, req, &httpx.PageError{Status: http.StatusNotFound, Title: "Not found", Message: "There is no tenant at this address."})
				return
			}
			httpx.WriteError(w, req, err)
			return
		}
		// The info goes into Front's context when the request came
		// through it (httpx.Stash), else into a new context and a copy
		// of the request.
		owned := httpx.Owned(req)
		if !stash(req.Context(), info) {
			req, owned = req.WithContext(NewContext(req.Context(), info)), true
		}
		if info.BasePath != "" {
			if !owned {
				req = req.WithContext(req.Context())
			}
			u := *req.URL
			u.Path = path
			u.RawPath = ""
			req.URL = &u
		}
		next.ServeHTTP(w, req)
	})
}

// Invalidate drops what ch names from the cache (the change bus's
// contract, idp.Change): a ChangeTenant drops that tenant, or every
// tenant when ch names no tenant. The admin tenant is cached under its own
// key too, and goes with any tenant change of the admin tenant. Other
// kinds do not touch the tenant record.
func (r *Resolver) Invalidate(ch idp.Change) {
	if ch.Kind != "" && ch.Kind != idp.ChangeTenant {
		return
	}
	if ch.TenantID == "" {
		r.cache.clear()
		return
	}
	r.cache.drop(ch.TenantID, adminKey, func(a cacheEntry) bool { return a.t == nil || a.t.ID == ch.TenantID })
}

const adminKey = "\x00admin"

func (r *Resolver) admin(ctx context.Context) (*idp.Tenant, error) {
	return r.cachedGet(adminKey, func() (*idp.Tenant, error) { return r.lookup.AdminTenant(ctx) })
}

func (r *Resolver) get(ctx context.Context, id string) (*idp.Tenant, error) {
	e, err := r.entry(ctx, id)
	return e.t, err
}

// entry is get with the tenant's shared request infos (issuerInfos).
func (r *Resolver) entry(ctx context.Context, id string) (cacheEntry, error) {
	if ValidID(id) != nil && !r.isExistingReserved(id) {
		return cacheEntry{}, ErrUnknownHost
	}
	return r.cachedEntry(id, func() (*idp.Tenant, error) { return r.lookup.GetTenant(ctx, id) }, r.infos)
}

// infos builds the Infos of tenant t at its path and host issuers. They
// are shared by every request of the tenant until it is loaded again, so
// nothing may change an Info it was handed.
func (r *Resolver) infos(t *idp.Tenant) *issuerInfos {
	secure := r.scheme == "https"
	return &issuerInfos{
		path: &Info{Tenant: t, Issuer: r.PathIssuer(t.ID), BasePath: "/t/" + t.ID, Secure: secure},
		host: &Info{Tenant: t, Issuer: r.HostIssuer(t.ID), Secure: secure},
	}
}

// isExistingReserved lets a syntactically valid but reserved id through
// the lookup (it will simply not be found); ids with bad syntax never reach
// the database.
func (r *Resolver) isExistingReserved(id string) bool { return reserved[id] }

func (r *Resolver) cachedGet(key string, load func() (*idp.Tenant, error)) (*idp.Tenant, error) {
	e, err := r.cachedEntry(key, load, nil)
	return e.t, err
}

// cachedEntry returns the cache's entry for key, loading it on a miss;
// infos, when not nil, builds the entry's request infos once per load.
func (r *Resolver) cachedEntry(key string, load func() (*idp.Tenant, error), infos func(*idp.Tenant) *issuerInfos) (cacheEntry, error) {
	now := r.clock.Now()
	c, ok, gen := r.cache.get(key, now)
	if ok {
		r.stats.Hit()
		return c, c.err
	}
	r.stats.Miss()
	t, err := load()
	if err != nil && !errors.Is(err, idp.ErrNotFound) {
		return cacheEntry{}, err // do not cache database failures
	}
	var in *issuerInfos
	if err == nil && infos != nil {
		in = infos(t)
	}
	r.cache.put(key, t, in, err, now, gen)
	return cacheEntry{key: key, t: t, err: err, infos: in}, err
}
