package app

import (
	"context"
	"flag"
	"io"
	"net/http"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// result turns a tenant of the API (whose JSON names are those of
// tenantJSON) into the value the local output functions print.
func (t *tenantJSON) result() *manage.TenantResult {
	return &manage.TenantResult{Issuer: t.Issuer, Tenant: &idp.Tenant{
		ID: t.ID, AccountID: t.AccountID, Name: t.Name, Admin: t.Admin,
		Status: idp.TenantStatus(t.Status), SuspendedAt: t.SuspendedAt,
		AllowRegistration: t.AllowRegistration, AuthMethods: t.AuthMethods, AllowedOrigins: t.AllowedOrigins,
		SigningAlg: t.SigningAlg, AccessTokenTTL: t.AccessTokenTTL, IDTokenTTL: t.IDTokenTTL,
		RefreshTokenTTL: t.RefreshTokenTTL, RefreshAbsoluteTTL: t.RefreshAbsoluteTTL,
		SessionTTL: t.SessionTTL, SessionIdleTTL: t.SessionIdleTTL,
		EmailFromName: t.EmailFromName, EmailFromAddress: t.EmailFromAddress, DefaultLanguage: t.DefaultLanguage,
		CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}}
}

// tenantOutput prints a tenant of the API like the local commands do.
func tenantOutput(t *tenantJSON) *output {
	r := t.result()
	return &output{json: tenantView(r), human: tenantHuman(r)}
}

// body returns the JSON fields of the tenant flags that were given.
func (f *tenantFlags) body(set map[string]bool) body {
	b := body{}
	b.put(set, "id", "id", f.id)
	b.put(set, "account", "account_id", f.account)
	b.put(set, "name", "name", f.name)
	b.put(set, "allow-registration", "allow_registration", f.allowRegistration)
	b.put(set, "auth-method", "auth_methods", []string(f.authMethods))
	b.put(set, "allowed-origin", "allowed_origins", []string(f.origins))
	b.putList("add_allowed_origins", f.addOrigins)
	b.putList("remove_allowed_origins", f.removeOrigins)
	b.put(set, "signing-alg", "signing_alg", f.signingAlg)
	b.put(set, "access-token-ttl", "access_token_ttl", f.accessTTL)
	b.put(set, "id-token-ttl", "id_token_ttl", f.idTTL)
	b.put(set, "refresh-token-ttl", "refresh_token_ttl", f.refreshTTL)
	b.put(set, "refresh-absolute-ttl", "refresh_absolute_ttl", f.refreshAbsTTL)
	b.put(set, "session-ttl", "session_ttl", f.sessionTTL)
	b.put(set, "session-idle-ttl", "session_idle_ttl", f.sessionIdleTTL)
	b.put(set, "email-from-name", "email_from_name", f.fromName)
	b.put(set, "email-from-address", "email_from_address", f.fromAddress)
	b.put(set, "default-language", "default_language", f.language)
	return b
}

func remoteTenantCreate() *remoteCmd {
	var f tenantFlags
	return &remoteCmd{
		usage: tenantCreate().usage,
		flags: func(fs *flag.FlagSet) { f.register(fs, false) },
		run: func(ctx context.Context, api *apiClient, _ []string, set map[string]bool) (*output, error) {
			var t tenantJSON
			if err := api.call(ctx, http.MethodPost, "/api/v1/tenants", "", f.body(set), &t); err != nil {
				return nil, err
			}
			return tenantOutput(&t), nil
		},
	}
}

func remoteTenantUpdate() *remoteCmd {
	var f tenantFlags
	return &remoteCmd{
		usage: tenantUpdate().usage,
		args:  1,
		flags: func(fs *flag.FlagSet) { f.register(fs, true) },
		run: func(ctx context.Context, api *apiClient, pos []string, set map[string]bool) (*output, error) {
			var t tenantJSON
			if err := api.call(ctx, http.MethodPatch, "/api/v1/tenants/"+esc(pos[0]), "", f.body(set), &t); err != nil {
				return nil, err
			}
			return tenantOutput(&t), nil
		},
	}
}

func remoteTenantGet() *remoteCmd {
	return &remoteCmd{
		usage: "tenant get TENANT_ID",
		args:  1,
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			var t tenantJSON
			if err := api.call(ctx, http.MethodGet, "/api/v1/tenants/"+esc(pos[0]), "", nil, &t); err != nil {
				return nil, err
			}
			return tenantOutput(&t), nil
		},
	}
}

func remoteTenantList() *remoteCmd {
	var page idp.Page
	return &remoteCmd{
		usage: "tenant list [--limit N] [--offset N]",
		flags: func(fs *flag.FlagSet) { pageFlags(fs, &page) },
		run: func(ctx context.Context, api *apiClient, _ []string, _ map[string]bool) (*output, error) {
			ts, total, err := list[tenantJSON](ctx, api, "/api/v1/tenants", "", "tenants", pageQuery(page))
			if err != nil {
				return nil, err
			}
			items := make([]tenantJSON, len(ts))
			rows := make([][]string, len(ts))
			for i := range ts {
				items[i] = tenantView(ts[i].result())
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

func remoteTenantDelete() *remoteCmd {
	return &remoteCmd{
		usage: "tenant delete TENANT_ID",
		args:  1,
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			if err := api.call(ctx, http.MethodDelete, "/api/v1/tenants/"+esc(pos[0]), "", nil, nil); err != nil {
				return nil, err
			}
			return deleted(pos[0], "tenant"), nil
		},
	}
}

func remoteTenantSuspend() *remoteCmd { return remoteTenantStatus(tenantSuspend().usage, "suspend") }

func remoteTenantResume() *remoteCmd { return remoteTenantStatus(tenantResume().usage, "resume") }

// remoteTenantStatus suspends or resumes a tenant (verb) through the API.
func remoteTenantStatus(usage, verb string) *remoteCmd {
	return &remoteCmd{
		usage: usage,
		args:  1,
		run: func(ctx context.Context, api *apiClient, pos []string, _ map[string]bool) (*output, error) {
			var t tenantJSON
			if err := api.call(ctx, http.MethodPost, "/api/v1/tenants/"+esc(pos[0])+"/"+verb, "", nil, &t); err != nil {
				return nil, err
			}
			return tenantStatusOutput(t.result()), nil
		},
	}
}
