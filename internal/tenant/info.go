package tenant

import (
	"context"
	"strings"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
)

// Info is the tenant a request addresses and the issuer URL it arrived on.
// The Resolver hands every request to the same issuer the same Info until
// the tenant is loaded again: an Info, and the Tenant it points to, are
// read-only.
type Info struct {
	Tenant *idp.Tenant
	// Issuer is the exact issuer of this host or path, e.g.
	// "https://acme.example.com" or "http://localhost:8080/t/acme".
	Issuer string
	// BasePath is "/t/{id}" for a path issuer and "" for a host issuer.
	BasePath string
	// Secure reports an https issuer (cookies get Secure and a prefix).
	Secure bool
}

// URL returns the absolute URL of path p under the issuer.
func (i *Info) URL(p string) string { return i.Issuer + p }

// Path returns p prefixed with the base path, for same-origin links.
func (i *Info) Path(p string) string { return i.BasePath + p }

// Origin returns scheme://host[:port] of the issuer.
func (i *Info) Origin() string {
	if i.BasePath == "" {
		return i.Issuer
	}
	return strings.TrimSuffix(i.Issuer, i.BasePath)
}

// CookieName returns the name for a cookie called base on this issuer. On
// a host issuer over HTTPS it is "__Host-"+base (Secure, Path=/, no Domain);
// on a path issuer the tenant id is appended so tenants sharing the host do
// not overwrite each other, with the "__Secure-" prefix over HTTPS.
func (i *Info) CookieName(base string) string {
	switch {
	case i.BasePath == "" && i.Secure:
		return "__Host-" + base
	case i.BasePath == "":
		return base
	case i.Secure:
		return "__Secure-" + base + "-" + i.Tenant.ID
	default:
		return base + "-" + i.Tenant.ID
	}
}

// CookiePath is the Path attribute for this issuer's cookies.
func (i *Info) CookiePath() string {
	if i.BasePath == "" {
		return "/"
	}
	return i.BasePath + "/"
}

type ctxKey struct{}

// NewContext returns ctx carrying info.
func NewContext(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, ctxKey{}, info)
}

// stash puts info into ctx in place when ctx is Front's (httpx.Stash),
// where FromContext finds it as it finds NewContext's.
func stash(ctx context.Context, info *Info) bool {
	return httpx.Stash(ctx, ctxKey{}, info)
}

// FromContext returns the tenant info of the request, if resolved.
func FromContext(ctx context.Context) (*Info, bool) {
	i, ok := ctx.Value(ctxKey{}).(*Info)
	return i, ok && i != nil
}

// MustFromContext returns the tenant info or panics: handlers mounted
// behind the resolver may rely on it.
func MustFromContext(ctx context.Context) *Info {
	i, ok := FromContext(ctx)
	if !ok {
		panic("tenant: no tenant in context (handler mounted outside the resolver)")
	}
	return i
}

// issuerPath is the issuer-relative path "/"+tail of a path-issuer request
// whose path after "/t/" is rest = id["/"tail]: the slice of rest after
// the id when there is one (no allocation on every request), "/" for the
// bare issuer.
func issuerPath(rest, id, tail string) string {
	if len(rest) > len(id) {
		return rest[len(id):]
	}
	return "/" + tail
}
