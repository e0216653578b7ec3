package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/authalla/authalla/internal/httpx"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/tenant"
)

// Limits of PUT /oauth2/me.
const (
	maxMeBodyBytes = 16 << 10
	maxNameRunes   = 200
)

// meUpdate is the body of PUT /oauth2/me.
type meUpdate struct {
	Name *string `json:"name"`
}

// handleMe serves PUT /oauth2/me: the user of a Bearer access token
// (checked as at UserInfo) changes their own display name. The body is
// JSON {"name": "..."}; the answer is the UserInfo document.
func (p *Provider) handleMe(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	info := tenant.MustFromContext(ctx)
	raw, err := bearerToken(w, r, false)
	if err != nil {
		return err
	}
	c, u, err := p.bearerUser(ctx, info, raw)
	if err != nil {
		return err
	}
	name, err := readMeUpdate(w, r)
	if err != nil {
		return err
	}
	if u.Name != name {
		u.Name = name
		u.UpdatedAt = p.clock.Now()
		if err := p.store.UpdateUser(ctx, info.Tenant.ID, u); err != nil {
			return internalFailure(ctx, "me: update user", err)
		}
		ev := &idp.AuditEvent{
			TenantID: info.Tenant.ID, Time: u.UpdatedAt, ActorType: "user", ActorID: u.ID,
			Action: "user.update_name", ObjectType: "user", ObjectID: u.ID, Outcome: "success",
			RequestID: httpx.RequestID(ctx), Details: map[string]string{"client_id": c.ClientID},
		}
		if ev.ID, err = p.random.ID("aud_"); err == nil {
			err = p.store.AppendAudit(ctx, ev)
		}
		if err != nil {
			// The change is made; a lost audit line must not undo it.
			slog.ErrorContext(ctx, "oauth: audit append failed", "request_id", httpx.RequestID(ctx), "action", ev.Action, "err", err)
		}
	}
	writeNoStoreJSON(w, http.StatusOK, userInfoResponse{Subject: u.ID, profileClaims: userProfileClaims(u, c.scopes())})
	return nil
}

// readMeUpdate decodes and validates the JSON body: exactly one object
// with a name of 1–200 characters after trimming surrounding spaces, valid
// UTF-8, without control or format characters (which could hide text in
// an admin list or a mail greeting).
func readMeUpdate(w http.ResponseWriter, r *http.Request) (string, error) {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return "", &httpx.OAuthError{Code: oauthInvalidRequest, Description: "The body must be application/json.", Status: http.StatusUnsupportedMediaType}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxMeBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return "", &httpx.OAuthError{Code: oauthInvalidRequest, Description: "The request body is too large.", Status: http.StatusRequestEntityTooLarge}
		}
		return "", oauthError(oauthInvalidRequest, "The request body could not be read.")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	var in meUpdate
	if err := dec.Decode(&in); err != nil || dec.More() {
		return "", oauthError(oauthInvalidRequest, "The body must be a JSON object with a name.")
	}
	if in.Name == nil {
		return "", oauthError(oauthInvalidRequest, "name is required.")
	}
	name := strings.TrimSpace(*in.Name)
	if err := validDisplayName(name); err != nil {
		return "", err
	}
	return name, nil
}

// validDisplayName checks a user's display name.
func validDisplayName(name string) error {
	n := utf8.RuneCountInString(name)
	if n < 1 || n > maxNameRunes {
		return oauthError(oauthInvalidRequest, "name must be 1 to 200 characters.")
	}
	if !utf8.ValidString(name) {
		return oauthError(oauthInvalidRequest, "name must be valid UTF-8.")
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return oauthError(oauthInvalidRequest, "name must not contain control characters.")
		}
	}
	return nil
}

// meHandler is handleMe as an http.Handler.
func (p *Provider) meHandler() http.Handler { return httpx.Handle(p.handleMe) }
