package login

import (
	"net/http"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// standardScopes explains the OpenID Connect scopes (OIDC Core §5.4,
// §11) in plain words.
var standardScopes = map[string]string{
	"openid":         "Know who you are when you sign in",
	"profile":        "See your name and profile picture",
	"email":          "See your email address",
	"offline_access": "Stay signed in and act for you when you are not using it",
}

// describeScopes turns the requested scopes into consent choices with
// sentences: standard ones from the table above, API scopes from their
// resource server's description, anything else by name.
func (h *Handler) describeScopes(r *http.Request, info *tenant.Info, ar *idp.AuthRequest, client *idp.Client) []consentScope {
	described := map[string]string{}
	idents := append([]string{}, ar.Resource...)
	if client.DefaultResourceServer != "" {
		idents = append(idents, client.DefaultResourceServer)
	}
	for i, ident := range idents {
		if i >= 10 {
			break
		}
		rs, err := h.store.GetResourceServerByIdentifier(r.Context(), info.Tenant.ID, ident)
		if err != nil {
			continue
		}
		for _, sc := range rs.Scopes {
			if sc.Description != "" {
				described[sc.Value] = sc.Description + " (" + rs.Name + ")"
			}
		}
	}
	out := make([]consentScope, 0, len(ar.Scope))
	seen := map[string]bool{}
	for _, sc := range ar.Scope {
		if seen[sc] {
			continue
		}
		seen[sc] = true
		c := consentScope{Value: sc, Required: requiredScope(sc)}
		switch {
		case standardScopes[sc] != "":
			c.Description = standardScopes[sc]
		case described[sc] != "":
			c.Description = described[sc]
		default:
			c.Description = "Use the permission “" + sc + "”"
		}
		out = append(out, c)
	}
	return out
}
