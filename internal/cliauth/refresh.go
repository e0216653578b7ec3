package cliauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// RefreshSkew is how long before its expiry an access token is replaced:
// a token about to expire could lapse between the check and the server's
// verification (clocks differ, requests take time).
const RefreshSkew = time.Minute

// ErrSessionExpired means the tokens can no longer be renewed: the
// operator must log in again.
var ErrSessionExpired = errors.New("the login has expired or was revoked (run \"authalla login\" again)")

// Tokens hands out a valid access token for the stored credentials,
// refreshing it ahead of expiry and saving the rotated tokens.
type Tokens struct {
	// Path is the credentials file the refreshed tokens are saved to.
	Path string
	// Creds are the loaded credentials; updated in place on refresh.
	Creds *Credentials
	// HTTP calls the token endpoint (it must have a timeout).
	HTTP *http.Client
	// Clock defaults to idp.SystemClock.
	Clock idp.Clock
}

// needsRefresh reports whether the access token expires within
// RefreshSkew (or is missing). An unknown expiry is trusted until the
// server refuses the token.
func (t *Tokens) needsRefresh(now time.Time) bool {
	c := t.Creds
	if c.AccessToken == "" {
		return true
	}
	return !c.Expiry.IsZero() && !now.Add(RefreshSkew).Before(c.Expiry)
}

// AccessToken returns an access token valid for at least RefreshSkew
// more, refreshing first when needed.
func (t *Tokens) AccessToken(ctx context.Context) (string, error) {
	clock := t.Clock
	if clock == nil {
		clock = idp.SystemClock{}
	}
	if !t.needsRefresh(clock.Now()) {
		return t.Creds.AccessToken, nil
	}
	if err := t.Refresh(ctx); err != nil {
		return "", err
	}
	return t.Creds.AccessToken, nil
}

// Refresh exchanges the refresh token for new tokens (RFC 6749 §6). The
// server rotates refresh tokens (OAuth 2.1 §4.3.1): the old one stops
// working once the new one is issued, so the new tokens are saved before
// anything uses them: a crash afterwards cannot lose the only valid
// refresh token. A refused refresh token is ErrSessionExpired.
func (t *Tokens) Refresh(ctx context.Context) error {
	clock := t.Clock
	if clock == nil {
		clock = idp.SystemClock{}
	}
	c := t.Creds
	// Another run of the CLI may have rotated the tokens since these were
	// loaded: its refresh token is the live one (ours is spent).
	if t.adoptNewer(clock.Now()) {
		return nil
	}
	if c.RefreshToken == "" {
		return ErrSessionExpired
	}
	tr, err := requestToken(ctx, t.HTTP, c.TokenEndpoint, url.Values{
		"grant_type":    {"refresh_token"},
		"refresh_token": {c.RefreshToken},
		"client_id":     {c.ClientID},
	})
	var oe *OAuthError
	if errors.As(err, &oe) && (oe.Code == "invalid_grant" || oe.Code == "invalid_client") {
		if t.adoptNewer(clock.Now()) { // lost a race with another run
			return nil
		}
		return ErrSessionExpired
	}
	if err != nil {
		return fmt.Errorf("cliauth: refresh: %w", err)
	}
	next := *c
	next.AccessToken = tr.AccessToken
	next.Expiry = tr.expiry(clock.Now())
	if tr.RefreshToken != "" {
		next.RefreshToken = tr.RefreshToken
	}
	if err := Save(t.Path, &next); err != nil {
		return err
	}
	*c = next
	return nil
}

// adoptNewer takes the credentials file's tokens when another run of the
// CLI rotated them (a different refresh token for the same login) and
// their access token is still fresh. It reports whether it did.
func (t *Tokens) adoptNewer(now time.Time) bool {
	saved, err := Load(t.Path)
	if err != nil || saved.RefreshToken == "" || saved.RefreshToken == t.Creds.RefreshToken ||
		saved.Issuer != t.Creds.Issuer || saved.ClientID != t.Creds.ClientID {
		return false
	}
	fresh := &Tokens{Creds: saved}
	if fresh.needsRefresh(now) {
		// Its access token is stale too: keep its refresh token (the live
		// one) and let the caller refresh with it.
		t.Creds.RefreshToken = saved.RefreshToken
		return false
	}
	*t.Creds = *saved
	return true
}
