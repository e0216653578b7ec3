package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"

	"github.com/authalla/authalla/internal/changes"
	"github.com/authalla/authalla/internal/config"
	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/mail"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/metrics"
	"github.com/authalla/authalla/internal/oauth"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/store/sqlstore"
	"github.com/authalla/authalla/internal/tenant"
)

// deps are the services every command shares.
type deps struct {
	cfg    *config.Config
	log    *slog.Logger
	clock  idp.Clock
	random secret.Source
	store  *sqlstore.Store
	keys   *keys.Manager
	// sealer encrypts at rest and seals the Admin UI cookies.
	sealer *secret.Sealer
	// successorKey derives refresh-token successors
	// (oauth.Options.RefreshSuccessorKey); a subkey of the master key.
	successorKey []byte
	// names computes the issuer URLs shown for tenants.
	names  *tenant.Resolver
	manage *manage.Service
	// changes carries every committed change to the caches of this
	// process and, on PostgreSQL, of every other node (serve adds the
	// server's caches and the listener; the CLI only publishes).
	changes *changes.Bus
	// metrics is the server's registry; the key manager's cache reports to
	// it (serve hands it to the server and the metrics listener).
	metrics *metrics.Metrics
}

// openDeps opens and migrates the store, loads the master key and builds
// the key manager and the management service. The caller closes them.
func openDeps(ctx context.Context, cfg *config.Config, log *slog.Logger, clock idp.Clock) (*deps, error) {
	d, err := newDeps(ctx, cfg, log, clock)
	if err != nil {
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// migrate brings the schema up to date (on a restart, one query that
// finds it is).
func (d *deps) migrate(ctx context.Context) error {
	if err := d.store.Migrate(ctx); err != nil {
		return fmt.Errorf("database: migrate: %w", err)
	}
	return nil
}

// newDeps is openDeps without the migration: serve migrates while it
// builds the server. Nothing here reads the database (on PostgreSQL not
// even a connection is made yet).
func newDeps(ctx context.Context, cfg *config.Config, log *slog.Logger, clock idp.Clock) (*deps, error) {
	masterKey, err := loadMasterKey(cfg)
	if err != nil {
		return nil, err
	}
	sealer, err := secret.NewSealer(masterKey)
	if err != nil {
		return nil, &configError{err: fmt.Errorf("master-key: %w", err)}
	}
	successorKey, err := secret.DeriveKey(masterKey, oauth.RefreshSuccessorKeyLabel)
	if err != nil {
		return nil, &configError{err: fmt.Errorf("master-key: %w", err)}
	}
	st, err := sqlstore.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	st.SetMaxOpenConns(cfg.DBMaxOpenConns)
	names, err := tenant.NewResolver(st, tenant.Options{PublicURL: cfg.PublicURL, BaseDomain: cfg.BaseDomain, PathIssuers: cfg.PathIssuers})
	if err != nil {
		st.Close()
		return nil, &configError{err: err}
	}
	d := &deps{cfg: cfg, log: log, clock: clock, random: secret.Default, store: st, names: names, sealer: sealer, successorKey: successorKey}
	d.metrics = metrics.New(metrics.Options{Version: Version, Log: log})
	d.changes = newChangeBus(st, log)
	// Maintenance activates and retires keys on schedule; the bus tells
	// this process's caches and, on PostgreSQL, the other nodes.
	d.keys = keys.New(keys.Options{Store: st, Sealer: sealer, Clock: d.clock, Random: d.random, Cache: d.metrics.Cache("signing_keys"),
		VerifiedCache: d.metrics.Cache("verified_tokens"), OnChange: d.changes.Publish})
	d.changes.Subscribe(d.keys, d.names)
	d.manage = manage.New(manage.Options{
		Store: st, Keys: d.keys, Clock: d.clock, Random: d.random,
		Issuer:   names.PreferredIssuer,
		OnChange: d.changes.Publish,
		Log:      log,
	})
	return d, nil
}

// Close releases the store.
func (d *deps) Close() error { return d.store.Close() }

// loadMasterKey reads --master-key, or the key file in the data directory
// (created on first start). A PostgreSQL deployment serves from several
// replicas that must share one key, so outside --dev it must be given.
func loadMasterKey(cfg *config.Config) ([]byte, error) {
	if cfg.MasterKey != "" {
		k, err := secret.ParseMasterKey(cfg.MasterKey)
		if err != nil {
			return nil, &configError{err: err}
		}
		return k, nil
	}
	if cfg.IsPostgres() && !cfg.Dev {
		return nil, &configError{err: errors.New("master-key: required with a PostgreSQL database (every replica must use the same key); set --master-key or AUTHALLA_MASTER_KEY to 32 random bytes in base64, or use --dev")}
	}
	k, err := secret.LoadOrCreateMasterKey(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("data-dir: %w", err)
	}
	return k, nil
}

// newMailer returns the SMTP sender when an SMTP host is configured, else
// the development outbox that prints mail (with its PINs and links) to
// the log. The outbox is allowed only in development (--dev, or a public
// URL on a loopback host): in production sign-in codes must never land in
// logs.
func newMailer(cfg *config.Config, log *slog.Logger) (mail.Sender, error) {
	if cfg.SMTP.Host != "" {
		s, err := mail.NewSMTP(cfg.SMTP)
		if err != nil {
			return nil, &configError{err: fmt.Errorf("smtp-host: %w", err)}
		}
		return s, nil
	}
	if !cfg.Dev && !publicURLIsLoopback(cfg.PublicURL) {
		return nil, &configError{err: errors.New("smtp-host: required outside development (set --smtp-host / AUTHALLA_SMTP_HOST, or --dev to print mail to the log)")}
	}
	log.Warn("no SMTP server configured: mail is printed to the log (development only)")
	return mail.NewOutbox(log), nil
}

// publicURLIsLoopback reports whether the public URL names a loopback host.
func publicURLIsLoopback(public string) bool {
	u, err := url.Parse(public)
	return err == nil && config.IsLoopbackHost(u.Hostname())
}
