package cliauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// OAuthError is an error answer of the token or revocation endpoint
// (RFC 6749 §5.2). Its text never carries a token.
type OAuthError struct {
	Status      int
	Code        string
	Description string
}

func (e *OAuthError) Error() string {
	if e.Description != "" {
		return fmt.Sprintf("%s: %s", e.Code, e.Description)
	}
	if e.Code != "" {
		return e.Code
	}
	return fmt.Sprintf("HTTP %d", e.Status)
}

// tokenResponse is a successful token answer (RFC 6749 §5.1).
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
	IDToken      string `json:"id_token"`
	Scope        string `json:"scope"`
}

// maxTokenResponse bounds a token endpoint answer.
const maxTokenResponse = 64 << 10

// postForm sends form to endpoint (application/x-www-form-urlencoded)
// and returns the status and body of the answer; an OAuth error answer
// becomes *OAuthError.
func postForm(ctx context.Context, hc *http.Client, endpoint string, form url.Values) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode == http.StatusOK {
		return body, nil
	}
	oe := &OAuthError{Status: resp.StatusCode}
	if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "application/json" {
		var e struct {
			Error       string `json:"error"`
			Description string `json:"error_description"`
		}
		if json.Unmarshal(body, &e) == nil {
			oe.Code, oe.Description = e.Error, e.Description
		}
	}
	return nil, oe
}

// requestToken calls the token endpoint and checks the answer: a bearer
// access token must be there (RFC 6749 §5.1, RFC 6750 §4).
func requestToken(ctx context.Context, hc *http.Client, endpoint string, form url.Values) (*tokenResponse, error) {
	body, err := postForm(ctx, hc, endpoint, form)
	if err != nil {
		return nil, err
	}
	var tr tokenResponse
	if err := json.Unmarshal(body, &tr); err != nil {
		return nil, errors.New("the token endpoint answered something other than JSON")
	}
	if tr.AccessToken == "" || !strings.EqualFold(tr.TokenType, "bearer") {
		return nil, errors.New("the token endpoint did not issue a bearer access token")
	}
	return &tr, nil
}

// maxExpiresIn is the largest expires_in taken at its word (a year);
// beyond it the expiry counts as unknown rather than overflowing.
const maxExpiresIn = 365 * 24 * 3600

// expiry turns expires_in into a time; zero when the server gave none
// (or an absurd one).
func (tr *tokenResponse) expiry(now time.Time) time.Time {
	if tr.ExpiresIn <= 0 || tr.ExpiresIn > maxExpiresIn {
		return time.Time{}
	}
	return now.Add(time.Duration(tr.ExpiresIn) * time.Second)
}
