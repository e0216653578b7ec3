package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/idp"
)

// remoteClientJSON is a client as the API returns it (with the first
// secret on creation only).
type remoteClientJSON struct {
	ClientID               string    `json:"client_id"`
	Name                   string    `json:"name"`
	Type                   string    `json:"type"`
	RedirectURIs           []string  `json:"redirect_uris"`
	PostLogoutRedirectURIs []string  `json:"post_logout_redirect_uris"`
	Scopes                 []string  `json:"scopes"`
	RequireConsent         bool      `json:"require_consent"`
	ThirdParty             bool      `json:"third_party"`
	DefaultResourceServer  string    `json:"default_resource_server"`
	RefreshGraceSeconds    int       `json:"refresh_grace_seconds"`
	ClientSecret           string    `json:"client_secret"`
	CreatedAt              time.Time `json:"created_at"`
	UpdatedAt              time.Time `json:"updated_at"`
}

func (c *remoteClientJSON) client(tenant string) *idp.Client {
	return &idp.Client{
		TenantID: tenant, ID: c.ClientID, Name: c.Name, Type: idp.ClientType(c.Type),
		RedirectURIs: c.RedirectURIs, PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, Scopes: c.Scopes,
		RequireConsent: c.RequireConsent, ThirdParty: c.ThirdParty, DefaultResourceServer: c.DefaultResourceServer,
		RefreshGraceSeconds: c.RefreshGraceSeconds, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// clientOutput prints a client of the API like the local commands do;
// secret is shown only when the answer carried one (creation).
func clientOutput(c *remoteClientJSON, tenant string) *output {
	cl := c.client(tenant)
	return &output{json: clientView(cl, c.ClientSecret), human: clientHuman(cl, c.ClientSecret)}
}

// body returns the JSON fields of the client flags that were given.
func (f *clientFlags) body(set map[string]bool) body {
	b := body{}
	b.put(set, "id", "client_id", f.id)
	b.put(set, "name", "name", f.name)
	b.put(set, "type", "type", f.typ)
	b.put(set, "redirect-uri", "redirect_uris", []string(f.redirects))
	b.put(set, "post-logout-redirect-uri", "post_logout_redirect_uris", []string(f.logouts))
	b.put(set, "scope", "scopes", []string(f.scopes))
	b.put(set, "require-consent", "require_consent", f.requireConsent)
	b.put(set, "default-resource-server", "default_resource_server", f.defaultRS)
	b.put(set, "refresh-grace-seconds", "refresh_grace_seconds", f.grace)
	b.putList("add_redirect_uris", f.addRedirects)
	b.putList("remove_redirect_uris", f.removeRedirects)
	b.putList("add_post_logout_redirect_uris", f.addLogouts)
	b.putList("remove_post_logout_redirect_uris", f.removeLogouts)
	return b
}

func remoteClientCreate() *remoteCmd {
	var f clientFlags
	return &remoteCmd{
		usage: clientCreate().usage,
		flags: func(fs *flag.FlagSet) { f.register(fs, false) },
		run: func(ctx context.Context, api *apiClient, _ []string, set map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(f.tenant)
			if err != nil {
				return nil, err
			}
			var c remoteClientJSON
			if err := api.call(ctx, http.MethodPost, "/api/v1/clients", tenant, f.body(set), &c); err != nil {
				return nil, err
			}
			return clientOutput(&c, tenant), nil
		},
	}
}

func remoteClientUpdate() *remoteCmd {
	var f clientFlags
	return &remoteCmd{
		usage: clientUpdate().usage,
		args:  1,
		flags: func(fs *flag.FlagSet) { f.register(fs, true) },
		run: func(ctx context.Context, api *apiClient, pos []string, set map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(f.tenant)
			if err != nil {
				return nil, err
			}
			var c remoteClientJSON
			if err := api.call(ctx, http.MethodPatch, "/api/v1/clients/"+esc(pos[0]), tenant, f.body(set), &c); err != nil {
				return nil, err
			}
			return clientOutput(&c, tenant), nil
		},
	}
}

// remoteTenantOnly is a remote command whose only flag is --tenant.
func remoteTenantOnly(usage string, args int, run func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error)) *remoteCmd {
	var tenantFlagValue string
	return &remoteCmd{
		usage: usage,
		args:  args,
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenantFlagValue) },
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			return run(ctx, api, tenant, pos)
		},
	}
}

func remoteClientGet() *remoteCmd {
	return remoteTenantOnly(clientGet().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		var c remoteClientJSON
		if err := api.call(ctx, http.MethodGet, "/api/v1/clients/"+esc(pos[0]), tenant, nil, &c); err != nil {
			return nil, err
		}
		c.ClientSecret = "" // never shown after creation
		return clientOutput(&c, tenant), nil
	})
}

func remoteClientList() *remoteCmd {
	var (
		tenantFlagValue string
		page            idp.Page
	)
	return &remoteCmd{
		usage: clientList().usage,
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenantFlagValue); pageFlags(fs, &page) },
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			cs, total, err := list[remoteClientJSON](ctx, api, "/api/v1/clients", tenant, "clients", pageQuery(page))
			if err != nil {
				return nil, err
			}
			items := make([]clientJSON, len(cs))
			rows := make([][]string, len(cs))
			for i := range cs {
				c := cs[i].client(tenant)
				items[i] = clientView(c, "")
				rows[i] = []string{c.ID, string(c.Type), c.Name, strings.Join(c.RedirectURIs, " ")}
			}
			return &output{
				json: listJSON{Items: items, Total: total, Limit: page.Limit, Offset: page.Offset},
				human: func(w io.Writer) {
					table(w, []string{"CLIENT_ID", "TYPE", "NAME", "REDIRECT URIS"}, rows)
					footer(w, len(cs), total)
				},
			}, nil
		},
	}
}

func remoteClientDelete() *remoteCmd {
	return remoteTenantOnly(clientDelete().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		if err := api.call(ctx, http.MethodDelete, "/api/v1/clients/"+esc(pos[0]), tenant, nil, nil); err != nil {
			return nil, err
		}
		return deleted(pos[0], "client"), nil
	})
}

func remoteClientAddSecret() *remoteCmd {
	return remoteTenantOnly(clientAddSecret().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		var s struct {
			ID           string    `json:"id"`
			ClientSecret string    `json:"client_secret"`
			Hint         string    `json:"hint"`
			CreatedAt    time.Time `json:"created_at"`
		}
		if err := api.call(ctx, http.MethodPost, "/api/v1/clients/"+esc(pos[0])+"/secrets", tenant, nil, &s); err != nil {
			return nil, err
		}
		return &output{
			json: map[string]any{"id": s.ID, "client_id": pos[0], "client_secret": s.ClientSecret, "hint": s.Hint, "created_at": s.CreatedAt},
			human: func(w io.Writer) {
				kv(w, "secret id", s.ID, "client_id", pos[0])
				fmt.Fprintf(w, "\nclient_secret: %s\n(shown once: store it now; only a hash is kept)\n", s.ClientSecret)
			},
		}, nil
	})
}

func remoteClientListSecrets() *remoteCmd {
	return remoteTenantOnly(clientListSecrets().usage, 1, func(ctx context.Context, api *apiClient, tenant string, pos []string) (*output, error) {
		ss, total, err := list[secretJSON](ctx, api, "/api/v1/clients/"+esc(pos[0])+"/secrets", tenant, "secrets", nil)
		if err != nil {
			return nil, err
		}
		items := make([]secretJSON, len(ss))
		rows := make([][]string, len(ss))
		for i, s := range ss {
			items[i] = secretJSON{ID: s.ID, Hint: s.Hint, CreatedAt: s.CreatedAt}
			rows[i] = []string{s.ID, "…" + s.Hint, fmtTime(&s.CreatedAt)}
		}
		return &output{
			json:  listJSON{Items: items, Total: total, Limit: len(ss)},
			human: func(w io.Writer) { table(w, []string{"ID", "ENDS WITH", "CREATED"}, rows) },
		}, nil
	})
}

func remoteClientDeleteSecret() *remoteCmd {
	var tenantFlagValue, secretID string
	return &remoteCmd{
		usage: clientDeleteSecret().usage,
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenantFlagValue)
			fs.StringVar(&secretID, "secret-id", "", "id of the secret to delete (see list-secrets)")
		},
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			tenant, err := api.tenantFor(tenantFlagValue)
			if err != nil {
				return nil, err
			}
			if secretID == "" {
				return nil, usagef("--secret-id is required")
			}
			if err := api.call(ctx, http.MethodDelete, "/api/v1/clients/"+esc(pos[0])+"/secrets/"+esc(secretID), tenant, nil, nil); err != nil {
				return nil, err
			}
			return deleted(secretID, "secret"), nil
		},
	}
}
