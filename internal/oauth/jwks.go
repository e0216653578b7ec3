package oauth

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/authalla/authalla/internal/tenant"
)

// jwks serves GET /.well-known/jwks.json: the tenant's published public
// keys (RFC 7517 §5), cacheable for the configured max-age. Staged
// rotation publishes a key at least that long before it signs, so a
// client caching the set never misses a kid.
func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	set, err := p.keys.JWKS(r.Context(), info.Tenant.ID)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = jwksCacheControl(p.jwksAge)
	h["X-Content-Type-Options"] = hdrNosniff
	_, err = w.Write(set)
	return err
}

// jwksCache is the JWKS's Cache-Control value for one max-age, built once
// (a process has one max-age; a different one replaces it).
type jwksCache struct {
	maxAge int
	value  []string
}

var lastJWKSCache atomic.Pointer[jwksCache]

// jwksCacheControl returns the Cache-Control header value for maxAge
// seconds, without building it on every request.
func jwksCacheControl(maxAge int) []string {
	if c := lastJWKSCache.Load(); c != nil && c.maxAge == maxAge {
		return c.value
	}
	c := &jwksCache{maxAge: maxAge, value: []string{"public, max-age=" + strconv.Itoa(maxAge)}}
	lastJWKSCache.Store(c)
	return c.value
}
