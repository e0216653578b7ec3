package api

import (
	"net/http"

	"github.com/authalla/authalla/internal/view"
)

// me answers GET /api/v1/me: who the token belongs to and its scopes.
func (h *Handler) me(r *http.Request, c *call) (any, error) {
	m, err := h.manage.Me(c.ctx)
	if err != nil {
		return nil, err
	}
	v := meView{Type: m.Type, Scopes: view.NonNil(splitScope(c.claims.Scope))}
	if m.User != nil {
		v.User = &meUser{ID: m.User.ID, Email: m.User.Email, Name: m.User.Name}
		v.Memberships = []membershipView{}
		for _, mm := range m.Memberships {
			v.Memberships = append(v.Memberships, membershipView{AccountID: mm.AccountID, AccountName: mm.AccountName, Role: string(mm.Role)})
		}
	}
	if m.Client != nil {
		v.Client = &meClient{ClientID: m.Client.ID, Name: m.Client.Name}
	}
	if m.Tenant != nil {
		t := view.NewTenant(m.Tenant)
		v.Tenant = &t
	}
	return v, nil
}
