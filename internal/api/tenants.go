package api

import (
	"net/http"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) listTenants(r *http.Request, c *call) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	ts, total, err := h.manage.ListTenants(c.ctx, p)
	if err != nil {
		return nil, err
	}
	out := make([]view.Tenant, len(ts))
	for i := range ts {
		out[i] = view.NewTenant(&ts[i])
	}
	return list("tenants", out, total, p), nil
}

func (h *Handler) createTenant(r *http.Request, c *call) (any, error) {
	var in tenantCreate
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	t, err := h.manage.CreateTenant(c.ctx, manage.TenantInput{
		ID: in.ID, AccountID: in.AccountID, Name: in.Name, AllowRegistration: in.AllowRegistration,
		AuthMethods: in.AuthMethods, AllowedOrigins: in.AllowedOrigins, SigningAlg: in.SigningAlg,
		AccessTokenTTL: in.AccessTokenTTL, IDTokenTTL: in.IDTokenTTL, RefreshTokenTTL: in.RefreshTokenTTL,
		RefreshAbsoluteTTL: in.RefreshAbsoluteTTL, SessionTTL: in.SessionTTL, SessionIdleTTL: in.SessionIdleTTL,
		EmailFromName: in.EmailFromName, EmailFromAddress: in.EmailFromAddress, DefaultLanguage: in.DefaultLanguage,
	})
	if err != nil {
		return nil, err
	}
	return view.NewTenant(t), nil
}

func (h *Handler) getTenant(r *http.Request, c *call) (any, error) {
	t, err := h.manage.GetTenant(c.ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewTenant(t), nil
}

func (h *Handler) updateTenant(r *http.Request, c *call) (any, error) {
	var in tenantPatch
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	t, err := h.manage.UpdateTenant(c.ctx, r.PathValue("id"), manage.TenantPatch{
		Name: in.Name, AllowRegistration: in.AllowRegistration, AuthMethods: in.AuthMethods,
		AllowedOrigins: in.AllowedOrigins, AddAllowedOrigins: in.AddAllowedOrigins, RemoveAllowedOrigins: in.RemoveAllowedOrigins,
		SigningAlg: in.SigningAlg, AccessTokenTTL: in.AccessTokenTTL, IDTokenTTL: in.IDTokenTTL,
		RefreshTokenTTL: in.RefreshTokenTTL, RefreshAbsoluteTTL: in.RefreshAbsoluteTTL,
		SessionTTL: in.SessionTTL, SessionIdleTTL: in.SessionIdleTTL,
		EmailFromName: in.EmailFromName, EmailFromAddress: in.EmailFromAddress, DefaultLanguage: in.DefaultLanguage,
	})
	if err != nil {
		return nil, err
	}
	return view.NewTenant(t), nil
}

func (h *Handler) deleteTenant(r *http.Request, c *call) (any, error) {
	return nil, h.manage.DeleteTenant(c.ctx, r.PathValue("id"))
}

func (h *Handler) suspendTenant(r *http.Request, c *call) (any, error) {
	t, err := h.manage.SuspendTenant(c.ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewTenant(t), nil
}

func (h *Handler) resumeTenant(r *http.Request, c *call) (any, error) {
	t, err := h.manage.ResumeTenant(c.ctx, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewTenant(t), nil
}
