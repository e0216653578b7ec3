package oauth

import (
	"fmt"
	"net/http"
	"strconv"

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
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(p.jwksAge))
	h.Set("X-Content-Type-Options", "nosniff")
	_, err = w.Write(set)
	return err
}
