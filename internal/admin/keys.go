package admin

import (
	"errors"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
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

// keyActivate makes a staged key active now; "force" skips the wait for
// relying parties' cached JWKS to pick the key up.
func (h *Handler) keyActivate(c *call) (string, error) {
	tid, kid := c.r.PathValue("tenant"), c.r.PathValue("kid")
	c.back = "/admin/tenants/" + tid + "/keys"
	force := c.r.PostForm.Get("force") == "on"
	if _, err := h.o.Manage.ActivateSigningKey(c.ctx, tid, kid, force); err != nil {
		return h.keyRefused(c, err)
	}
	h.setFlash(c, c.back, &flash{Notice: "Key " + kid + " is active now; the previous key stays published until its tokens expire."})
	return c.back, nil
}

// keyRetire removes a staged key; retired keys are left as they are and
// the active key is refused.
func (h *Handler) keyRetire(c *call) (string, error) {
	tid, kid := c.r.PathValue("tenant"), c.r.PathValue("kid")
	c.back = "/admin/tenants/" + tid + "/keys"
	res, err := h.o.Manage.RetireSigningKey(c.ctx, tid, kid)
	if err != nil {
		return h.keyRefused(c, err)
	}
	msg := "Key " + kid + " is already retired; it stays published until its tokens expire."
	if res.Removed {
		msg = "Staged key " + kid + " was removed."
	}
	h.setFlash(c, c.back, &flash{Notice: msg})
	return c.back, nil
}

// keyRefused shows the key lifecycle's refusals on the keys page; other
// errors go to the error mapper.
func (h *Handler) keyRefused(c *call, err error) (string, error) {
	var msg string
	switch {
	case errors.Is(err, keys.ErrRotationPending):
		msg = "This key has been published for less than the JWKS max-age: relying parties with a cached key set may not know it yet and would reject its tokens. Wait, or tick \"Activate now anyway\"."
	case errors.Is(err, keys.ErrKeyActive):
		msg = "The active key cannot be retired: activate another key first."
	case errors.Is(err, keys.ErrKeyRetired):
		msg = "A retired key cannot be activated again: stage a new key."
	case errors.Is(err, idp.ErrNotFound):
		msg = "That key no longer exists."
	default:
		return "", err
	}
	h.setFlash(c, c.back, &flash{Error: msg})
	return c.back, nil
}
