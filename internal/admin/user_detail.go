package admin

import (
	"fmt"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

type userData struct {
	U        *idp.User
	Sessions []idp.Session
	Apps     []manage.ConnectedApp
}

// userShow shows one user with their live sessions and connected apps.
func (h *Handler) userShow(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	uid := c.r.PathValue("user")
	u, err := h.o.Manage.GetUser(c.ctx, c.tenant.ID, uid)
	if err != nil {
		return err
	}
	d := userData{U: u}
	if d.Sessions, err = h.o.Manage.ListUserSessions(c.ctx, c.tenant.ID, uid); err != nil {
		return err
	}
	if d.Apps, err = h.o.Manage.ListConnectedApps(c.ctx, c.tenant.ID, uid); err != nil {
		return err
	}
	return h.show(c, "user", u.Email, "users", d)
}

// userEndSessions signs the user out of every browser.
func (h *Handler) userEndSessions(c *call) (string, error) {
	tid, uid := c.r.PathValue("tenant"), c.r.PathValue("user")
	c.back = "/admin/tenants/" + tid + "/users/" + uid
	n, err := h.o.Manage.RevokeUserSessions(c.ctx, tid, uid)
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: fmt.Sprintf("%d sessions ended.", n)})
	return c.back, nil
}

// userRevokeApp withdraws consent and revokes the user's grants with one
// client.
func (h *Handler) userRevokeApp(c *call) (string, error) {
	tid, uid := c.r.PathValue("tenant"), c.r.PathValue("user")
	c.back = "/admin/tenants/" + tid + "/users/" + uid
	if err := h.o.Manage.RevokeConnectedApp(c.ctx, tid, uid, c.r.PathValue("client")); err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: "Access revoked: the app's tokens for this user no longer work."})
	return c.back, nil
}
