// Command authalla is the Authalla identity server and its CLI.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/authalla/authalla/internal/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := app.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
