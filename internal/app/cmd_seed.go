package app

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/authalla/authalla/internal/idp"
	"github.com/authalla/authalla/internal/keys"
	"github.com/authalla/authalla/internal/manage"
	"github.com/authalla/authalla/internal/secret"
	"github.com/authalla/authalla/internal/seed"
	"github.com/authalla/authalla/internal/store/sqlstore"
)

// seedTenantBatch is how many tenants (with their users) are built in
// memory and handed to the store at once.
const seedTenantBatch = 500

// seedUserBatch bounds the users handed to the store in one call.
const seedUserBatch = 20_000

// seedOptions are the flags of "authalla seed".
type seedOptions struct {
	plan        seed.Plan
	alg         string
	credentials string
}

// runSeed loads the deterministic scale data set of internal/seed into the
// configured database with bulk SQL, in one transaction: tenants
// seed-00001 … with a signing key each (generated and sealed by the key
// manager, as for any tenant), the built-in management resource server,
// a backend client allowed users:read on the management API and a spa
// client, and the users. It refuses a database that already holds the
// seed. The backend clients' secrets go to a credentials file (mode 0600,
// one JSON object a line) for the scale benchmark.
func runSeed(ctx context.Context, e *env, args []string) int {
	var o seedOptions
	cfg, asJSON, pos, _, err := parseCommand(e, "seed", args, func(fs *flag.FlagSet) {
		fs.IntVar(&o.plan.Tenants, "tenants", 10_000, "tenants to create (seed-00001 …)")
		fs.IntVar(&o.plan.Users, "users", 1_000_000, "users to create in all")
		fs.IntVar(&o.plan.LargeTenantUsers, "large-tenant-users", 0, "users of the first tenant (0: spread evenly); the rest are spread over the others")
		fs.StringVar(&o.alg, "signing-alg", keys.AlgES256, "signing algorithm of the tenants' keys (RS256 keys take ~0.1 s each to generate)")
		fs.StringVar(&o.credentials, "credentials", "", "where to write the backend clients' secrets (default {data-dir}/seed-credentials.jsonl)")
	})
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		return fail(e, err)
	}
	if len(pos) > 0 {
		return fail(e, usagef("seed takes no arguments (got %q)", pos[0]))
	}
	if err := o.plan.Validate(); err != nil {
		return fail(e, usagef("seed: %v", err))
	}
	if o.alg, err = keys.NormalizeAlg(o.alg); err != nil {
		return fail(e, usagef("seed: --signing-alg: %v", err))
	}
	if o.credentials == "" {
		o.credentials = filepath.Join(cfg.DataDir, "seed-credentials.jsonl")
	}
	d, err := openDeps(ctx, cfg, newLogger(e.stderr, "warn"), idp.SystemClock{})
	if err != nil {
		return fail(e, err)
	}
	defer d.Close()
	ctx = manage.WithActor(ctx, manage.Actor{Type: manage.ActorCLI, ID: "cli"})
	if _, err := d.manage.Bootstrap(ctx, manage.BootstrapInput{}); err != nil {
		return fail(e, err)
	}
	res, err := seedData(ctx, d, o, e.stderr)
	if err != nil {
		return fail(e, err)
	}
	out := &output{json: res, human: func(w io.Writer) {
		fmt.Fprintf(w, "Seeded %d tenants and %d users in %.1fs (%s).\n", res.Tenants, res.Users, res.Seconds, res.Database)
		fmt.Fprintf(w, "Backend client secrets: %s\n", res.Credentials)
	}}
	if err := out.write(e.stdout, asJSON); err != nil {
		return fail(e, err)
	}
	return 0
}

// seedResult is what a seed run reports.
type seedResult struct {
	Tenants     int            `json:"tenants"`
	Users       int            `json:"users"`
	Rows        map[string]int `json:"rows"`
	Seconds     float64        `json:"seconds"`
	Database    string         `json:"database"`
	Credentials string         `json:"credentials"`
}

// seedCredential is one line of the credentials file.
type seedCredential struct {
	Tenant       string `json:"tenant"`
	Users        int    `json:"users"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	SPAClientID  string `json:"spa_client_id"`
	RedirectURI  string `json:"redirect_uri"`
}

func seedData(ctx context.Context, d *deps, o seedOptions, progress io.Writer) (*seedResult, error) {
	p := o.plan
	for _, i := range []int{1, p.Tenants} {
		_, err := d.store.GetTenant(ctx, seed.TenantID(i))
		if err == nil {
			return nil, fmt.Errorf("seed: tenant %s exists: this database is already seeded (seed a fresh one)", seed.TenantID(i))
		}
		if !errors.Is(err, idp.ErrNotFound) {
			return nil, fmt.Errorf("seed: %w", err)
		}
	}
	account, err := d.manage.DefaultAccount(ctx)
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	f, err := os.OpenFile(o.credentials, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("seed: credentials file: %w", err)
	}
	defer f.Close()
	creds := bufio.NewWriter(f)
	g := &seedGen{d: d, alg: o.alg, account: account, now: d.clock.Now(), creds: json.NewEncoder(creds)}
	g.keys = keys.New(keys.Options{Store: &g.newKeys, Sealer: d.sealer, Clock: d.clock, Random: d.random})

	start := time.Now()
	users := 0
	rows, err := d.store.Bulk(ctx, func(ctx context.Context, b *sqlstore.BulkWriter) error {
		for first := 1; first <= p.Tenants; first += seedTenantBatch {
			last := min(first+seedTenantBatch-1, p.Tenants)
			if err := g.tenants(ctx, b, p, first, last); err != nil {
				return err
			}
			n, err := g.users(ctx, b, p, first, last)
			if err != nil {
				return err
			}
			users += n
			fmt.Fprintf(progress, "seed: %d/%d tenants, %d/%d users, %.1fs\n", last, p.Tenants, users, p.Users, time.Since(start).Seconds())
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("seed: %w", err)
	}
	if err := creds.Flush(); err != nil {
		return nil, fmt.Errorf("seed: credentials file: %w", err)
	}
	if err := f.Close(); err != nil {
		return nil, fmt.Errorf("seed: credentials file: %w", err)
	}
	return &seedResult{Tenants: p.Tenants, Users: users, Rows: rows, Seconds: time.Since(start).Seconds(),
		Database: d.store.Dialect(), Credentials: o.credentials}, nil
}

// seedGen builds the rows of seeded tenants.
type seedGen struct {
	d       *deps
	alg     string
	account string
	now     time.Time
	creds   *json.Encoder
	// keys creates each tenant's first key exactly as CreateTenant does
	// (generated, sealed with the master key and the tenant-bound
	// additional data), but into newKeys instead of the database.
	keys    *keys.Manager
	newKeys keyCollector
}

// tenants writes tenants first…last with their key, built-in resource
// server, clients and client secret, and records the secrets.
func (g *seedGen) tenants(ctx context.Context, b *sqlstore.BulkWriter, p seed.Plan, first, last int) error {
	n := last - first + 1
	ts := make([]idp.Tenant, 0, n)
	rs := make([]idp.ResourceServer, 0, n)
	cs := make([]idp.Client, 0, 2*n)
	ss := make([]idp.ClientSecret, 0, n)
	g.newKeys.keys = g.newKeys.keys[:0]
	for i := first; i <= last; i++ {
		t := idp.Tenant{ID: seed.TenantID(i), AccountID: g.account, Name: seed.TenantName(i),
			SigningAlg: g.alg, CreatedAt: g.now, UpdatedAt: g.now}
		t.ApplyDefaults()
		if err := g.keys.EnsureKey(ctx, t.ID, t.SigningAlg); err != nil {
			return fmt.Errorf("signing key of %s: %w", t.ID, err)
		}
		r, err := g.d.manage.BuiltinResourceServer(&t)
		if err != nil {
			return err
		}
		value, err := g.d.random.Token(32)
		if err != nil {
			return err
		}
		secID, err := g.d.random.ID("sec_")
		if err != nil {
			return err
		}
		ts = append(ts, t)
		rs = append(rs, *r)
		cs = append(cs,
			idp.Client{TenantID: t.ID, ID: seed.BackendClientID, Name: "Seed backend", Type: idp.ClientBackend,
				Scopes: []string{manage.ScopeUsersRead}, CreatedAt: g.now, UpdatedAt: g.now},
			idp.Client{TenantID: t.ID, ID: seed.SPAClientID, Name: "Seed app", Type: idp.ClientSPA,
				RedirectURIs: []string{seed.RedirectURI}, CreatedAt: g.now, UpdatedAt: g.now})
		ss = append(ss, idp.ClientSecret{TenantID: t.ID, ClientID: seed.BackendClientID, ID: secID,
			Hash: secret.HashBytes(value), Hint: value[len(value)-4:], CreatedAt: g.now})
		if err := g.creds.Encode(seedCredential{Tenant: t.ID, Users: p.UsersIn(i), ClientID: seed.BackendClientID,
			ClientSecret: value, SPAClientID: seed.SPAClientID, RedirectURI: seed.RedirectURI}); err != nil {
			return fmt.Errorf("credentials file: %w", err)
		}
	}
	for _, step := range []func() error{
		func() error { return b.Tenants(ctx, ts) },
		func() error { return b.SigningKeys(ctx, g.newKeys.keys) },
		func() error { return b.ResourceServers(ctx, rs) },
		func() error { return b.Clients(ctx, cs) },
		func() error { return b.ClientSecrets(ctx, ss) },
	} {
		if err := step(); err != nil {
			return err
		}
	}
	return nil
}

// users writes the users of tenants first…last and returns how many.
func (g *seedGen) users(ctx context.Context, b *sqlstore.BulkWriter, p seed.Plan, first, last int) (int, error) {
	batch := make([]idp.User, 0, seedUserBatch)
	total := 0
	flush := func() error {
		err := b.Users(ctx, batch)
		total += len(batch)
		batch = batch[:0]
		return err
	}
	// Creation times run up to a day before the seed, in index order, so
	// that listings (ordered by creation) list users in index order.
	base := g.now.Add(-24 * time.Hour)
	for i := first; i <= last; i++ {
		id := seed.TenantID(i)
		n := p.UsersIn(i)
		for j := range n {
			su := seed.UserAt(id, j)
			created := base.Add(time.Duration(j) * time.Millisecond)
			u := idp.User{TenantID: id, ID: su.ID, Email: su.Email, Name: su.Name,
				EmailVerified: su.EmailVerified, Status: idp.UserStatus(su.Status),
				CreatedAt: created, UpdatedAt: created}
			if su.SignedIn {
				at := created.Add(time.Hour)
				u.LastLogin = &at
			}
			batch = append(batch, u)
			if len(batch) == cap(batch) {
				if err := flush(); err != nil {
					return total, err
				}
			}
		}
	}
	if len(batch) > 0 {
		if err := flush(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// keyCollector is a store.SigningKeys that keeps the keys the key manager
// creates, for the bulk load to write; it holds no earlier keys.
type keyCollector struct{ keys []idp.SigningKey }

func (c *keyCollector) CreateSigningKey(_ context.Context, tenantID string, k *idp.SigningKey) error {
	k.TenantID = tenantID
	c.keys = append(c.keys, *k)
	return nil
}

func (c *keyCollector) ListSigningKeys(context.Context, string) ([]idp.SigningKey, error) {
	return nil, nil
}

func (c *keyCollector) ActivateSigningKey(context.Context, string, string, time.Time, time.Time) error {
	return errors.New("seed: keys are only created")
}

func (c *keyCollector) DeleteSigningKey(context.Context, string, string) error {
	return errors.New("seed: keys are only created")
}

func (c *keyCollector) TenantsWithKeysDue(context.Context, time.Time, time.Time) ([]string, error) {
	return nil, errors.New("seed: keys are only created")
}
