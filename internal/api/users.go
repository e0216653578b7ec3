package api

import (
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) listUsers(r *http.Request, c *call) (any, error) {
	p, err := page(r)
	if err != nil {
		return nil, err
	}
	us, total, err := h.manage.ListUsers(c.ctx, c.tenant, idp.UserQuery{Search: r.URL.Query().Get("search"), Page: p})
	if err != nil {
		return nil, err
	}
	out := make([]view.User, len(us))
	for i := range us {
		out[i] = view.NewUser(&us[i])
	}
	return list("users", out, total, p), nil
}

func (h *Handler) createUser(r *http.Request, c *call) (any, error) {
	var in userCreate
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	u, err := h.manage.CreateUser(c.ctx, c.tenant, manage.UserInput{
		Email: in.Email, Name: in.Name, Picture: in.Picture, EmailVerified: in.EmailVerified, Status: idp.UserStatus(in.Status),
	})
	if err != nil {
		return nil, err
	}
	return view.NewUser(u), nil
}

func (h *Handler) getUser(r *http.Request, c *call) (any, error) {
	u, err := h.manage.GetUser(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewUser(u), nil
}

func (h *Handler) updateUser(r *http.Request, c *call) (any, error) {
	var in userPatch
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	p := manage.UserPatch{Email: in.Email, Name: in.Name, Picture: in.Picture, EmailVerified: in.EmailVerified}
	if in.Status != nil {
		st := idp.UserStatus(*in.Status)
		p.Status = &st
	}
	u, err := h.manage.UpdateUser(c.ctx, c.tenant, r.PathValue("id"), p)
	if err != nil {
		return nil, err
	}
	return view.NewUser(u), nil
}

func (h *Handler) deleteUser(r *http.Request, c *call) (any, error) {
	return nil, h.manage.DeleteUser(c.ctx, c.tenant, r.PathValue("id"))
}

func (h *Handler) suspendUser(r *http.Request, c *call) (any, error) {
	u, err := h.manage.SuspendUser(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return view.NewUser(u), nil
}

func (h *Handler) listSessions(r *http.Request, c *call) (any, error) {
	ss, err := h.manage.ListUserSessions(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := make([]sessionView, len(ss))
	for i, s := range ss {
		out[i] = sessionView{AuthTime: s.AuthTime, AMR: view.NonNil(s.AMR), CreatedAt: s.CreatedAt, LastSeen: s.LastSeen, ExpiresAt: s.ExpiresAt}
	}
	return list("sessions", out, len(out), idp.Page{Limit: len(out)}), nil
}

func (h *Handler) revokeSessions(r *http.Request, c *call) (any, error) {
	n, err := h.manage.RevokeUserSessions(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return revokedView{Revoked: n}, nil
}

func (h *Handler) listConnectedApps(r *http.Request, c *call) (any, error) {
	apps, err := h.manage.ListConnectedApps(c.ctx, c.tenant, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	out := make([]connectedAppView, len(apps))
	for i, a := range apps {
		out[i] = connectedAppView{ClientID: a.ClientID, ClientName: a.ClientName, Scopes: view.NonNil(a.Scopes),
			ConsentedAt: a.ConsentedAt, Grants: a.Grants, LastUsedAt: a.LastUsedAt}
	}
	return list("connected_apps", out, len(out), idp.Page{Limit: len(out)}), nil
}

func (h *Handler) revokeConnectedApp(r *http.Request, c *call) (any, error) {
	return nil, h.manage.RevokeConnectedApp(c.ctx, c.tenant, r.PathValue("id"), r.PathValue("client_id"))
}

func splitScope(s string) []string { return strings.Fields(s) }
