package app

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// tenantFlags are the settings create and update share.
type tenantFlags struct {
	id, name, account, signingAlg   string
	allowRegistration               bool
	authMethods, origins            strList
	addOrigins, removeOrigins       strList
	accessTTL, idTTL                int
	refreshTTL, refreshAbsTTL       int
	sessionTTL, sessionIdleTTL      int
	fromName, fromAddress, language string
}

func (f *tenantFlags) register(fs *flag.FlagSet, update bool) {
	fs.StringVar(&f.name, "name", "", "display name")
	fs.BoolVar(&f.allowRegistration, "allow-registration", false, "let unknown emails sign up")
	fs.Var(&f.authMethods, "auth-method", "enabled login method: magic_link, passkey, social, sso, password (repeatable)")
	fs.Var(&f.origins, "allowed-origin", "browser origin scheme://host[:port] allowed by CORS and WebAuthn (repeatable)")
	fs.StringVar(&f.signingAlg, "signing-alg", "", "signing algorithm: RS256, ES256 or EdDSA")
	fs.IntVar(&f.accessTTL, "access-token-ttl", 0, "access token lifetime in seconds")
	fs.IntVar(&f.idTTL, "id-token-ttl", 0, "ID token lifetime in seconds")
	fs.IntVar(&f.refreshTTL, "refresh-token-ttl", 0, "refresh token idle lifetime in seconds")
	fs.IntVar(&f.refreshAbsTTL, "refresh-absolute-ttl", 0, "refresh token family absolute lifetime in seconds")
	fs.IntVar(&f.sessionTTL, "session-ttl", 0, "login session absolute lifetime in seconds")
	fs.IntVar(&f.sessionIdleTTL, "session-idle-ttl", 0, "login session idle lifetime in seconds")
	fs.StringVar(&f.fromName, "email-from-name", "", "sender name of this tenant's mail")
	fs.StringVar(&f.fromAddress, "email-from-address", "", "sender address of this tenant's mail")
	fs.StringVar(&f.language, "default-language", "", "default language of the hosted pages, e.g. en")
	if update {
		fs.Var(&f.addOrigins, "add-allowed-origin", "add an allowed origin (repeatable)")
		fs.Var(&f.removeOrigins, "remove-allowed-origin", "remove an allowed origin (repeatable)")
		return
	}
	fs.StringVar(&f.id, "id", "", "tenant id (DNS label); default: a random readable id")
	fs.StringVar(&f.account, "account", "", "owning account id; default: the first administrator's account")
}

func tenantCreate() *mgmtCmd {
	var f tenantFlags
	return &mgmtCmd{
		usage: "tenant create --name NAME [--id ID] [--allow-registration] [--allowed-origin ORIGIN]... [--signing-alg ALG]",
		flags: func(fs *flag.FlagSet) { f.register(fs, false) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			t, err := svc.CreateTenant(ctx, manage.TenantInput{
				ID: f.id, AccountID: f.account, Name: f.name, AllowRegistration: f.allowRegistration,
				AuthMethods: f.authMethods, AllowedOrigins: f.origins, SigningAlg: f.signingAlg,
				AccessTokenTTL: f.accessTTL, IDTokenTTL: f.idTTL, RefreshTokenTTL: f.refreshTTL,
				RefreshAbsoluteTTL: f.refreshAbsTTL, SessionTTL: f.sessionTTL, SessionIdleTTL: f.sessionIdleTTL,
				EmailFromName: f.fromName, EmailFromAddress: f.fromAddress, DefaultLanguage: f.language,
			})
			if err != nil {
				return nil, err
			}
			return &output{json: tenantView(t), human: tenantHuman(t)}, nil
		},
	}
}

func tenantUpdate() *mgmtCmd {
	var f tenantFlags
	return &mgmtCmd{
		usage: "tenant update TENANT_ID [--name NAME] [--allow-registration=BOOL] [--allowed-origin O]... [--add-allowed-origin O] [--remove-allowed-origin O] [--signing-alg ALG] [--access-token-ttl S] ...",
		args:  1,
		flags: func(fs *flag.FlagSet) { f.register(fs, true) },
		run: func(ctx context.Context, svc *manage.Service, pos []string, set map[string]bool) (*output, error) {
			p := manage.TenantPatch{
				Name:                 strIf(set, "name", f.name),
				AllowRegistration:    boolIf(set, "allow-registration", f.allowRegistration),
				AuthMethods:          listIf(set, "auth-method", f.authMethods),
				AllowedOrigins:       listIf(set, "allowed-origin", f.origins),
				AddAllowedOrigins:    f.addOrigins,
				RemoveAllowedOrigins: f.removeOrigins,
				SigningAlg:           strIf(set, "signing-alg", f.signingAlg),
				AccessTokenTTL:       intIf(set, "access-token-ttl", f.accessTTL),
				IDTokenTTL:           intIf(set, "id-token-ttl", f.idTTL),
				RefreshTokenTTL:      intIf(set, "refresh-token-ttl", f.refreshTTL),
				RefreshAbsoluteTTL:   intIf(set, "refresh-absolute-ttl", f.refreshAbsTTL),
				SessionTTL:           intIf(set, "session-ttl", f.sessionTTL),
				SessionIdleTTL:       intIf(set, "session-idle-ttl", f.sessionIdleTTL),
				EmailFromName:        strIf(set, "email-from-name", f.fromName),
				EmailFromAddress:     strIf(set, "email-from-address", f.fromAddress),
				DefaultLanguage:      strIf(set, "default-language", f.language),
			}
			t, err := svc.UpdateTenant(ctx, pos[0], p)
			if err != nil {
				return nil, err
			}
			return &output{json: tenantView(t), human: tenantHuman(t)}, nil
		},
	}
}

func tenantGet() *mgmtCmd {
	return &mgmtCmd{
		usage: "tenant get TENANT_ID",
		args:  1,
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			t, err := svc.GetTenant(ctx, pos[0])
			if err != nil {
				return nil, err
			}
			return &output{json: tenantView(t), human: tenantHuman(t)}, nil
		},
	}
}

func tenantList() *mgmtCmd {
	var page idp.Page
	return &mgmtCmd{
		usage: "tenant list [--limit N] [--offset N]",
		flags: func(fs *flag.FlagSet) { pageFlags(fs, &page) },
		run: func(ctx context.Context, svc *manage.Service, _ []string, _ map[string]bool) (*output, error) {
			ts, total, err := svc.ListTenants(ctx, page)
			if err != nil {
				return nil, err
			}
			items := make([]tenantJSON, len(ts))
			rows := make([][]string, len(ts))
			for i := range ts {
				items[i] = tenantView(&ts[i])
				name := ts[i].Name
				if ts[i].Admin {
					name += " (admin)"
				}
				rows[i] = []string{ts[i].ID, name, ts[i].Issuer}
			}
			return &output{
				json: listJSON{Items: items, Total: total, Limit: page.Limit, Offset: page.Offset},
				human: func(w io.Writer) {
					table(w, []string{"ID", "NAME", "ISSUER"}, rows)
					footer(w, len(ts), total)
				},
			}, nil
		},
	}
}

func tenantDelete() *mgmtCmd {
	return &mgmtCmd{
		usage: "tenant delete TENANT_ID",
		args:  1,
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			if err := svc.DeleteTenant(ctx, pos[0]); err != nil {
				return nil, err
			}
			return deleted(pos[0], "tenant"), nil
		},
	}
}

func tenantSuspend() *mgmtCmd {
	return &mgmtCmd{
		usage: "tenant suspend TENANT_ID",
		args:  1,
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			t, err := svc.SuspendTenant(ctx, pos[0])
			if err != nil {
				return nil, err
			}
			return tenantStatusOutput(t), nil
		},
	}
}

func tenantResume() *mgmtCmd {
	return &mgmtCmd{
		usage: "tenant resume TENANT_ID",
		args:  1,
		run: func(ctx context.Context, svc *manage.Service, pos []string, _ map[string]bool) (*output, error) {
			t, err := svc.ResumeTenant(ctx, pos[0])
			if err != nil {
				return nil, err
			}
			return tenantStatusOutput(t), nil
		},
	}
}

// tenantStatusOutput is the output of suspend and resume: the tenant, and
// one line saying what its issuer now does.
func tenantStatusOutput(t *manage.TenantResult) *output {
	return &output{json: tenantView(t), human: func(w io.Writer) {
		if t.Suspended() {
			fmt.Fprintf(w, "Suspended tenant %s: %s refuses every request until `authalla tenant resume %s`.\n", t.ID, t.Issuer, t.ID)
			return
		}
		fmt.Fprintf(w, "Tenant %s is active: %s serves.\n", t.ID, t.Issuer)
	}}
}

// deleted is the output of every delete command.
func deleted(id, kind string) *output {
	return &output{
		json:  map[string]any{"id": id, "deleted": true},
		human: func(w io.Writer) { fmt.Fprintf(w, "Deleted %s %s.\n", kind, id) },
	}
}

// footer notes a truncated listing.
func footer(w io.Writer, shown, total int) {
	if total > shown {
		fmt.Fprintf(w, "(%d of %d; use --limit and --offset)\n", shown, total)
	}
}
