package admin

import (
	"fmt"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// clientTypes are the client types offered, as shown.
var clientTypes = []struct{ Value, Label string }{
	{string(idp.ClientSPA), "Single-page app (public, PKCE)"},
	{string(idp.ClientWeb), "Web app with a server (confidential)"},
	{string(idp.ClientNative), "Native or desktop app (public, PKCE)"},
	{string(idp.ClientBackend), "Backend service (client credentials)"},
}

type clientListData struct {
	Clients []idp.Client
	Total   int
	Types   []struct{ Value, Label string }
}

// clientList lists a tenant's clients with the create form.
func (h *Handler) clientList(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	cs, total, err := h.o.Manage.ListClients(c.ctx, c.tenant.ID, idp.Page{Limit: 200})
	if err != nil {
		return err
	}
	return h.show(c, "clients", "Clients", "clients", clientListData{Clients: cs, Total: total, Types: clientTypes})
}

// clientCreate registers a client; a confidential client's secret is
// carried to the client's page in the sealed flash, shown there once.
func (h *Handler) clientCreate(c *call) (string, error) {
	tid := c.r.PathValue("tenant")
	f := c.r.PostForm
	res, err := h.o.Manage.CreateClient(c.ctx, tid, manage.ClientInput{
		Name: f.Get("name"), Type: idp.ClientType(f.Get("type")),
		RedirectURIs: lines(f.Get("redirect_uris")), PostLogoutRedirectURIs: lines(f.Get("post_logout_redirect_uris")),
	})
	if err != nil {
		return "", err
	}
	next := "/admin/tenants/" + tid + "/clients/" + res.Client.ID
	fl := &flash{Notice: fmt.Sprintf("Client %s created.", res.Client.Name)}
	if res.Secret != nil {
		fl.Secret = res.Secret.Value
	}
	h.setFlash(c, next, fl)
	return next, nil
}

type clientData struct {
	C         *idp.Client
	Secrets   []idp.ClientSecret
	Issuer    string
	Discovery string
	Prompt    string
}

// Public reports a public client (no secret).
func (d clientData) Public() bool { return d.C.Public() }

// Redirects is the redirect URI list, one per line.
func (d clientData) Redirects() string { return strings.Join(d.C.RedirectURIs, "\n") }

// LogoutRedirects is the post-logout redirect URI list, one per line.
func (d clientData) LogoutRedirects() string { return strings.Join(d.C.PostLogoutRedirectURIs, "\n") }

// clientShow shows a client: settings, URIs and the Integration tab.
func (h *Handler) clientShow(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	cl, err := h.o.Manage.GetClient(c.ctx, c.tenant.ID, c.r.PathValue("client"))
	if err != nil {
		return err
	}
	d := clientData{C: cl, Issuer: c.tenant.Issuer}
	if !cl.Public() {
		if d.Secrets, err = h.o.Manage.ListClientSecrets(c.ctx, c.tenant.ID, cl.ID); err != nil {
			return err
		}
	}
	if d.Issuer != "" {
		d.Discovery = d.Issuer + "/.well-known/openid-configuration"
	}
	d.Prompt = integrationPrompt(cl, d.Issuer, d.Discovery)
	return h.show(c, "client", cl.Name, "clients", d)
}

// clientUpdate saves a client's name and URIs.
func (h *Handler) clientUpdate(c *call) (string, error) {
	f := c.r.PostForm
	name := f.Get("name")
	redirects := lines(f.Get("redirect_uris"))
	logouts := lines(f.Get("post_logout_redirect_uris"))
	p := manage.ClientPatch{Name: &name, RedirectURIs: &redirects, PostLogoutRedirectURIs: &logouts}
	if _, err := h.o.Manage.UpdateClient(c.ctx, c.r.PathValue("tenant"), c.r.PathValue("client"), p); err != nil {
		return "", err
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: "Client saved."})
	return c.r.URL.Path, nil
}

// integrationPrompt is a ready-to-paste request for an AI coding
// assistant to add sign-in with this client. It holds no secret.
func integrationPrompt(cl *idp.Client, issuer, discovery string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Add sign-in to this application with OpenID Connect, using the identity provider Authalla.\n\n")
	fmt.Fprintf(&b, "- Issuer: %s\n- Discovery document: %s\n- Client ID: %s\n- Client type: %s\n", issuer, discovery, cl.ID, cl.Type)
	if len(cl.RedirectURIs) > 0 {
		fmt.Fprintf(&b, "- Registered redirect URIs: %s\n", strings.Join(cl.RedirectURIs, ", "))
	}
	switch cl.Type {
	case idp.ClientSPA, idp.ClientNative:
		b.WriteString("\nIt is a public client: use the authorization code flow with PKCE (S256), no client secret. ")
	case idp.ClientWeb:
		b.WriteString("\nIt is a confidential client: use the authorization code flow with PKCE (S256) and authenticate at the token endpoint with the client secret, read from an environment variable (never commit it). ")
	case idp.ClientBackend:
		b.WriteString("\nIt is a machine client: use the client credentials grant with the client secret from an environment variable (never commit it). ")
	}
	b.WriteString("Read every endpoint from the discovery document, use a maintained OpenID Connect library, check state, nonce and the iss parameter on the callback, and validate tokens against the JWKS.")
	return b.String()
}

// clientAddSecret adds a secret to a confidential client (to rotate: add,
// deploy, then delete the old one); it is shown once on the client page.
func (h *Handler) clientAddSecret(c *call) (string, error) {
	tid, cid := c.r.PathValue("tenant"), c.r.PathValue("client")
	c.back = "/admin/tenants/" + tid + "/clients/" + cid
	sec, err := h.o.Manage.AddClientSecret(c.ctx, tid, cid)
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: "A new secret was added; the existing ones keep working until you delete them.", Secret: sec.Value})
	return c.back, nil
}
