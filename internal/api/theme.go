package api

import (
	"errors"
	"io"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

func (h *Handler) getTheme(r *http.Request, c *call) (any, error) {
	th, err := h.manage.GetTheme(c.ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	t, err := h.manage.GetTenant(c.ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	return view.NewTheme(th, t.DefaultLanguage, manage.ContrastWarnings(th)), nil
}

func colorsIn(p *colorsPatch) manage.ColorsPatch {
	if p == nil {
		return manage.ColorsPatch{}
	}
	return manage.ColorsPatch(*p)
}

func (h *Handler) updateTheme(r *http.Request, c *call) (any, error) {
	var in themePatch
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	res, err := h.manage.UpdateTheme(c.ctx, c.tenant, manage.ThemePatch{
		Light: colorsIn(in.Light), Dark: colorsIn(in.Dark), LogoURL: in.LogoURL, IconURL: in.IconURL, DefaultLanguage: in.DefaultLanguage,
	})
	if err != nil {
		return nil, err
	}
	return view.NewTheme(res.Theme, res.DefaultLanguage, res.Warnings), nil
}

func (h *Handler) resetTheme(r *http.Request, c *call) (any, error) {
	res, err := h.manage.ResetTheme(c.ctx, c.tenant)
	if err != nil {
		return nil, err
	}
	return view.NewTheme(res.Theme, res.DefaultLanguage, res.Warnings), nil
}

// uploadThemeImage stores the raw request body as the logo or icon; manage
// checks the size and the sniffed type.
func (h *Handler) uploadThemeImage(r *http.Request, c *call) (any, error) {
	kind := r.PathValue("kind")
	if kind != manage.ImageLogo && kind != manage.ImageIcon {
		return nil, &httpx.APIError{Status: http.StatusNotFound, Code: "not_found", Description: "The image kind is logo or icon."}
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, manage.MaxThemeImage+1))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(b) > manage.MaxThemeImage {
		return nil, &httpx.APIError{Status: http.StatusRequestEntityTooLarge, Code: "request_too_large", Description: "The image is larger than 256 KiB."}
	}
	if err != nil {
		return nil, &httpx.APIError{Status: http.StatusBadRequest, Code: "invalid_request", Description: "The request body could not be read."}
	}
	res, err := h.manage.SetThemeImage(c.ctx, c.tenant, kind, r.Header.Get("Content-Type"), b)
	if err != nil {
		return nil, err
	}
	return view.NewTheme(res.Theme, res.DefaultLanguage, res.Warnings), nil
}
