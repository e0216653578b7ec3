package cliauth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Revoke revokes the stored tokens at the server (RFC 7009): the refresh
// token first, which ends its whole grant, then the access token. The
// CLI is a public client, so it identifies itself with client_id only
// (§2.1). Revoking a token the server no longer knows succeeds (§2.2).
func Revoke(ctx context.Context, hc *http.Client, c *Credentials) error {
	if c.RevocationEndpoint == "" {
		return errors.New("cliauth: the server has no revocation endpoint")
	}
	var errs []error
	for _, t := range []struct{ token, hint string }{{c.RefreshToken, "refresh_token"}, {c.AccessToken, "access_token"}} {
		if t.token == "" {
			continue
		}
		_, err := postForm(ctx, hc, c.RevocationEndpoint, url.Values{
			"token": {t.token}, "token_type_hint": {t.hint}, "client_id": {c.ClientID},
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("cliauth: revoke the %s: %w", hintName(t.hint), err))
		}
	}
	return errors.Join(errs...)
}

func hintName(h string) string {
	if h == "refresh_token" {
		return "refresh token"
	}
	return "access token"
}
