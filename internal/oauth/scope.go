package oauth

import (
	"slices"
	"strings"

	"github.com/authalla/authalla/internal/idp"
)

// OIDC scopes (OIDC Core §5.4, §11).
const (
	scopeOpenID        = "openid"
	scopeProfile       = "profile"
	scopeEmail         = "email"
	scopeOfflineAccess = "offline_access"
)

// defaultClientScopes are what a client with no configured scopes may ask
// for (PRODUCT §3).
var defaultClientScopes = []string{scopeOpenID, scopeProfile, scopeEmail, scopeOfflineAccess}

// parseScope splits a scope parameter into its tokens (RFC 6749 §3.3:
// space-delimited, each token %x21 / %x23-5B / %x5D-7E), dropping
// duplicates and keeping the first-seen order. Runs of spaces are
// tolerated; any other character makes ok false.
func parseScope(s string) (scopes []string, ok bool) {
	for _, tok := range strings.Split(s, " ") {
		if tok == "" {
			continue
		}
		for i := 0; i < len(tok); i++ {
			if c := tok[i]; c < 0x21 || c > 0x7e || c == '"' || c == '\\' {
				return nil, false
			}
		}
		if !slices.Contains(scopes, tok) {
			scopes = append(scopes, tok)
		}
	}
	return scopes, true
}

// allowedScopes keeps the requested scopes the client may have and drops
// the rest silently (RFC 6749 §3.3 lets the server narrow the scope;
// PRODUCT §3). openid is always kept. A client with configured scopes may
// have exactly those; otherwise the OIDC defaults. Scopes of the resource
// servers the request is for (rs) are allowed too, unless the client's
// configured list leaves them out.
func allowedScopes(client *idp.Client, requested []string, rs []*idp.ResourceServer) []string {
	var out []string
	for _, s := range requested {
		ok := false
		switch {
		case s == scopeOpenID:
			ok = true
		case len(client.Scopes) > 0:
			ok = slices.Contains(client.Scopes, s)
		default:
			ok = slices.Contains(defaultClientScopes, s) || resourceScope(rs, s) != nil
		}
		if ok {
			out = append(out, s)
		}
	}
	return out
}

// resourceScope returns the definition of scope s on one of rs, or nil.
func resourceScope(rs []*idp.ResourceServer, s string) *idp.ResourceScope {
	for _, r := range rs {
		for i := range r.Scopes {
			if r.Scopes[i].Value == s {
				return &r.Scopes[i]
			}
		}
	}
	return nil
}

// userScopes drops the resource-server scopes the user does not hold: a
// scope granted to all users passes, any other needs the user's own grant
// (PRODUCT §3). Scopes that belong to no resource server pass unchanged.
func userScopes(user *idp.User, scopes []string, rs []*idp.ResourceServer) []string {
	var out []string
	for _, s := range scopes {
		if def := resourceScope(rs, s); def != nil && !def.GrantedToAll && !slices.Contains(user.Scopes, s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// coversScopes reports whether granted holds every scope of want.
func coversScopes(granted, want []string) bool {
	for _, s := range want {
		if !slices.Contains(granted, s) {
			return false
		}
	}
	return true
}
