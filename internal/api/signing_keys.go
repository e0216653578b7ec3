package api

import (
	"errors"
	"net/http"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/keys"
)

// activateRisk is the OpenAPI description of the activation guard.
const activateRisk = "A key published in the JWKS for less than its max-age is refused with 409 key_not_ready: " +
	"relying parties holding a cached JWKS (RFC 7517 §5) may not know it yet and would reject the tokens it signs. " +
	"force=true activates it anyway (for a compromised active key); the previous key stays published while its tokens live."

// stageRequest asks for a new staged key.
type stageRequest struct {
	// Alg is the key's algorithm (RS256, ES256 or EdDSA); empty: the
	// tenant's signing_alg.
	Alg string `json:"alg,omitempty"`
}

// activateRequest asks to activate a staged key.
type activateRequest struct {
	// Force activates a key published for less than the JWKS max-age.
	Force bool `json:"force,omitempty"`
}

// retireView says what retiring a key did.
type retireView struct {
	Key *signingKeyView `json:"key"`
	// Removed is true when the key was staged and has been deleted.
	Removed bool `json:"removed"`
}

// keyError turns the key lifecycle's refusals into 409 answers with a
// description the caller can act on.
func keyError(err error) error {
	switch {
	case errors.Is(err, keys.ErrRotationPending):
		return &httpx.APIError{Status: http.StatusConflict, Code: "key_not_ready",
			Description: "The key has been published for less than the JWKS max-age: relying parties with a cached JWKS may not know it yet. Retry later, or send force=true to activate it anyway."}
	case errors.Is(err, keys.ErrKeyActive):
		return &httpx.APIError{Status: http.StatusConflict, Code: "key_active",
			Description: "The active key cannot be retired: activate another key first."}
	case errors.Is(err, keys.ErrKeyRetired):
		return &httpx.APIError{Status: http.StatusConflict, Code: "key_retired",
			Description: "A retired key cannot be activated again: stage a new key."}
	}
	return err
}

func (h *Handler) stageKey(r *http.Request, c *call) (any, error) {
	var in stageRequest
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	k, err := h.manage.StageSigningKey(c.ctx, c.tenant, in.Alg)
	if err != nil {
		return nil, keyError(err)
	}
	return viewKey(k), nil
}

func (h *Handler) activateKey(r *http.Request, c *call) (any, error) {
	var in activateRequest
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	res, err := h.manage.ActivateSigningKey(c.ctx, c.tenant, r.PathValue("kid"), in.Force)
	if err != nil {
		return nil, keyError(err)
	}
	return viewRotate(res), nil
}

func (h *Handler) retireKey(r *http.Request, c *call) (any, error) {
	res, err := h.manage.RetireSigningKey(c.ctx, c.tenant, r.PathValue("kid"))
	if err != nil {
		return nil, keyError(err)
	}
	return retireView{Key: viewKey(res.Key), Removed: res.Removed}, nil
}
