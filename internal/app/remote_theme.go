package app

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/view"
)

// The theme commands run remotely through /api/v1/theme (remote.go's
// table is extended here so that the theme group lives in its own files).
func init() {
	remoteGroups["theme"] = map[string]func() *remoteCmd{
		"get": remoteThemeGet, "update": remoteThemeUpdate, "reset": remoteThemeReset,
		"set-logo": remoteThemeSetLogo, "set-icon": remoteThemeSetIcon,
	}
}

// body returns the JSON patch of the theme flags that were given: the
// API's names ({light: {...}, dark: {...}, default_language}).
func (f *themeFlags) body(set map[string]bool) body {
	b := body{}
	for _, sc := range []struct {
		key, prefix string
		vals        *[len(colorFlags)]string
	}{{"light", "", &f.light}, {"dark", darkPrefix, &f.dark}} {
		sub := map[string]string{}
		for i, c := range colorFlags {
			if set[sc.prefix+c.flag] {
				sub[c.key] = sc.vals[i]
			}
		}
		if len(sub) > 0 {
			b[sc.key] = sub
		}
	}
	b.put(set, "default-language", "default_language", f.language)
	return b
}

// remoteThemeCall sends one theme request and prints the answer like the
// local commands do.
func remoteThemeCall(ctx context.Context, api *apiClient, method, tenant string, in any) (*output, error) {
	var v view.Theme
	if err := api.call(ctx, method, "/api/v1/theme", tenant, in, &v); err != nil {
		return nil, err
	}
	return themeOutput(ctx, tenant, v), nil
}

func remoteThemeGet() *remoteCmd {
	return remoteTenantOnly(themeGet().usage, 0, func(ctx context.Context, api *apiClient, tenant string, _ []string) (*output, error) {
		return remoteThemeCall(ctx, api, http.MethodGet, tenant, nil)
	})
}

func remoteThemeReset() *remoteCmd {
	return remoteTenantOnly(themeReset().usage, 0, func(ctx context.Context, api *apiClient, tenant string, _ []string) (*output, error) {
		return remoteThemeCall(ctx, api, http.MethodDelete, tenant, nil)
	})
}

func remoteThemeUpdate() *remoteCmd {
	var f themeFlags
	return &remoteCmd{
		usage: themeUpdate().usage,
		flags: f.register,
		run: func(ctx context.Context, api *apiClient, _ []string, set map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(f.tenant)
			if err != nil {
				return nil, err
			}
			if err := f.check(set); err != nil {
				return nil, err
			}
			return remoteThemeCall(ctx, api, http.MethodPatch, tenant, f.body(set))
		},
	}
}

func remoteThemeSetLogo() *remoteCmd { return remoteThemeSetImage(manage.ImageLogo) }
func remoteThemeSetIcon() *remoteCmd { return remoteThemeSetImage(manage.ImageIcon) }

// remoteThemeSetImage uploads the logo or icon with PUT
// /api/v1/theme/{kind}: the raw bytes, labelled with their sniffed type.
func remoteThemeSetImage(kind string) *remoteCmd {
	var tenantFlagValue, file string
	return &remoteCmd{
		usage: themeSetImage(kind).usage,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&file, "file", "", "the image file (required)")
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			data, mt, err := readImage(file)
			if err != nil {
				return nil, err
			}
			var v view.Theme
			if err := api.upload(ctx, "/api/v1/theme/"+esc(kind), tenant, mt, data, &v); err != nil {
				return nil, err
			}
			return themeOutput(ctx, tenant, v), nil
		},
	}
}

// upload PUTs data (of media type contentType) to path and decodes the
// JSON answer into out; like call, it sends the bearer token (RFC 6750
// §2.1) and X-Tenant-ID, retries a 401 once after refreshing the tokens
// and turns an error answer into *remoteError.
func (c *apiClient) upload(ctx context.Context, path, tenant, contentType string, data []byte, out any) error {
	for attempt := 0; ; attempt++ {
		token, err := c.tokens.AccessToken(ctx)
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+path, bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("PUT %s: %w", path, err)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("Content-Type", contentType)
		if tenant != "" {
			req.Header.Set(tenantHeader, tenant)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return fmt.Errorf("PUT %s: %w", path, err)
		}
		b, err := io.ReadAll(io.LimitReader(resp.Body, maxAPIResponse))
		resp.Body.Close()
		if err != nil {
			return fmt.Errorf("PUT %s: %w", path, err)
		}
		if resp.StatusCode == http.StatusUnauthorized && attempt == 0 && c.tokens.Creds.RefreshToken != "" {
			if err := c.tokens.Refresh(ctx); err != nil {
				return err
			}
			continue
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return apiError(resp.StatusCode, b)
		}
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("PUT %s: the server answered something other than the expected JSON", path)
		}
		return nil
	}
}
