package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
)

// env is one invocation's environment.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// httpClient, when set, replaces the remote commands' HTTP client
	// (tests); openURL, when set, replaces opening the system browser.
	httpClient *http.Client
	openURL    func(string)
}

// mgmtCmd is a local management command: it parses the configuration and
// its own flags, opens the database and calls manage as the CLI actor.
type mgmtCmd struct {
	// usage is the synopsis after "authalla ", e.g. "client get --tenant T CLIENT_ID".
	usage string
	// args is how many positional arguments the command takes (0 or 1).
	args int
	// flags registers the command's own flags.
	flags func(fs *flag.FlagSet)
	// run performs the operation; pos holds the positional arguments and
	// set the names of the flags given.
	run func(ctx context.Context, svc *manage.Service, pos []string, set map[string]bool) (*output, error)
}

// loadConfig builds the configuration from defaults, the environment and
// the flags on fs (registered by this function), which also holds the
// command's own flags. Settings derived in Finish are re-derived after the
// flags are parsed.
func loadConfig(e *env, fs *flag.FlagSet) (*config.Config, error) {
	base, err := config.Load(fs.Name(), nil, e.getenv, e.stderr)
	if err != nil {
		return nil, &configError{err: err}
	}
	if e.getenv("AUTHALLA_DATABASE_URL") == "" {
		base.DatabaseURL = ""
	}
	if e.getenv("AUTHALLA_BASE_DOMAIN") == "" {
		base.BaseDomain = ""
	}
	base.RegisterFlags(fs)
	return base, nil
}

// parseCommand registers the configuration flags, --json and the
// command's flags on one FlagSet, parses args and validates the result.
func parseCommand(e *env, name string, args []string, own func(fs *flag.FlagSet)) (*config.Config, bool, []string, map[string]bool, error) {
	fs := flag.NewFlagSet("authalla "+name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	cfg, err := loadConfig(e, fs)
	if err != nil {
		return nil, false, nil, nil, err
	}
	asJSON := fs.Bool("json", false, "print machine-readable JSON")
	if own != nil {
		own(fs)
	}
	pos, set, err := parseInterleaved(fs, args)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, false, nil, nil, err
		}
		return nil, false, nil, nil, &usageError{msg: err.Error()}
	}
	if err := cfg.Finish(); err != nil {
		return nil, false, nil, nil, &configError{err: err}
	}
	return cfg, *asJSON, pos, set, nil
}

// runMgmt runs c and returns the exit code.
func runMgmt(ctx context.Context, e *env, name string, c *mgmtCmd, args []string) int {
	cfg, asJSON, pos, set, err := parseCommand(e, name, args, c.flags)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, err)
	}
	if len(pos) != c.args {
		return fail(e, usagef("usage: authalla %s", c.usage))
	}
	log := newLogger(e.stderr, "warn")
	d, err := openDeps(ctx, cfg, log, idp.SystemClock{})
	if err != nil {
		return fail(e, err)
	}
	defer d.Close()
	ctx = manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "cli"})
	// A fresh install is bootstrapped by whichever command runs first;
	// the one-time link goes to stderr so that --json output stays clean.
	boot, err := d.manage.Bootstrap(ctx, manage.BootstrapInput{})
	if err != nil {
		return fail(e, err)
	}
	if boot.Created {
		printBootstrap(e.stderr, boot, boot.AdminTenant.Issuer, boot.DefaultTenant.Issuer)
	}
	out, err := c.run(ctx, d.manage, pos, set)
	if err != nil {
		return fail(e, err)
	}
	if err := out.write(e.stdout, asJSON); err != nil {
		return fail(e, err)
	}
	return 0
}

// fail prints err and returns its exit code: 2 for usage and
// configuration errors, 1 for everything else.
func fail(e *env, err error) int {
	fmt.Fprintln(e.stderr, "authalla: "+describe(err))
	if isUsage(err) {
		return 2
	}
	return 1
}

// describe turns an error into a short message for the operator.
func describe(err error) string {
	var ve *idp.ValidationError
	switch {
	case isUsage(err):
		return err.Error()
	case errors.As(err, &ve):
		return "invalid " + ve.Field + ": " + ve.Message
	case errors.Is(err, idp.ErrNotFound):
		return "not found: " + strings.TrimPrefix(err.Error(), "manage: ")
	case errors.Is(err, idp.ErrConflict):
		return "conflict: " + strings.TrimPrefix(err.Error(), "manage: ")
	case errors.Is(err, idp.ErrForbidden):
		return "not allowed: " + strings.TrimPrefix(err.Error(), "manage: ")
	}
	return err.Error()
}

// newLogger returns a JSON logger on w at level ("debug", "info", ...).
func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: l}))
}

// pageFlags registers --limit and --offset.
func pageFlags(fs *flag.FlagSet, p *idp.Page) {
	fs.IntVar(&p.Limit, "limit", 50, "how many items (at most 200)")
	fs.IntVar(&p.Offset, "offset", 0, "how many items to skip")
}

// tenantFlag registers the required --tenant.
func tenantFlag(fs *flag.FlagSet, dst *string) {
	fs.StringVar(dst, "tenant", "", "tenant id (required)")
}

func needTenant(t string) error {
	if t == "" {
		return usagef("--tenant is required")
	}
	return nil
}
