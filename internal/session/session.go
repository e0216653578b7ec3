package session

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store"
	"github.com/authalla/authalla/internal/tenant"
)

// CookieBase is the session cookie's name before issuer prefixes.
const CookieBase = "authalla_session"

// Manager reads, starts and ends sessions.
type Manager struct {
	Store  store.Sessions
	Clock  idp.Clock
	Random secret.Source
}

// Current returns the live session of the request's tenant, or nil when
// there is none (no cookie, unknown, revoked, expired or idle too long).
// Only store failures are errors.
func (m *Manager) Current(r *http.Request) (*idp.Session, error) {
	info := tenant.MustFromContext(r.Context())
	c, err := r.Cookie(info.CookieName(CookieBase))
	if err != nil || c.Value == "" || len(c.Value) > 128 {
		return nil, nil
	}
	s, err := m.Store.GetSession(r.Context(), info.Tenant.ID, secret.Hash(c.Value))
	if errors.Is(err, idp.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	now := m.Clock.Now()
	idle := time.Duration(info.Tenant.SessionIdleTTL) * time.Second
	switch {
	case s.RevokedAt != nil, !now.Before(s.ExpiresAt):
		return nil, nil
	case idle > 0 && !now.Before(s.LastSeen.Add(idle)):
		return nil, nil
	}
	if now.Sub(s.LastSeen) > time.Minute { // limit writes to one a minute per session
		if err := m.Store.TouchSession(r.Context(), info.Tenant.ID, s.ID, now); err != nil {
			return nil, fmt.Errorf("session: %w", err)
		}
		s.LastSeen = now
	}
	return s, nil
}

// Start signs userID in: it revokes any session the browser already had on
// this issuer (the id rotates at every login, ASVS 7.2.4), creates a new one
// and sets its cookie.
func (m *Manager) Start(w http.ResponseWriter, r *http.Request, userID string, amr []string) (*idp.Session, error) {
	info := tenant.MustFromContext(r.Context())
	now := m.Clock.Now()
	if c, err := r.Cookie(info.CookieName(CookieBase)); err == nil && c.Value != "" && len(c.Value) <= 128 {
		if err := m.Store.RevokeSession(r.Context(), info.Tenant.ID, secret.Hash(c.Value), now); err != nil && !errors.Is(err, idp.ErrNotFound) {
			return nil, fmt.Errorf("session: rotate: %w", err)
		}
	}
	value, err := m.Random.Token(32)
	if err != nil {
		return nil, err
	}
	ttl := time.Duration(info.Tenant.SessionTTL) * time.Second
	if ttl <= 0 {
		ttl = idp.DefaultSessionTTL * time.Second
	}
	s := &idp.Session{
		TenantID: info.Tenant.ID, ID: secret.Hash(value), UserID: userID,
		AuthTime: now, AMR: amr, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(ttl),
	}
	if err := m.Store.CreateSession(r.Context(), info.Tenant.ID, s); err != nil {
		return nil, fmt.Errorf("session: create: %w", err)
	}
	http.SetCookie(w, m.cookie(info, value, int(ttl/time.Second)))
	return s, nil
}

// End revokes the request's session (if any) and clears the cookie.
func (m *Manager) End(w http.ResponseWriter, r *http.Request) error {
	info := tenant.MustFromContext(r.Context())
	if c, err := r.Cookie(info.CookieName(CookieBase)); err == nil && c.Value != "" && len(c.Value) <= 128 {
		if err := m.Store.RevokeSession(r.Context(), info.Tenant.ID, secret.Hash(c.Value), m.Clock.Now()); err != nil && !errors.Is(err, idp.ErrNotFound) {
			return fmt.Errorf("session: end: %w", err)
		}
	}
	http.SetCookie(w, m.cookie(info, "", -1))
	return nil
}

// cookie builds the session cookie: HttpOnly, SameSite=Lax, Secure and
// prefixed over HTTPS, Path scoped to the issuer, never a Domain.
func (m *Manager) cookie(info *tenant.Info, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: info.CookieName(CookieBase), Value: value, Path: info.CookiePath(),
		MaxAge: maxAge, HttpOnly: true, Secure: info.Secure, SameSite: http.SameSiteLaxMode,
	}
}

// EndAllForUser revokes every session of a user (suspension, admin action).
func (m *Manager) EndAllForUser(ctx context.Context, tenantID, userID string) (int, error) {
	return m.Store.RevokeUserSessions(ctx, tenantID, userID, m.Clock.Now())
}
