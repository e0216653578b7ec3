package oauth

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// maxResources bounds the resource indicators of one token request.
const maxResources = 10

// requestedResources returns the resource servers a token request names,
// or nil when it names none. Resources come from RFC 8707 `resource`
// (repeatable) or from `audience` (one value, the hosted service's
// convention); sending both is ambiguous and refused. Each value must be
// an absolute URI without a fragment (RFC 8707 §2) that identifies a
// derived resource server of the issuer or one of the tenant's stored
// resource servers and, when the grant was limited to
// resources at authorization (granted), one of those (RFC 8707 §2.2: a
// token request may narrow the audience, never widen it). Anything else
// is invalid_target.
func (p *Provider) requestedResources(ctx context.Context, info *tenant.Info, form url.Values, granted []string) ([]*idp.ResourceServer, error) {
	values := form["resource"]
	if form.Has("audience") {
		if len(values) > 0 {
			return nil, oauthError(oauthInvalidRequest, "Send either resource or audience, not both.")
		}
		values = form["audience"]
	}
	if len(values) == 0 {
		return nil, nil
	}
	if len(values) > maxResources {
		return nil, oauthError(oauthInvalidTarget, "Too many resources requested.")
	}
	var out []*idp.ResourceServer
	for _, v := range values {
		if !validResourceIndicator(v) {
			return nil, oauthError(oauthInvalidTarget, "A resource must be an absolute URI without a fragment.")
		}
		if len(granted) > 0 && !slices.Contains(granted, v) {
			return nil, oauthError(oauthInvalidTarget, "The resource was not part of the authorization.")
		}
		if slices.ContainsFunc(out, func(rs *idp.ResourceServer) bool { return rs.Identifier == v }) {
			continue
		}
		rs, err := p.lookupResource(ctx, info, v)
		if errors.Is(err, idp.ErrNotFound) {
			return nil, oauthError(oauthInvalidTarget, "The resource is not known to this authorization server.")
		}
		if err != nil {
			return nil, internalFailure(ctx, "token: resource server", err)
		}
		out = append(out, rs)
	}
	return out, nil
}

// validResourceIndicator reports whether v is an absolute URI without a
// fragment (RFC 8707 §2).
func validResourceIndicator(v string) bool {
	u, err := url.Parse(v)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "") && !strings.Contains(v, "#") && len(v) <= 2048
}

// identifiers returns the audience values of rs.
func identifiers(rs []*idp.ResourceServer) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Identifier
	}
	return out
}

// tokenAudience picks an access token's `aud` (PRODUCT §3): the requested
// resources, else the audience granted at authorization, else the
// client's default resource server, else the client id.
func tokenAudience(requested []*idp.ResourceServer, granted []string, c *idp.Client) idp.Audience {
	switch {
	case len(requested) > 0:
		return identifiers(requested)
	case len(granted) > 0:
		return slices.Clone(granted)
	case c.DefaultResourceServer != "":
		return idp.Audience{c.DefaultResourceServer}
	}
	return idp.Audience{c.ID}
}
