package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os/exec"
	"runtime"

	"github.com/authalla/authalla/internal/cliauth"
	"github.com/authalla/authalla/internal/manage"
)

// runLogin signs the operator in to a remote server through the browser
// and stores the tokens for the management commands.
func runLogin(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("authalla login", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	server := fs.String("server", "", "URL of the server (its admin issuer), e.g. https://auth.example.com (required)")
	tenant := fs.String("tenant", "", "tenant the management commands work on when they get no --tenant")
	noBrowser := fs.Bool("no-browser", false, "do not try to open a browser; only print the URL")
	pos, _, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, &usageError{msg: err.Error()})
	}
	if len(pos) != 0 || *server == "" {
		return fail(e, usagef("usage: authalla login --server URL [--tenant ID] [--no-browser]"))
	}
	srv, err := cliauth.NormalizeServer(*server)
	if err != nil {
		return fail(e, &usageError{msg: err.Error()})
	}
	path, err := cliauth.Path(e.getenv)
	if err != nil {
		return fail(e, err)
	}
	open := e.openURL
	if open == nil {
		open = openBrowser
	}
	if *noBrowser {
		open = nil
	}
	hc := e.remoteHTTP()
	creds, err := cliauth.Login(ctx, cliauth.LoginOptions{
		Server: srv, ClientID: manage.CLIClientID,
		Scopes:   append([]string{"openid", "offline_access"}, manage.ManagementScopes...),
		Resource: manage.ManagementAPI,
		HTTP:     hc, Open: open, Out: e.stderr,
	})
	if err != nil {
		return fail(e, err)
	}
	creds.DefaultTenant = *tenant
	// A previous login's tokens are replaced: revoke them (best effort;
	// they expire anyway).
	if old, err := cliauth.Load(path); err == nil && old.RefreshToken != creds.RefreshToken {
		defer func() {
			if err := cliauth.Revoke(ctx, hc, old); err != nil {
				fmt.Fprintf(e.stderr, "authalla: note: the previous login's tokens could not be revoked: %v\n", err)
			}
		}()
	}
	if err := cliauth.Save(path, creds); err != nil {
		return fail(e, err)
	}
	who := whoAmI(ctx, e)
	fmt.Fprintf(e.stdout, "Logged in to %s%s.\n", creds.Server, who)
	if creds.DefaultTenant != "" {
		fmt.Fprintf(e.stdout, "Default tenant: %s\n", creds.DefaultTenant)
		checkDefaultTenant(ctx, e, creds.DefaultTenant)
	}
	fmt.Fprintf(e.stdout, "Credentials saved in %s\n", path)
	return 0
}

// whoAmI asks the API who the token belongs to (" as EMAIL"), or "" when
// it cannot tell.
func whoAmI(ctx context.Context, e *env) string {
	api, err := openAPI(e, "")
	if err != nil {
		return ""
	}
	var me struct {
		User *struct {
			Email string `json:"email"`
		} `json:"user"`
	}
	if err := api.call(ctx, http.MethodGet, "/api/v1/me", "", nil, &me); err != nil || me.User == nil {
		if err != nil {
			fmt.Fprintf(e.stderr, "authalla: note: %s/api/v1/me: %v\n", api.base, err)
		}
		return ""
	}
	return " as " + me.User.Email
}

// checkDefaultTenant warns when the default tenant is not one the
// administrator can see (a typo would otherwise surface on every command).
func checkDefaultTenant(ctx context.Context, e *env, tenant string) {
	api, err := openAPI(e, "")
	if err != nil {
		return
	}
	if err := api.call(ctx, http.MethodGet, "/api/v1/tenants/"+esc(tenant), "", nil, nil); err != nil {
		fmt.Fprintf(e.stderr, "authalla: warning: default tenant %q: %v\n", tenant, err)
	}
}

// openBrowser tries to show url in the desktop's browser and ignores
// every failure (a server over ssh has none; the URL is printed too).
func openBrowser(url string) {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "darwin":
		cmd = exec.Command("open", url)
	case "windows":
		cmd = exec.Command("rundll32", "url.dll,FileProtocolHandler", url)
	default:
		cmd = exec.Command("xdg-open", url)
	}
	if err := cmd.Start(); err != nil {
		return
	}
	go cmd.Wait() // reap it
}
