package admin

import (
	"fmt"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

type membersData struct {
	AccountID   string
	AccountName string
	Members     []manage.Member
	Owner       bool // the viewer may change members
	Roles       []idp.AccountRole
}

// membersShow lists an account's administrators; owners get the forms.
func (h *Handler) membersShow(c *call) error {
	aid := c.r.PathValue("account")
	ms, err := h.o.Manage.AccountMembers(c.ctx, aid)
	if err != nil {
		return err
	}
	d := membersData{AccountID: aid, AccountName: aid, Members: ms, Roles: []idp.AccountRole{idp.RoleViewer, idp.RoleAdmin, idp.RoleOwner}}
	if me, err := h.o.Manage.Me(c.ctx); err == nil {
		for _, m := range me.Memberships {
			if m.AccountID == aid {
				if m.AccountName != "" {
					d.AccountName = m.AccountName
				}
				d.Owner = d.Owner || m.Role == idp.RoleOwner
			}
		}
	}
	return h.show(c, "members", "Administrators", "members", d)
}

// memberAdd adds an administrator by email (or changes their role).
func (h *Handler) memberAdd(c *call) (string, error) {
	f := c.r.PostForm
	m, err := h.o.Manage.AddAccountMember(c.ctx, c.r.PathValue("account"), f.Get("email"), idp.AccountRole(strings.TrimSpace(f.Get("role"))))
	if err != nil {
		return "", err
	}
	h.setFlash(c, c.r.URL.Path, &flash{Notice: fmt.Sprintf("%s is now %s of this account. They sign in at this Admin UI with a code sent to that address.", m.User.Email, m.Role)})
	return c.r.URL.Path, nil
}

// memberRemove removes an administrator from the account.
func (h *Handler) memberRemove(c *call) (string, error) {
	aid := c.r.PathValue("account")
	c.back = "/admin/accounts/" + aid + "/members"
	if err := h.o.Manage.RemoveAccountMember(c.ctx, aid, c.r.PathValue("user")); err != nil {
		return "", err
	}
	h.setFlash(c, c.back, &flash{Notice: "Administrator removed from this account."})
	return c.back, nil
}
