package app

import (
	"context"
	"fmt"
	"net"

	"github.com/authalla/authalla/internal/manage"
)

// bannerTenants is how many tenants a restart lists with their issuers.
const bannerTenants = 10

// preparing is the database work of a start, running in the background.
type preparing struct {
	done  chan struct{}
	start *manage.StartResult
	err   error
}

// startPreparing migrates the store and prepares the install
// (manage.Start) in the background; wait returns the result. The server
// serves nothing before: a request needs the schema and the bootstrap
// data (the admin tenant, its key, the built-in clients).
func startPreparing(ctx context.Context, d *deps, adminEmail string) *preparing {
	p := &preparing{done: make(chan struct{})}
	go func() {
		defer close(p.done)
		if p.err = d.migrate(ctx); p.err != nil {
			return
		}
		p.start, p.err = d.manage.Start(ctx, manage.BootstrapInput{AdminEmail: adminEmail}, bannerTenants)
		if p.err != nil {
			p.err = fmt.Errorf("bootstrap: %w", p.err)
		}
	}()
	return p
}

// wait waits for the work to end and returns its result.
func (p *preparing) wait() (*manage.StartResult, error) {
	<-p.done
	return p.start, p.err
}

// closeListener closes ln (when not nil) for a start that fails before
// serving on it.
func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close() // nothing was served on it
	}
}
