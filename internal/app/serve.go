package app

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/authalla/authalla/internal/gctune"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/server"
)

// HTTP server limits: every phase of a request is bounded so that slow
// clients cannot hold connections open (slowloris).
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 64 << 10
)

// maintenanceInterval is how often keys move along their rotation stages
// and expired artifacts are purged.
const maintenanceInterval = time.Minute

// maintenanceStartDelay holds the first maintenance pass back so that it
// does not compete with a starting server's first requests for the CPU
// and the database (a cold start is measured to its first answer). Keys
// only become due hours after they were staged or retired, and expired
// rows are only garbage, so starting the work seconds later changes
// nothing a client sees.
const maintenanceStartDelay = 5 * time.Second

// systemActor is the server acting on its own behalf.
var systemActor = manage.Actor{Type: manage.ActorSystem, ID: "server"}

// runServe runs the server until ctx is cancelled, then drains in-flight
// requests for up to the configured grace period and closes the store.
func runServe(ctx context.Context, e *env, args []string) int {
	var adminEmail string
	cfg, _, pos, _, err := parseCommand(e, "serve", args, func(fs *flag.FlagSet) {
		fs.StringVar(&adminEmail, "admin-email", e.getenv("AUTHALLA_ADMIN_EMAIL"),
			"the first administrator's email, used on the first start (AUTHALLA_ADMIN_EMAIL)")
	})
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, err)
	}
	if len(pos) > 0 {
		return fail(e, usagef("serve takes no arguments (got %q)", pos[0]))
	}
	log := newLogger(e.stderr, cfg.LogLevel)
	d, err := newDeps(ctx, cfg, log, idp.SystemClock{})
	if err != nil {
		return fail(e, err)
	}
	defer d.Close()
	mailer, err := newMailer(cfg, log)
	if err != nil {
		return fail(e, err)
	}
	sctx := manage.WithActor(ctx, systemActor)
	// The server is built and its port bound in the background while the
	// database work of the start (the migrations check, the bootstrap)
	// runs here; on PostgreSQL that work is mostly waiting for the first
	// connection and its round trips. Nothing is served before both are
	// done (startup.go).
	b := startBuilding(server.Options{
		Config: cfg, Store: d.store, Keys: d.keys, Mail: mailer,
		Clock: d.clock, Random: d.random, Log: log, Manage: d.manage, Sealer: d.sealer,
		RefreshSuccessorKey: d.successorKey,
		Changed:             d.changes.Publish, Metrics: d.metrics,
	})
	start, err := prepare(sctx, d, adminEmail)
	srv, ln, srvErr, lnErr := b.wait()
	if err != nil {
		closeListener(ln)
		return fail(e, err)
	}
	// Printed before anything else can fail: the link exists only once.
	// d.names is built from the same configuration as the server's
	// resolver, so the issuers are the ones the server will answer on.
	if start.Created {
		printBootstrap(e.stdout, start.BootstrapResult, d.names.PreferredIssuer(start.AdminTenant.Tenant), d.names.PreferredIssuer(start.DefaultTenant.Tenant))
	} else {
		printKnownIssuers(sctx, e, d, start)
	}
	if srvErr != nil {
		closeListener(ln)
		return fail(e, fmt.Errorf("server: %w", srvErr))
	}
	if lnErr != nil {
		return fail(e, &configError{err: fmt.Errorf("listen: %w", lnErr)})
	}
	// The store is migrated now: the revocation list can be read.
	srv.WarmRevocations()
	// The server's caches drop what this process and, through the
	// listener, every other node change.
	d.changes.Subscribe(srv)
	lctx, stopListening := context.WithCancel(context.WithoutCancel(ctx))
	waitListener, err := listenForChanges(lctx, d, changesListenDelay)
	if err != nil {
		stopListening()
		closeListener(ln)
		return fail(e, err)
	}
	defer func() {
		stopListening()
		waitListener()
	}()

	stopMetrics, err := serveMetrics(cfg, srv.MetricsHandler(), e.stdout, log)
	if err != nil {
		closeListener(ln)
		return fail(e, err)
	}
	defer stopMetrics()

	fmt.Fprintf(e.stdout, "Listening on http://%s\n", ln.Addr())
	log.Info("listening", "addr", ln.Addr().String(), "public_url", cfg.PublicURL)

	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// Unless the operator tuned the collector (GOGC, GOMEMLIMIT), keep
	// at least 16 MiB of headroom over a small live heap (gctune).
	if e.getenv("GOGC") == "" && e.getenv("GOMEMLIMIT") == "" {
		gctx, stopTuning := context.WithCancel(context.WithoutCancel(ctx))
		tuned := make(chan struct{})
		go func() { defer close(tuned); gctune.Run(gctx, gctune.Options{}) }()
		defer func() { stopTuning(); <-tuned }()
	}
	if path := e.getenv(cpuProfileEnv); path != "" {
		stopProfile, err := startCPUProfile(path)
		if err != nil {
			log.Warn("debug", "err", err)
		} else {
			defer func() {
				if err := stopProfile(); err != nil {
					log.Warn("debug", "err", err)
				}
			}()
		}
	}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()

	mctx, stopMaintenance := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		maintainLoop(mctx, d, maintenanceStartDelay, maintenanceInterval)
	}()
	defer func() {
		stopMaintenance()
		wg.Wait()
	}()

	select {
	case err := <-served:
		log.Error("server stopped", "err", err)
		return 1
	case <-ctx.Done():
	}
	if path := e.getenv(heapProfileEnv); path != "" {
		if err := writeHeapProfile(path); err != nil {
			log.Warn("debug", "err", err)
		}
	}
	log.Info("shutting down", "grace", cfg.ShutdownGrace.String())
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownGrace)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		log.Warn("graceful shutdown incomplete; closing connections", "err", err)
		hs.Close()
	}
	if err := <-served; err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server", "err", err)
		return 1
	}
	// Mail queued by requests that already answered is handed over
	// before the store closes.
	srv.Drain()
	log.Info("stopped")
	return 0
}

// printKnownIssuers prints the issuers of an install started before: the
// tenants the start read (start.Listed), or else the first page of them.
func printKnownIssuers(ctx context.Context, e *env, d *deps, start *manage.StartResult) {
	ts, total := start.Tenants, start.TenantTotal
	if !start.Listed {
		var err error
		if ts, total, err = d.manage.ListTenants(ctx, idp.Page{Limit: bannerTenants}); err != nil {
			d.log.Warn("cannot list tenants", "err", err)
			return
		}
	}
	admin := ""
	var rows [][2]string
	for _, t := range ts {
		if t.Admin {
			admin = d.names.PreferredIssuer(t.Tenant)
			total--
			continue
		}
		rows = append(rows, [2]string{t.ID, d.names.PreferredIssuer(t.Tenant)})
	}
	if admin == "" {
		admin = d.names.AdminIssuer()
	}
	printIssuers(e.stdout, admin, rows, total)
}

// maintainLoop runs maintain after delay and then every interval until
// ctx ends.
func maintainLoop(ctx context.Context, d *deps, delay, interval time.Duration) {
	select {
	case <-ctx.Done():
		return
	case <-time.After(delay):
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		maintain(ctx, d)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// maintain moves signing keys along their staged rotation (activate
// published keys, drop retired ones past retention) on the tenants one
// query finds due, and purges expired codes, tokens, sessions and
// challenges, and self-registered clients left unused for a day.
func maintain(ctx context.Context, d *deps) {
	due, err := d.keys.TenantsDue(ctx)
	if err != nil {
		d.log.Warn("maintenance: signing keys", "err", err)
	}
	for _, id := range due {
		if err := d.keys.Maintain(ctx, id); err != nil && ctx.Err() == nil {
			d.log.Warn("maintenance: signing keys", "tenant", id, "err", err)
		}
	}
	if ctx.Err() != nil {
		return
	}
	n, err := d.store.PurgeExpired(ctx, d.clock.Now())
	if err != nil {
		d.log.Warn("maintenance: purge", "err", err)
	} else if n > 0 {
		d.log.Info("maintenance: purged expired rows", "rows", n)
	}
	// Self-registered clients (RFC 7591) that never obtained a grant.
	n, err = d.manage.PurgeDynamicClients(manage.WithActor(ctx, systemActor), manage.DefaultDynamicClientTTL)
	if err != nil {
		d.log.Warn("maintenance: purge unused registered clients", "err", err)
	} else if n > 0 {
		d.log.Info("maintenance: purged unused registered clients", "clients", n)
	}
}
