package app

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/authalla/authalla/internal/cliauth"
)

// runLogout revokes the stored tokens at the server (RFC 7009) and
// deletes the credentials file. The file goes even when the server
// cannot be reached (the operator asked to be logged out here); the exit
// code then says that the tokens may still be valid until they expire.
func runLogout(ctx context.Context, e *env, args []string) int {
	fs := flag.NewFlagSet("authalla logout", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	pos, _, err := parseInterleaved(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, &usageError{msg: err.Error()})
	}
	if len(pos) != 0 {
		return fail(e, usagef("usage: authalla logout"))
	}
	path, err := cliauth.Path(e.getenv)
	if err != nil {
		return fail(e, err)
	}
	creds, err := cliauth.Load(path)
	if errors.Is(err, cliauth.ErrNotLoggedIn) {
		fmt.Fprintln(e.stdout, "Not logged in.")
		return 0
	}
	if err != nil {
		// Unreadable or unsafe: nothing to revoke with; remove it.
		if rerr := cliauth.Remove(path); rerr != nil {
			return fail(e, rerr)
		}
		fmt.Fprintf(e.stdout, "Removed %s.\n", path)
		return 0
	}
	revokeErr := cliauth.Revoke(ctx, e.remoteHTTP(), creds)
	if err := cliauth.Remove(path); err != nil {
		return fail(e, err)
	}
	if revokeErr != nil {
		return fail(e, fmt.Errorf("logged out locally, but the server did not confirm the revocation (the tokens stay valid until they expire, at %s at the latest for the access token): %w",
			creds.Expiry.UTC().Format("2006-01-02 15:04:05 UTC"), revokeErr))
	}
	fmt.Fprintf(e.stdout, "Logged out of %s; the tokens are revoked.\n", creds.Server)
	return 0
}
