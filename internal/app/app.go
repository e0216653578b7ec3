package app

import (
	"context"
	"fmt"
	"io"
)

// Main runs the subcommand named by args[0] (serve when absent) and returns
// the process exit code.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "authalla: not wired yet")
	return 1
}
