package login

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/page"
	"github.com/authalla/authalla/internal/tenant"
)

// homeData is what the start page shows.
type homeData struct {
	UserEmail string
	Initial   string
}

// home is the issuer's start page (GET /): "You are signed in as …" with a
// sign-out button, or a sign-in link. The first administrator lands here
// after using the printed sign-in link.
func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	d := &homeData{}
	s, err := h.sessions.Current(r)
	if err != nil {
		return err
	}
	if s != nil {
		u, err := h.store.GetUser(r.Context(), info.Tenant.ID, s.UserID)
		switch {
		case err == nil && u.Status == idp.UserActive:
			d.UserEmail, d.Initial = u.Email, page.Initial(u.Email)
		case err != nil && !errors.Is(err, idp.ErrNotFound):
			return fmt.Errorf("login: home user: %w", err)
		}
	}
	return h.pages.Render(w, r, http.StatusOK, "home", "Welcome", d)
}
