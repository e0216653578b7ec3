package api

import (
	"net/http"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) listClients(r *http.Request, c *call) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	cs, total, err := h.manage.ListClients(c.ctx, c.tenant, p)
	if err != nil {
		return nil, err
	}
	out := make([]view.Client, len(cs))
	for i := range cs {
		out[i] = view.NewClient(&cs[i])
	}
	return list("clients", out, total, p), nil
}

func (h *Handler) createClient(r *http.Request, c *call) (any, error) {
	var in clientCreate
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	res, err := h.manage.CreateClient(c.ctx, c.tenant, manage.ClientInput{
		ID: in.ClientID, Name: in.Name, Type: idp.ClientType(in.Type),
		RedirectURIs: in.RedirectURIs, PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, Scopes: in.Scopes,
		RequireConsent: in.RequireConsent, ThirdParty: in.ThirdParty,
		DefaultResourceServer: in.DefaultResourceServer, RefreshGraceSeconds: in.RefreshGraceSeconds,
	})
	if err != nil {
		return nil, err
	}
	out := clientCreated{Client: view.NewClient(res.Client)}
	if res.Secret != nil {
		out.ClientSecret, out.ClientSecretID = res.Secret.Value, res.Secret.ID
	}
	return out, nil
}

func (h *Handler) getClient(r *http.Request, c *call) (any, error) {
	cl, err := h.manage.GetClient(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewClient(cl), nil
}

func (h *Handler) updateClient(r *http.Request, c *call) (any, error) {
	var in clientPatch
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	cl, err := h.manage.UpdateClient(c.ctx, c.tenant, r.PathValue("id"), manage.ClientPatch{
		Name: in.Name, RedirectURIs: in.RedirectURIs, AddRedirectURIs: in.AddRedirectURIs, RemoveRedirectURIs: in.RemoveRedirectURIs,
		PostLogoutRedirectURIs: in.PostLogoutRedirectURIs, AddPostLogoutRedirectURIs: in.AddPostLogoutRedirectURIs,
		RemovePostLogoutRedirectURIs: in.RemovePostLogoutRedirectURIs, Scopes: in.Scopes,
		RequireConsent: in.RequireConsent, DefaultResourceServer: in.DefaultResourceServer, RefreshGraceSeconds: in.RefreshGraceSeconds,
	})
	if err != nil {
		return nil, err
	}
	return view.NewClient(cl), nil
}

func (h *Handler) deleteClient(r *http.Request, c *call) (any, error) {
	return nil, h.manage.DeleteClient(c.ctx, c.tenant, r.PathValue("id"))
}

func (h *Handler) listSecrets(r *http.Request, c *call) (any, error) {
	ss, err := h.manage.ListClientSecrets(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return list("secrets", view.NewSecrets(ss), len(ss), idp.Page{Limit: len(ss)}), nil
}

func (h *Handler) addSecret(r *http.Request, c *call) (any, error) {
	s, err := h.manage.AddClientSecret(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return newSecretView{ID: s.ID, ClientSecret: s.Value, Hint: s.Hint, CreatedAt: s.CreatedAt}, nil
}

func (h *Handler) deleteSecret(r *http.Request, c *call) (any, error) {
	return nil, h.manage.DeleteClientSecret(c.ctx, c.tenant, r.PathValue("id"), r.PathValue("secret_id"))
}
