package app

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/authalla/authalla/internal/cliauth"
	"github.com/authalla/authalla/internal/idp"
)

// apiClient calls /api/v1 of the server the user logged in to.
type apiClient struct {
	http *http.Client
	// base is the admin issuer: admin tokens are accepted only on the
	// host whose issuer minted them.
	base string
	// tenant is the default tenant (login --tenant).
	tenant string
	tokens *cliauth.Tokens
}

// tenantHeader names the tenant an admin token works on.
const tenantHeader = "X-Tenant-ID"

// maxAPIResponse bounds an API answer.
const maxAPIResponse = 8 << 20

// remoteError is an error answer of the API: its error_description is
// what the operator sees.
type remoteError struct {
	Status      int
	Code        string
	Description string
	Fields      map[string]string
}

func (e *remoteError) Error() string {
	msg := e.Description
	if msg == "" {
		msg = e.Code
	}
	if msg == "" {
		msg = fmt.Sprintf("the server answered HTTP %d", e.Status)
	}
	if len(e.Fields) > 0 {
		keys := make([]string, 0, len(e.Fields))
		for k := range e.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+": "+e.Fields[k])
		}
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return msg
}

// tenantFor returns the tenant a command works on: --tenant, else the
// default stored at login.
func (c *apiClient) tenantFor(flagValue string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if c.tenant != "" {
		return c.tenant, nil
	}
	return "", usagef("--tenant is required (or log in with --tenant to set a default)")
}

// call sends one request: a JSON body when in is not nil, the bearer
// token (RFC 6750 §2.1) and X-Tenant-ID when tenant is not empty, and
// decodes a JSON answer into out when out is not nil. A 401 is retried
// once after refreshing the tokens (the access token may have been
// revoked or have expired early); an error answer becomes *remoteError.
func (c *apiClient) call(ctx context.Context, method, path, tenant string, in, out any) error {
	var body []byte
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode request: %w", err)
		}
		body = b
	}
	for attempt := 0; ; attempt++ {
		token, err := c.tokens.AccessToken(ctx)
		if err != nil {
			return err
		}
		status, resp, err := c.send(ctx, method, path, tenant, token, body)
		if err != nil {
			return err
		}
		if status == http.StatusUnauthorized && attempt == 0 && c.tokens.Creds.RefreshToken != "" {
			if err := c.tokens.Refresh(ctx); err != nil {
				return err
			}
			continue
		}
		if status < 200 || status > 299 {
			return apiError(status, resp)
		}
		if out == nil || status == http.StatusNoContent {
			return nil
		}
		if err := json.Unmarshal(resp, out); err != nil {
			return fmt.Errorf("%s %s: the server answered something other than the expected JSON", method, path)
		}
		return nil
	}
}

// send performs one HTTP exchange and returns the status and body.
func (c *apiClient) send(ctx context.Context, method, path, tenant, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if tenant != "" {
		req.Header.Set(tenantHeader, tenant)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	return resp.StatusCode, b, nil
}

// apiError turns an error answer ({error, error_description, fields})
// into *remoteError.
func apiError(status int, body []byte) error {
	e := &remoteError{Status: status}
	var v struct {
		Error       string            `json:"error"`
		Description string            `json:"error_description"`
		Fields      map[string]string `json:"fields"`
	}
	if json.Unmarshal(body, &v) == nil {
		e.Code, e.Description, e.Fields = v.Error, v.Description, v.Fields
	}
	return e
}

// list fetches one page of a collection: the items under key, with the
// total. The API's shape is {<key>: [...], total, limit, offset}.
func list[T any](ctx context.Context, c *apiClient, path, tenant, key string, q url.Values) ([]T, int, error) {
	if len(q) > 0 {
		path += "?" + q.Encode()
	}
	var raw map[string]json.RawMessage
	if err := c.call(ctx, http.MethodGet, path, tenant, nil, &raw); err != nil {
		return nil, 0, err
	}
	var items []T
	if err := json.Unmarshal(raw[key], &items); err != nil {
		return nil, 0, fmt.Errorf("GET %s: the answer lacks %q", path, key)
	}
	total := len(items)
	if t, ok := raw["total"]; ok {
		if err := json.Unmarshal(t, &total); err != nil {
			return nil, 0, fmt.Errorf("GET %s: bad total", path)
		}
	}
	return items, total, nil
}

// pageQuery is the query of a paged listing.
func pageQuery(p idp.Page) url.Values {
	return url.Values{"limit": {strconv.Itoa(p.Limit)}, "offset": {strconv.Itoa(p.Offset)}}
}

// esc escapes one path segment.
func esc(s string) string { return url.PathEscape(s) }

// body is a JSON request body built from the flags that were given.
type body map[string]any

// put adds v under key when the flag was set.
func (b body) put(set map[string]bool, flagName, key string, v any) {
	if set[flagName] {
		b[key] = v
	}
}

// putList adds a non-empty list under key.
func (b body) putList(key string, v []string) {
	if len(v) > 0 {
		b[key] = v
	}
}
