package app

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// clientFlags are the settings create and update share.
type clientFlags struct {
	tenant, id, name, typ, defaultRS string
	redirects, logouts, scopes       strList
	addRedirects, removeRedirects    strList
	addLogouts, removeLogouts        strList
	requireConsent                   bool
	grace                            int
}

func (f *clientFlags) register(fs *flag.FlagSet, update bool) {
	tenantFlag(fs, &f.tenant)
	fs.StringVar(&f.name, "name", "", "display name (1-100 characters)")
	fs.Var(&f.redirects, "redirect-uri", "redirect URI (repeatable)")
	fs.Var(&f.logouts, "post-logout-redirect-uri", "post-logout redirect URI (repeatable)")
	fs.Var(&f.scopes, "scope", "scope the client may request (repeatable)")
	fs.BoolVar(&f.requireConsent, "require-consent", false, "show the consent screen")
	fs.StringVar(&f.defaultRS, "default-resource-server", "", "identifier of the resource server used as audience by default")
	fs.IntVar(&f.grace, "refresh-grace-seconds", 0, "how long a rotated refresh token may be reused (0-60)")
	if update {
		fs.Var(&f.addRedirects, "add-redirect-uri", "add a redirect URI (repeatable)")
		fs.Var(&f.removeRedirects, "remove-redirect-uri", "remove a redirect URI (repeatable)")
		fs.Var(&f.addLogouts, "add-post-logout-redirect-uri", "add a post-logout redirect URI (repeatable)")
		fs.Var(&f.removeLogouts, "remove-post-logout-redirect-uri", "remove a post-logout redirect URI (repeatable)")
		return
	}
	fs.StringVar(&f.typ, "type", "", "client type: spa, native, web or backend")
	fs.StringVar(&f.id, "id", "", "client_id; default: random")
}

func clientCreate() *mgmtCmd {
	var f clientFlags
	return &mgmtCmd{
		usage: "client create --tenant T --name NAME --type spa|native|web|backend [--redirect-uri URI]... [--scope S]... [--default-resource-server URL]",
		flags: func(fs *flag.FlagSet) { f.register(fs, false) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(f.tenant); err != nil {
				return nil, err
			}
			res, err := svc.CreateClient(ctx, f.tenant, manage.ClientInput{
				ID: f.id, Name: f.name, Type: idp.ClientType(f.typ),
				RedirectURIs: f.redirects, PostLogoutRedirectURIs: f.logouts, Scopes: f.scopes,
				RequireConsent: f.requireConsent, DefaultResourceServer: f.defaultRS, RefreshGraceSeconds: f.grace,
			})
			if err != nil {
				return nil, err
			}
			sec := ""
			if res.Secret != nil {
				sec = res.Secret.Value
			}
			return &output{json: clientView(res.Client, sec), human: clientHuman(res.Client, sec)}, nil
		},
	}
}

func clientUpdate() *mgmtCmd {
	var f clientFlags
	return &mgmtCmd{
		usage: "client update --tenant T CLIENT_ID [--name N] [--redirect-uri URI]... [--add-redirect-uri URI] [--remove-redirect-uri URI] [--scope S]... [--require-consent=BOOL] ...",
		args:  1,
		flags: func(fs *flag.FlagSet) { f.register(fs, true) },
		run: func(ctx context.Context, svc *manage.Service, pos []string, set map[string]bool) (*output, error) {
			if err := needTenant(f.tenant); err != nil {
				return nil, err
			}
			c, err := svc.UpdateClient(ctx, f.tenant, pos[0], manage.ClientPatch{
				Name:                         strIf(set, "name", f.name),
				RedirectURIs:                 listIf(set, "redirect-uri", f.redirects),
				AddRedirectURIs:              f.addRedirects,
				RemoveRedirectURIs:           f.removeRedirects,
				PostLogoutRedirectURIs:       listIf(set, "post-logout-redirect-uri", f.logouts),
				AddPostLogoutRedirectURIs:    f.addLogouts,
				RemovePostLogoutRedirectURIs: f.removeLogouts,
				Scopes:                       listIf(set, "scope", f.scopes),
				RequireConsent:               boolIf(set, "require-consent", f.requireConsent),
				DefaultResourceServer:        strIf(set, "default-resource-server", f.defaultRS),
				RefreshGraceSeconds:          intIf(set, "refresh-grace-seconds", f.grace),
			})
			if err != nil {
				return nil, err
			}
			return &output{json: clientView(c, ""), human: clientHuman(c, "")}, nil
		},
	}
}

// tenantOnly is a command whose only flag is --tenant.
func tenantOnly(usage string, args int, run func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error)) *mgmtCmd {
	var tenant string
	return &mgmtCmd{
		usage: usage,
		args:  args,
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenant) },
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			return run(ctx, svc, tenant, pos)
		},
	}
}

func clientGet() *mgmtCmd {
	return tenantOnly("client get --tenant T CLIENT_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		c, err := svc.GetClient(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		return &output{json: clientView(c, ""), human: clientHuman(c, "")}, nil
	})
}

func clientList() *mgmtCmd {
	var (
		tenant string
		page   idp.Page
	)
	return &mgmtCmd{
		usage: "client list --tenant T [--limit N] [--offset N]",
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenant); pageFlags(fs, &page) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			cs, total, err := svc.ListClients(ctx, tenant, page)
			if err != nil {
				return nil, err
			}
			items := make([]clientJSON, len(cs))
			rows := make([][]string, len(cs))
			for i := range cs {
				items[i] = clientView(&cs[i], "")
				rows[i] = []string{cs[i].ID, string(cs[i].Type), cs[i].Name, strings.Join(cs[i].RedirectURIs, " ")}
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

func clientDelete() *mgmtCmd {
	return tenantOnly("client delete --tenant T CLIENT_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		if err := svc.DeleteClient(ctx, tenant, pos[0]); err != nil {
			return nil, err
		}
		return deleted(pos[0], "client"), nil
	})
}

func clientAddSecret() *mgmtCmd {
	return tenantOnly("client add-secret --tenant T CLIENT_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		s, err := svc.AddClientSecret(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		return &output{
			json: map[string]any{"id": s.ID, "client_id": pos[0], "client_secret": s.Value, "hint": s.Hint, "created_at": s.CreatedAt},
			human: func(w io.Writer) {
				kv(w, "secret id", s.ID, "client_id", pos[0])
				fmt.Fprintf(w, "\nclient_secret: %s\n(shown once: store it now; only a hash is kept)\n", s.Value)
			},
		}, nil
	})
}

func clientListSecrets() *mgmtCmd {
	return tenantOnly("client list-secrets --tenant T CLIENT_ID", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		ss, err := svc.ListClientSecrets(ctx, tenant, pos[0])
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
			json:  listJSON{Items: items, Total: len(ss), Limit: len(ss)},
			human: func(w io.Writer) { table(w, []string{"ID", "ENDS WITH", "CREATED"}, rows) },
		}, nil
	})
}

func clientDeleteSecret() *mgmtCmd {
	var tenant, secretID string
	return &mgmtCmd{
		usage: "client delete-secret --tenant T --secret-id ID CLIENT_ID",
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&secretID, "secret-id", "", "id of the secret to delete (see list-secrets)")
		},
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			if secretID == "" {
				return nil, usagef("--secret-id is required")
			}
			if err := svc.DeleteClientSecret(ctx, tenant, pos[0], secretID); err != nil {
				return nil, err
			}
			return deleted(secretID, "secret"), nil
		},
	}
}
