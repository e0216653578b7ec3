package app

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strings"

	"github.com/authalla/authalla/internal/store/sqlstore"
)

// Version is the release version, set at build time with
// -ldflags "-X github.com/authalla/authalla/internal/app.Version=v1.2.3".
var Version = "dev"

// Main runs the subcommand named by args[0] (serve when absent, or when
// the arguments start with a flag) and returns the process exit code: 0
// on success, 1 when an operation failed, 2 for usage or configuration
// errors.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return run(ctx, &env{stdout: stdout, stderr: stderr, getenv: os.Getenv}, args)
}

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
			printHelp(e.stdout)
			return 0
		}
		return runServe(ctx, e, args)
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, e, args[1:])
	case "migrate":
		return runMigrate(ctx, e, args[1:])
	case "version":
		return runVersion(e, args[1:])
	case "help":
		printHelp(e.stdout)
		return 0
	case "login":
		return runLogin(ctx, e, args[1:])
	case "logout":
		return runLogout(ctx, e, args[1:])
	case "seed":
		return runSeed(ctx, e, args[1:])
	}
	group, ok := groups[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "authalla: unknown command %q\n\n", args[0])
		printHelp(e.stderr)
		return 2
	}
	if len(args) < 2 || args[1] == "help" || args[1] == "-h" || args[1] == "--help" {
		printGroupHelp(e.stdout, args[0], group)
		return 0
	}
	mk, ok := group[args[1]]
	if !ok {
		fmt.Fprintf(e.stderr, "authalla: unknown command %q %q\n\n", args[0], args[1])
		printGroupHelp(e.stderr, args[0], group)
		return 2
	}
	ctx = withStderr(ctx, e.stderr)
	remote, rest, err := selectTarget(e, args[2:])
	if err != nil {
		return fail(e, err)
	}
	if remote {
		return runRemote(ctx, e, args[0], args[1], rest)
	}
	return runMgmt(ctx, e, args[0]+" "+args[1], mk(), rest)
}

// groups lists the management commands: group → verb → constructor (each
// run gets fresh flag variables).
var groups = map[string]map[string]func() *mgmtCmd{
	"tenant": {
		"create": tenantCreate, "list": tenantList, "get": tenantGet,
		"update": tenantUpdate, "delete": tenantDelete,
		"suspend": tenantSuspend, "resume": tenantResume,
	},
	"client": {
		"create": clientCreate, "list": clientList, "get": clientGet,
		"update": clientUpdate, "delete": clientDelete,
		"add-secret": clientAddSecret, "list-secrets": clientListSecrets, "delete-secret": clientDeleteSecret,
	},
	"user": {
		"create": userCreate, "list": userList, "get": userGet,
		"update": userUpdate, "delete": userDelete, "suspend": userSuspend,
		"sign-in-link": userSignInLink,
	},
	"resource-server": {
		"create": rsCreate, "list": rsList, "get": rsGet,
		"update": rsUpdate, "delete": rsDelete, "add-scope": rsAddScope,
	},
	"keys": {
		"list": keysList, "rotate": keysRotate,
		"stage": keysStage, "activate": keysActivate, "retire": keysRetire,
	},
	"theme": {
		"get": themeGet, "update": themeUpdate, "reset": themeReset,
		"set-logo": themeSetLogo, "set-icon": themeSetIcon,
	},
}

func printHelp(w io.Writer) {
	fmt.Fprint(w, `Authalla: a multi-tenant OAuth 2.1 / OpenID Connect identity provider.

Usage:
  authalla [serve] [flags]            run the server (the default)
  authalla migrate [flags]            apply database migrations and exit
  authalla version [--json]           print the version
  authalla tenant          create|list|get|update|delete|suspend|resume ...
  authalla client          create|list|get|update|delete|add-secret|list-secrets|delete-secret ...
  authalla user            create|list|get|update|delete|suspend|sign-in-link ...
  authalla resource-server create|list|get|update|delete|add-scope ...
  authalla keys            list|rotate ...
  authalla theme           get|update|reset|set-logo|set-icon ...
  authalla login --server URL [--tenant ID]   sign in to a remote server (browser, PKCE)
  authalla logout                             revoke the stored tokens and forget them
  authalla seed --tenants N --users N [--large-tenant-users N]   bulk-load the scale data set
  authalla help

Every command takes the configuration flags (--data-dir, --database-url,
--master-key, --public-url, ...; see "authalla serve -h") and the matching
AUTHALLA_* environment variables. Management commands work on the local
database and take --json for machine-readable output. After "authalla
login" (or with --server URL) they call the server's API instead; --local
forces the local database.
`)
}

func printGroupHelp(w io.Writer, name string, group map[string]func() *mgmtCmd) {
	verbs := make([]string, 0, len(group))
	for v := range group {
		verbs = append(verbs, v)
	}
	sort.Strings(verbs)
	fmt.Fprintf(w, "Usage:\n")
	for _, v := range verbs {
		fmt.Fprintf(w, "  authalla %s\n", group[v]().usage)
	}
	fmt.Fprintf(w, "\nRun \"authalla %s VERB -h\" for the flags of one command.\n", name)
}

// runVersion prints the version and build information.
func runVersion(e *env, args []string) int {
	fs := flag.NewFlagSet("authalla version", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	v := struct {
		Version  string `json:"version"`
		Commit   string `json:"commit,omitempty"`
		Go       string `json:"go"`
		Schema   int    `json:"schema_version"`
		Platform string `json:"platform"`
	}{Version: Version, Go: runtime.Version(), Schema: sqlstore.SchemaVersion(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				v.Commit = s.Value
			}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		enc.Encode(v)
		return 0
	}
	fmt.Fprintf(e.stdout, "authalla %s", v.Version)
	if v.Commit != "" {
		fmt.Fprintf(e.stdout, " (%s)", shortCommit(v.Commit))
	}
	fmt.Fprintf(e.stdout, " %s %s, schema %d\n", v.Go, v.Platform, v.Schema)
	return 0
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
