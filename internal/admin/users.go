package admin

import (
	"fmt"
	"net/url"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

type userListData struct {
	Users  []idp.User
	Total  int
	Search string
}

// userList lists a tenant's users, filtered by ?q= (email or name).
func (h *Handler) userList(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	q := c.r.URL.Query().Get("q")
	us, total, err := h.o.Manage.ListUsers(c.ctx, c.tenant.ID, idp.UserQuery{Search: q, Page: idp.Page{Limit: 100}})
	if err != nil {
		return err
	}
	return h.show(c, "users", "Users", "users", userListData{Users: us, Total: total, Search: q})
}

// userCreate adds a user.
func (h *Handler) userCreate(c *call) (string, error) {
	f := c.r.PostForm
	u, err := h.o.Manage.CreateUser(c.ctx, c.r.PathValue("tenant"), manage.UserInput{
		Email: f.Get("email"), Name: f.Get("name"), EmailVerified: f.Get("email_verified") == "on",
	})
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: fmt.Sprintf("User %s created.", u.Email)})
	return c.r.URL.Path + "?" + url.Values{"q": {u.Email}}.Encode(), nil
}

// userSuspend suspends a user: their sessions and tokens end.
func (h *Handler) userSuspend(c *call) (string, error) {
	tid := c.r.PathValue("tenant")
	c.back = "/admin/tenants/" + tid + "/users"
	u, err := h.o.Manage.SuspendUser(c.ctx, tid, c.r.PathValue("user"))
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: fmt.Sprintf("User %s suspended; their sessions and tokens were ended.", u.Email)})
	return c.back, nil
}
