package app

import (
	"context"
	"errors"
	"flag"
	"fmt"

	"github.com/authalla/authalla/internal/store/sqlstore"
)

// runMigrate applies the database migrations and exits. It is safe to run
// from several replicas at once (the store serialises migrations).
func runMigrate(ctx context.Context, e *env, args []string) int {
	cfg, _, pos, _, err := parseCommand(e, "migrate", args, nil)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, err)
	}
	if len(pos) > 0 {
		return fail(e, usagef("migrate takes no arguments"))
	}
	st, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return fail(e, fmt.Errorf("database: %w", err))
	}
	defer st.Close()
	if err := st.Migrate(ctx); err != nil {
		return fail(e, fmt.Errorf("database: migrate: %w", err))
	}
	fmt.Fprintf(e.stdout, "Database is at schema version %d.\n", sqlstore.SchemaVersion())
	return 0
}
