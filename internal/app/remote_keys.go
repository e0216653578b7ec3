package app

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/url"
)

// The key lifecycle over the API; flags, JSON and text match the local
// commands in cmd_keys.go.

func remoteKeysStage() *remoteCmd {
	var tenantFlagValue, alg string
	return &remoteCmd{
		usage: keysStage().usage,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&alg, "alg", "", "the key's algorithm (default: the tenant's signing algorithm)")
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			b := body{}
			if alg != "" {
				b["alg"] = alg
			}
			var k remoteKeyJSON
			if err := api.call(ctx, http.MethodPost, "/api/v1/signing-keys", tenant, b, &k); err != nil {
				return nil, err
			}
			v := k.view()
			return &output{json: v, human: func(w io.Writer) { printStaged(w, v) }}, nil
		},
	}
}

func remoteKeysActivate() *remoteCmd {
	var (
		tenantFlagValue, kid string
		force                bool
	)
	return &remoteCmd{
		usage: keysActivate().usage,
		flags: func(fs *flag.FlagSet) {
			keyLifecycleFlags(fs, &tenantFlagValue, &kid)
			fs.BoolVar(&force, "force", false, "activate a key published for less than the JWKS max-age (relying parties with a cached JWKS may reject its tokens until they refresh)")
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			if err := needKID(kid); err != nil {
				return nil, err
			}
			b := body{}
			if force {
				b["force"] = true
			}
			var r struct {
				Activated *remoteKeyJSON `json:"activated"`
				Retired   *remoteKeyJSON `json:"retired"`
			}
			if err := api.call(ctx, http.MethodPost, "/api/v1/signing-keys/"+url.PathEscape(kid)+"/activate", tenant, b, &r); err != nil {
				return nil, err
			}
			v := rotateJSON{Activated: r.Activated.view(), Retired: r.Retired.view()}
			if v.Activated != nil {
				v.ID = v.Activated.ID
			}
			return &output{json: v, human: func(w io.Writer) { printActivated(w, v) }}, nil
		},
	}
}

func remoteKeysRetire() *remoteCmd {
	var tenantFlagValue, kid string
	return &remoteCmd{
		usage: keysRetire().usage,
		flags: func(fs *flag.FlagSet) { keyLifecycleFlags(fs, &tenantFlagValue, &kid) },
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			if err := needKID(kid); err != nil {
				return nil, err
			}
			var r struct {
				Key     *remoteKeyJSON `json:"key"`
				Removed bool           `json:"removed"`
			}
			if err := api.call(ctx, http.MethodPost, "/api/v1/signing-keys/"+url.PathEscape(kid)+"/retire", tenant, nil, &r); err != nil {
				return nil, err
			}
			v := retireJSON{ID: kid, Key: r.Key.view(), Removed: r.Removed}
			return &output{json: v, human: func(w io.Writer) { printRetired(w, v) }}, nil
		},
	}
}
