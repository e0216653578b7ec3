package app

import (
	"context"
	"flag"
	"io"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

func scopesOf(values []string) []idp.ResourceScope {
	out := make([]idp.ResourceScope, len(values))
	for i, v := range values {
		out[i] = idp.ResourceScope{Value: v}
	}
	return out
}

func rsCreate() *mgmtCmd {
	var (
		tenant, identifier, name, prefix string
		scopes                           strList
	)
	return &mgmtCmd{
		usage: "resource-server create --tenant T --identifier URL --name NAME [--scope-prefix P] [--scope S]...",
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&identifier, "identifier", "", "the API's URL: the audience of its tokens")
			fs.StringVar(&name, "name", "", "display name")
			fs.StringVar(&prefix, "scope-prefix", "", "immutable prefix of every scope, e.g. orders: (default: derived from the identifier)")
			fs.Var(&scopes, "scope", "scope, starting with the prefix (repeatable)")
		},
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			r, err := svc.CreateResourceServer(ctx, tenant, manage.ResourceServerInput{
				Identifier: identifier, Name: name, ScopePrefix: prefix, Scopes: scopesOf(scopes),
			})
			if err != nil {
				return nil, err
			}
			return &output{json: resourceServerView(r), human: resourceServerHuman(r)}, nil
		},
	}
}

func rsUpdate() *mgmtCmd {
	var (
		tenant, name string
		scopes       strList
	)
	return &mgmtCmd{
		usage: "resource-server update --tenant T ID|IDENTIFIER [--name NAME] [--scope S]...",
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&name, "name", "", "display name")
			fs.Var(&scopes, "scope", "scope (repeatable; replaces the list)")
		},
		run: func(ctx context.Context, svc *manage.Service, pos []string, set map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			p := manage.ResourceServerPatch{Name: strIf(set, "name", name)}
			if set["scope"] {
				sc := scopesOf(scopes)
				p.Scopes = &sc
			}
			r, err := svc.UpdateResourceServer(ctx, tenant, pos[0], p)
			if err != nil {
				return nil, err
			}
			return &output{json: resourceServerView(r), human: resourceServerHuman(r)}, nil
		},
	}
}

func rsAddScope() *mgmtCmd {
	var tenant, scope, description string
	var toAll bool
	return &mgmtCmd{
		usage: "resource-server add-scope --tenant T --scope S [--description D] [--granted-to-all] ID|IDENTIFIER",
		args:  1,
		flags: func(fs *flag.FlagSet) {
			tenantFlag(fs, &tenant)
			fs.StringVar(&scope, "scope", "", "the scope, starting with the prefix")
			fs.StringVar(&description, "description", "", "what the scope allows")
			fs.BoolVar(&toAll, "granted-to-all", false, "grant the scope to every user")
		},
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			r, err := svc.AddResourceServerScope(ctx, tenant, pos[0], idp.ResourceScope{Value: scope, Description: description, GrantedToAll: toAll})
			if err != nil {
				return nil, err
			}
			return &output{json: resourceServerView(r), human: resourceServerHuman(r)}, nil
		},
	}
}

func rsGet() *mgmtCmd {
	return tenantOnly("resource-server get --tenant T ID|IDENTIFIER", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		r, err := svc.GetResourceServer(ctx, tenant, pos[0])
		if err != nil {
			return nil, err
		}
		return &output{json: resourceServerView(r), human: resourceServerHuman(r)}, nil
	})
}

func rsDelete() *mgmtCmd {
	return tenantOnly("resource-server delete --tenant T ID|IDENTIFIER", 1, func(ctx context.Context, svc *manage.Service, tenant string, pos []string) (*output, error) {
		if err := svc.DeleteResourceServer(ctx, tenant, pos[0]); err != nil {
			return nil, err
		}
		return deleted(pos[0], "resource server"), nil
	})
}

func rsList() *mgmtCmd {
	var (
		tenant string
		page   idp.Page
	)
	return &mgmtCmd{
		usage: "resource-server list --tenant T [--limit N] [--offset N]",
		flags: func(fs *flag.FlagSet) { tenantFlag(fs, &tenant); pageFlags(fs, &page) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			if err := needTenant(tenant); err != nil {
				return nil, err
			}
			rs, total, err := svc.ListResourceServers(ctx, tenant, page)
			if err != nil {
				return nil, err
			}
			items := make([]resourceServerJSON, len(rs))
			rows := make([][]string, len(rs))
			for i := range rs {
				items[i] = resourceServerView(&rs[i])
				rows[i] = []string{rs[i].ID, rs[i].Identifier, rs[i].Name, rs[i].ScopePrefix}
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
