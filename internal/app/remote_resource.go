package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/authalla/authalla/internal/idp"
)

// resourceServer turns a resource server of the API (whose JSON names
// are those of resourceServerJSON) into the value the local output
// functions print.
func (r *resourceServerJSON) resourceServer(tenant string) *idp.ResourceServer {
	out := &idp.ResourceServer{TenantID: tenant, ID: r.ID, Identifier: r.Identifier, Name: r.Name,
		ScopePrefix: r.ScopePrefix, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, s := range r.Scopes {
		out.Scopes = append(out.Scopes, idp.ResourceScope{Value: s.Value, Description: s.Description, GrantedToAll: s.GrantedToAll})
	}
	return out
}

func rsOutput(r *resourceServerJSON, tenant string) *output {
	v := r.resourceServer(tenant)
	return &output{json: resourceServerView(v), human: resourceServerHuman(v)}
}

// scopeBodies are scope values as the API takes them.
func scopeBodies(values []string) []map[string]any {
	out := make([]map[string]any, len(values))
	for i, v := range values {
		out[i] = map[string]any{"value": v}
	}
	return out
}

// rsPath is the API path of a resource server named by id or identifier
// (an identifier is a URL, so it is escaped as one path segment).
func rsPath(ref string) string { return "/api/v1/resource-servers/" + url.PathEscape(ref) }

func remoteRSCreate() *remoteCmd {
	var (
		tenantFlagValue, identifier, name, prefix string
		scopes                                    strList
	)
	return &remoteCmd{
		usage: rsCreate().usage,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&identifier, "identifier", "", "the API's URL: the audience of its tokens")
			fs.StringVar(&name, "name", "", "display name")
			fs.StringVar(&prefix, "scope-prefix", "", "immutable prefix of every scope, e.g. orders: (default: derived from the identifier)")
			fs.Var(&scopes, "scope", "scope, starting with the prefix (repeatable)")
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			b := body{"identifier": identifier, "name": name}
			if prefix != "" {
				b["scope_prefix"] = prefix
			}
			if len(scopes) > 0 {
				b["scopes"] = scopeBodies(scopes)
			}
			var r resourceServerJSON
			if err := api.call(ctx, http.MethodPost, "/api/v1/resource-servers", tenant, b, &r); err != nil {
				return nil, err
			}
			return rsOutput(&r, tenant), nil
		},
	}
}

func remoteRSUpdate() *remoteCmd {
	var (
		tenantFlagValue, name string
		scopes                strList
	)
	return &remoteCmd{
		usage: rsUpdate().usage,
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&name, "name", "", "display name")
			fs.Var(&scopes, "scope", "scope (repeatable; replaces the list)")
		},
		run: func(ctx context.Context, api *apiClient, pos []string, set map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			b := body{}
			b.put(set, "name", "name", name)
			b.put(set, "scope", "scopes", scopeBodies(scopes))
			var r resourceServerJSON
			if err := api.call(ctx, http.MethodPatch, rsPath(pos[0]), tenant, b, &r); err != nil {
				return nil, err
			}
			return rsOutput(&r, tenant), nil
		},
	}
}

func remoteRSAddScope() *remoteCmd {
	var tenantFlagValue, scope, description string
	var toAll bool
	return &remoteCmd{
		usage: rsAddScope().usage,
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&scope, "scope", "", "the scope, starting with the prefix")
			fs.StringVar(&description, "description", "", "what the scope allows")
			fs.BoolVar(&toAll, "granted-to-all", false, "grant the scope to every user")
		},
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			b := body{"value": scope}
			if description != "" {
				b["description"] = description
			}
			if toAll {
				b["granted_to_all"] = true
			}
			var r resourceServerJSON
			if err := api.call(ctx, http.MethodPost, rsPath(pos[0])+"/scopes", tenant, b, &r); err != nil {
				return nil, err
			}
			return rsOutput(&r, tenant), nil
		},
	}
}

func remoteRSGet() *remoteCmd {
	return remoteTenantOnly(rsGet().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		var r resourceServerJSON
		if err := api.call(ctx, http.MethodGet, rsPath(pos[0]), tenant, nil, &r); err != nil {
			return nil, err
		}
		return rsOutput(&r, tenant), nil
	})
}

func remoteRSDelete() *remoteCmd {
	return remoteTenantOnly(rsDelete().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		if err := api.call(ctx, http.MethodDelete, rsPath(pos[0]), tenant, nil, nil); err != nil {
			return nil, err
		}
		return deleted(pos[0], "resource server"), nil
	})
}

func remoteRSList() *remoteCmd {
	var (
		tenantFlagValue string
		page            idp.Page
	)
	return &remoteCmd{
		usage: rsList().usage,
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenantFlagValue); pageFlags(fs, &page) },
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			rs, total, err := list[resourceServerJSON](ctx, api, "/api/v1/resource-servers", tenant, "resource_servers", pageQuery(page))
			if err != nil {
				return nil, err
			}
			items := make([]resourceServerJSON, len(rs))
			rows := make([][]string, len(rs))
			for i := range rs {
				r := rs[i].resourceServer(tenant)
				items[i] = resourceServerView(r)
				rows[i] = []string{r.ID, r.Identifier, r.Name, r.ScopePrefix}
			}
			return &output{
				json: listJSON{Items: items, Total: total, Limit: page.Limit, Offset: page.Offset},
				human: func(w io.Writer) {
					table(w, []string{"ID", "IDENTIFIER", "NAME", "PREFIX"}, rows)
					footer(w, len(rs), total)
				},
			}, nil
		},
	}
}

// remoteKeyJSON is a signing key as the API returns it.
type remoteKeyJSON struct {
	KID string `json:"kid"`
	keyJSON
}

func (k *remoteKeyJSON) view() *keyJSON {
	if k == nil {
		return nil
	}
	v := k.keyJSON
	v.ID = k.KID
	return &v
}

func remoteKeysList() *remoteCmd {
	return remoteTenantOnly(keysList().usage, 0, func(ctx context.Context, api *apiClient, tenant string, _ []string) (*output, error) {
		ks, _, err := list[remoteKeyJSON](ctx, api, "/api/v1/signing-keys", tenant, "signing_keys", nil)
		if err != nil {
			return nil, err
		}
		items := make([]*keyJSON, len(ks))
		rows := make([][]string, len(ks))
		for i := range ks {
			k := ks[i].view()
			items[i] = k
			rows[i] = []string{k.ID, k.Alg, k.State, fmtTime(&k.CreatedAt), fmtTime(k.RemoveAfter)}
		}
		return &output{
			json:  listJSON{Items: items, Total: len(ks), Limit: len(ks)},
			human: func(w io.Writer) { table(w, []string{"KID", "ALG", "STATE", "CREATED", "REMOVE AFTER"}, rows) },
		}, nil
	})
}

func remoteKeysRotate() *remoteCmd {
	var (
		tenantFlagValue string
		now             bool
	)
	return &remoteCmd{
		usage: keysRotate().usage,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.BoolVar(&now, "now", false, "activate the new key at once instead of staging it (tokens signed by the old key stay verifiable)")
		},
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			var r struct {
				Staged    *remoteKeyJSON `json:"staged"`
				Activated *remoteKeyJSON `json:"activated"`
				Retired   *remoteKeyJSON `json:"retired"`
			}
			b := body{}
			if now {
				b["immediate"] = true
			}
			if err := api.call(ctx, http.MethodPost, "/api/v1/signing-keys/rotate", tenant, b, &r); err != nil {
				return nil, err
			}
			v := rotateJSON{Staged: r.Staged.view(), Activated: r.Activated.view(), Retired: r.Retired.view()}
			switch {
			case v.Activated != nil:
				v.ID = v.Activated.ID
			case v.Staged != nil:
				v.ID = v.Staged.ID
			}
			return &output{json: v, human: func(w io.Writer) {
				if v.Staged != nil && v.Activated == nil {
					fmt.Fprintf(w, "Staged key %s (%s): it is published now and becomes active once relying parties have seen it; the server activates it, or run keys rotate again later.\n", v.Staged.ID, v.Staged.Alg)
				}
				if v.Activated != nil {
					fmt.Fprintf(w, "Activated key %s (%s).\n", v.Activated.ID, v.Activated.Alg)
				}
				if v.Retired != nil {
					fmt.Fprintf(w, "Retired key %s: published until %s.\n", v.Retired.ID, fmtTime(v.Retired.RemoveAfter))
				}
			}}, nil
		},
	}
}
