package api

import (
	"errors"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) listResourceServers(r *http.Request, c *call) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	rs, total, err := h.manage.ListResourceServers(c.ctx, c.tenant, p)
	if err != nil {
		return nil, err
	}
	out := make([]view.ResourceServer, len(rs))
	for i := range rs {
		out[i] = view.NewResourceServer(&rs[i])
	}
	return list("resource_servers", out, total, p), nil
}

func (h *Handler) createResourceServer(r *http.Request, c *call) (any, error) {
	var in resourceServerCreate
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	rs, err := h.manage.CreateResourceServer(c.ctx, c.tenant, manage.ResourceServerInput{
		Identifier: in.Identifier, Name: in.Name, ScopePrefix: in.ScopePrefix, Scopes: view.ScopesIn(in.Scopes),
	})
	if err != nil {
		return nil, err
	}
	return view.NewResourceServer(rs), nil
}

func (h *Handler) getResourceServer(r *http.Request, c *call) (any, error) {
	rs, err := h.manage.GetResourceServer(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewResourceServer(rs), nil
}

func (h *Handler) updateResourceServer(r *http.Request, c *call) (any, error) {
	var in resourceServerPatch
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	p := manage.ResourceServerPatch{Name: in.Name}
	if in.Scopes != nil {
		sc := view.ScopesIn(*in.Scopes)
		p.Scopes = &sc
	}
	rs, err := h.manage.UpdateResourceServer(c.ctx, c.tenant, r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return view.NewResourceServer(rs), nil
}

func (h *Handler) deleteResourceServer(r *http.Request, c *call) (any, error) {
	return nil, h.manage.DeleteResourceServer(c.ctx, c.tenant, r.PathValue("id"))
}

func (h *Handler) addScope(r *http.Request, c *call) (any, error) {
	var in view.Scope
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	rs, err := h.manage.AddResourceServerScope(c.ctx, c.tenant, r.PathValue("id"), idp.ResourceScope(in))
	if err != nil {
		return nil, err
	}
	return view.NewResourceServer(rs), nil
}

func (h *Handler) listKeys(r *http.Request, c *call) (any, error) {
	ks, err := h.manage.ListSigningKeys(c.ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	out := make([]signingKeyView, len(ks))
	for i := range ks {
		out[i] = *viewKey(&ks[i])
	}
	return list("signing_keys", out, len(out), idp.Page{Limit: len(out)}), nil
}

func (h *Handler) rotateKey(r *http.Request, c *call) (any, error) {
	var in rotateRequest
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	res, err := h.manage.RotateSigningKey(c.ctx, c.tenant, in.Immediate)
	if errors.Is(err, keys.ErrRotationPending) {
		return nil, &httpx.APIError{Status: http.StatusConflict, Code: "rotation_pending",
			Description: "A staged key is not yet published long enough to sign; try again later or rotate with immediate."}
	}
	if err != nil {
		return nil, err
	}
	return viewRotate(res), nil
}
