package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/authalla/authalla/internal/cliauth"
)

// remoteTimeout bounds every HTTP call of the remote CLI.
const remoteTimeout = 30 * time.Second

// remoteCmd is a management command run against a remote server through
// its API (/api/v1), with the flags and output of its local twin.
type remoteCmd struct {
	usage string
	args  int
	flags func(fs *flag.FlagSet)
	run   func(ctx context.Context, api *apiClient, pos []string, set map[string]bool) (*output, error)
}

// remoteGroups mirrors groups for remote mode; a verb missing here works
// only locally (it needs the server's database, e.g. sign-in-link).
var remoteGroups = map[string]map[string]func() *remoteCmd{
	"tenant": {
		"create": remoteTenantCreate, "list": remoteTenantList, "get": remoteTenantGet,
		"update": remoteTenantUpdate, "delete": remoteTenantDelete,
		"suspend": remoteTenantSuspend, "resume": remoteTenantResume,
	},
	"client": {
		"create": remoteClientCreate, "list": remoteClientList, "get": remoteClientGet,
		"update": remoteClientUpdate, "delete": remoteClientDelete,
		"add-secret": remoteClientAddSecret, "list-secrets": remoteClientListSecrets, "delete-secret": remoteClientDeleteSecret,
	},
	"user": {
		"create": remoteUserCreate, "list": remoteUserList, "get": remoteUserGet,
		"update": remoteUserUpdate, "delete": remoteUserDelete, "suspend": remoteUserSuspend,
	},
	"resource-server": {
		"create": remoteRSCreate, "list": remoteRSList, "get": remoteRSGet,
		"update": remoteRSUpdate, "delete": remoteRSDelete, "add-scope": remoteRSAddScope,
	},
	"keys": {
		"list": remoteKeysList, "rotate": remoteKeysRotate,
		"stage": remoteKeysStage, "activate": remoteKeysActivate, "retire": remoteKeysRetire,
	},
}

// selectTarget decides where a management command runs: remotely when
// --server is given or the user is logged in (a credentials file
// exists), locally when --local is given or neither holds. It returns
// the arguments without --local.
func selectTarget(e *env, args []string) (remote bool, rest []string, err error) {
	local, server := false, false
	for i, a := range args {
		if a == "--" { // the rest are positional arguments
			rest = append(rest, args[i:]...)
			break
		}
		switch name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "="); {
		case strings.HasPrefix(a, "-") && name == "local":
			local = true
			continue
		case strings.HasPrefix(a, "-") && name == "server":
			server = true
		}
		rest = append(rest, a)
	}
	switch {
	case local && server:
		return false, nil, usagef("--local and --server exclude each other")
	case local:
		return false, rest, nil
	case server:
		return true, rest, nil
	}
	path, err := cliauth.Path(e.getenv)
	if err != nil {
		return false, rest, nil // no configuration directory: nobody logged in
	}
	if _, err := os.Stat(path); err == nil {
		return true, rest, nil
	}
	return false, rest, nil
}

// remoteHTTP returns the HTTP client of remote calls: every call is
// bounded by remoteTimeout.
func (e *env) remoteHTTP() *http.Client {
	if e.httpClient != nil {
		return e.httpClient
	}
	return &http.Client{Timeout: remoteTimeout}
}

// runRemote runs "authalla GROUP VERB" against the API of the server the
// user logged in to.
func runRemote(ctx context.Context, e *env, group, verb string, args []string) int {
	mk, ok := remoteGroups[group][verb]
	if !ok {
		return fail(e, usagef("authalla %s %s works only on the local database: add --local (and run it where the server's database is)", group, verb))
	}
	c := mk()
	fs := flag.NewFlagSet("authalla "+group+" "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print machine-readable JSON")
	server := fs.String("server", "", "URL of the server logged in to with \"authalla login\" (default: the stored one)")
	if c.flags != nil {
		c.flags(fs)
	}
	pos, set, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		// Configuration flags (--data-dir, ...) belong to local mode.
		return fail(e, usagef("%v (this command runs against the remote server you logged in to; add --local to work on a local database)", err))
	}
	if len(pos) != c.args {
		return fail(e, usagef("usage: authalla %s", c.usage))
	}
	api, err := openAPI(e, *server)
	if err != nil {
		return fail(e, err)
	}
	out, err := c.run(ctx, api, pos, set)
	if err != nil {
		return fail(e, err)
	}
	if err := out.write(e.stdout, *asJSON); err != nil {
		return fail(e, err)
	}
	return 0
}

// openAPI loads the stored credentials; server, when given, must be the
// one they are for.
func openAPI(e *env, server string) (*apiClient, error) {
	path, err := cliauth.Path(e.getenv)
	if err != nil {
		return nil, err
	}
	creds, err := cliauth.Load(path)
	if err != nil {
		return nil, err
	}
	if server != "" {
		s, err := cliauth.NormalizeServer(server)
		if err != nil {
			return nil, &usageError{msg: err.Error()}
		}
		if s != creds.Server {
			return nil, fmt.Errorf("not logged in to %s (logged in to %s): run \"authalla login --server %s\"", s, creds.Server, s)
		}
	}
	hc := e.remoteHTTP()
	return &apiClient{
		http:   hc,
		base:   creds.Issuer,
		tenant: creds.DefaultTenant,
		tokens: &cliauth.Tokens{Path: path, Creds: creds, HTTP: hc},
	}, nil
}
