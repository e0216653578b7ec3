package admin

import (
	"github.com/authalla/authalla/internal/idp"
)

type keyListData struct {
	Keys []idp.SigningKey
}

// keyList lists a tenant's signing keys.
func (h *Handler) keyList(c *call) error {
	if err := h.loadTenant(c); err != nil {
		return err
	}
	ks, err := h.o.Manage.ListSigningKeys(c.ctx, c.tenant.ID)
	if err != nil {
		return err
	}
	return h.show(c, "keys", "Signing keys", "keys", keyListData{Keys: ks})
}

// keyRotate stages a new key (published now, used for signing after the
// staging period), or with "immediate" activates it at once.
func (h *Handler) keyRotate(c *call) (string, error) {
	tid := c.r.PathValue("tenant")
	c.back = "/admin/tenants/" + tid + "/keys"
	immediate := c.r.PostForm.Get("immediate") == "on"
	if _, err := h.o.Manage.RotateSigningKey(c.ctx, tid, immediate); err != nil {
		return "", err
	}
	msg := "A new key is staged: it is published now and signs after the staging period."
	if immediate {
		msg = "A new key is active now; the previous key stays published until its tokens expire."
	}
	h.setFlash(c, c.back, &flash{Notice: msg})
	return c.back, nil
}
