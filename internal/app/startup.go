package app

import (
	"context"
	"fmt"
	"net"

	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/server"
)

// bannerTenants is how many tenants a restart lists with their issuers.
const bannerTenants = 10

// prepare migrates the store (on a restart, one query that finds it
// current) and prepares the install (manage.Start: on a restart, one
// batched read). The server serves nothing before: a request needs the
// schema and the bootstrap data (the admin tenant, its key, the built-in
// clients).
func prepare(ctx context.Context, d *deps, adminEmail string) (*manage.StartResult, error) {
	if err := d.migrate(ctx); err != nil {
		return nil, err
	}
	start, err := d.manage.Start(ctx, manage.BootstrapInput{AdminEmail: adminEmail}, bannerTenants)
	if err != nil {
		return nil, fmt.Errorf("bootstrap: %w", err)
	}
	return start, nil
}

// building is the server being built, and its port bound, in the
// background.
type building struct {
	done          chan struct{}
	srv           *server.Server
	ln            net.Listener
	srvErr, lnErr error
}

// startBuilding builds the server (server.New reads no database) and binds
// its port in the background: the caller meanwhile prepares the start,
// whose waits for the database leave the CPU to this. The caller runs the
// database work itself and builds here, not the other way round: with one
// core (GOMAXPROCS=1, a server pinned to a core) a new goroutine runs
// only when the one that started it blocks, and the database work blocks
// at once, on its connection.
//
// The port is bound before the server serves: a connection that arrives
// meanwhile waits in the listen backlog and is answered once the server
// serves, instead of being refused.
func startBuilding(o server.Options) *building {
	b := &building{done: make(chan struct{})}
	go func() {
		defer close(b.done)
		b.srv, b.srvErr = server.New(o)
		b.ln, b.lnErr = net.Listen("tcp", o.Config.Listen)
	}()
	return b
}

// wait returns the server, or why it could not be built, and the
// listener, or why the port could not be bound.
func (b *building) wait() (*server.Server, net.Listener, error, error) {
	<-b.done
	return b.srv, b.ln, b.srvErr, b.lnErr
}

// closeListener closes ln (when not nil) for a start that fails before
// serving on it.
func closeListener(ln net.Listener) {
	if ln != nil {
		_ = ln.Close() // nothing was served on it
	}
}
