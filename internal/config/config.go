package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// SMTP configures the outgoing mail server.
type SMTP struct {
	Host     string
	Port     int
	Username string
	Password string
	From     string // default sender address, e.g. "Authalla <no-reply@example.com>"
	// TLS is "starttls" (default), "tls" (implicit) or "none" (loopback/dev only).
	TLS string
}

// Config is the process configuration.
type Config struct {
	Listen      string // address to listen on, e.g. ":8080"
	DataDir     string // where the SQLite database and the master key file live
	PublicURL   string // the admin tenant's URL in development, e.g. http://localhost:8080
	BaseDomain  string // tenants are served at {id}.{BaseDomain}; default: the public URL's host
	DatabaseURL string // a SQLite path or a postgres:// URL; default {DataDir}/authalla.db
	MasterKey   string // base64 of 32 bytes; default: read or create {DataDir}/master.key (dev)
	Dev         bool   // development mode: plain HTTP allowed, mail printed to the log
	// PathIssuers also serves each tenant at {PublicURL}/t/{id}, for clients
	// that cannot resolve *.localhost.
	PathIssuers    bool
	TrustedProxies []netip.Prefix // X-Forwarded-* honoured only from these peers
	SMTP           SMTP
	LogLevel       string        // debug, info, warn, error
	ShutdownGrace  time.Duration // how long in-flight requests may drain
	// ClientIDMetadataDocuments lets clients of the admin tenant (MCP
	// assistants) use an https URL as client_id, whose JSON document the
	// server fetches (draft-ietf-oauth-client-id-metadata-document). Off
	// by default: it makes the server fetch URLs that anyone can name.
	ClientIDMetadataDocuments bool
	// UntrustedErrorInterstitial shows a page with a plain link instead of
	// redirecting an authorization error to a client the tenant does not
	// operate (dynamically registered or described by a metadata
	// document), so that such a client cannot use a failing request as an
	// open redirect (RFC 9700 §4.11.2). On by default.
	UntrustedErrorInterstitial bool
	// MetricsListen is the address of a second listener that serves the
	// Prometheus exposition at GET /metrics; empty (the default) serves
	// no metrics. They are never served on Listen: route rates, error
	// counts and pool sizes are for the operator, so bind this to
	// loopback or a private network (e.g. 127.0.0.1:9090).
	MetricsListen string
	// DBMaxOpenConns caps the database connections a node opens for
	// reads: the PostgreSQL pool (reads and writes; default 10, half of
	// it kept idle) or SQLite's read-only readers (default 4, all kept
	// idle; SQLite always has exactly one writer). 0: the default.
	DBMaxOpenConns int
}

// maxDBConns is the largest --db-max-open-conns accepted: far past what
// one node can use, small enough that a typo is not a connection storm.
const maxDBConns = 1000

// Default returns the zero-config development settings.
func Default() Config {
	return Config{
		Listen:        ":8080",
		DataDir:       "./authalla-data",
		PublicURL:     "http://localhost:8080",
		PathIssuers:   true,
		LogLevel:      "info",
		ShutdownGrace: 15 * time.Second,
		SMTP:          SMTP{Port: 587, TLS: "starttls"},
		// UntrustedErrorInterstitial is on: turning it off is the choice
		// that needs a reason.
		UntrustedErrorInterstitial: true,
	}
}

// Load parses flags (args excludes the program and subcommand names) over
// AUTHALLA_* environment variables over defaults, then validates. Flags win
// over the environment.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer) (*Config, error) {
	c := Default()
	if getenv == nil {
		getenv = os.Getenv
	}
	if err := c.applyEnv(getenv); err != nil {
		return nil, err
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	c.RegisterFlags(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if err := c.Finish(); err != nil {
		return nil, err
	}
	return &c, nil
}

// RegisterFlags binds the configuration to fs; the current values are the
// flag defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Listen, "listen", c.Listen, "address to listen on (AUTHALLA_LISTEN)")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "data directory (AUTHALLA_DATA_DIR)")
	fs.StringVar(&c.PublicURL, "public-url", c.PublicURL, "public URL of the admin host (AUTHALLA_PUBLIC_URL)")
	fs.StringVar(&c.BaseDomain, "base-domain", c.BaseDomain, "tenants are served at {id}.{base-domain} (AUTHALLA_BASE_DOMAIN)")
	fs.StringVar(&c.DatabaseURL, "database-url", c.DatabaseURL, "SQLite path or postgres:// URL (AUTHALLA_DATABASE_URL)")
	fs.StringVar(&c.MasterKey, "master-key", c.MasterKey, "base64 master key for at-rest encryption (AUTHALLA_MASTER_KEY)")
	fs.BoolVar(&c.Dev, "dev", c.Dev, "development mode (AUTHALLA_DEV)")
	fs.BoolVar(&c.PathIssuers, "path-issuers", c.PathIssuers, "also serve tenants at {public-url}/t/{id} (AUTHALLA_PATH_ISSUERS)")
	fs.BoolVar(&c.ClientIDMetadataDocuments, "client-id-metadata-documents", c.ClientIDMetadataDocuments, "accept https URLs as client_id on the admin tenant and fetch their metadata documents (AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS)")
	fs.BoolVar(&c.UntrustedErrorInterstitial, "untrusted-error-interstitial", c.UntrustedErrorInterstitial, "show a page before redirecting an authorization error to a third-party client (AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL)")
	fs.Func("trusted-proxies", "comma-separated CIDRs whose X-Forwarded-* headers are trusted (AUTHALLA_TRUSTED_PROXIES)", func(s string) error {
		p, err := parsePrefixes(s)
		c.TrustedProxies = p
		return err
	})
	fs.StringVar(&c.SMTP.Host, "smtp-host", c.SMTP.Host, "SMTP host (AUTHALLA_SMTP_HOST)")
	fs.IntVar(&c.SMTP.Port, "smtp-port", c.SMTP.Port, "SMTP port (AUTHALLA_SMTP_PORT)")
	fs.StringVar(&c.SMTP.Username, "smtp-username", c.SMTP.Username, "SMTP username (AUTHALLA_SMTP_USERNAME)")
	fs.StringVar(&c.SMTP.Password, "smtp-password", c.SMTP.Password, "SMTP password (AUTHALLA_SMTP_PASSWORD)")
	fs.StringVar(&c.SMTP.From, "smtp-from", c.SMTP.From, "default sender (AUTHALLA_SMTP_FROM)")
	fs.StringVar(&c.SMTP.TLS, "smtp-tls", c.SMTP.TLS, "starttls, tls or none (AUTHALLA_SMTP_TLS)")
	fs.StringVar(&c.LogLevel, "log-level", c.LogLevel, "debug, info, warn or error (AUTHALLA_LOG_LEVEL)")
	fs.DurationVar(&c.ShutdownGrace, "shutdown-grace", c.ShutdownGrace, "drain time on SIGTERM (AUTHALLA_SHUTDOWN_GRACE)")
	fs.StringVar(&c.MetricsListen, "metrics-listen", c.MetricsListen, "address of a separate listener serving Prometheus metrics at /metrics; empty: none (AUTHALLA_METRICS_LISTEN)")
	fs.IntVar(&c.DBMaxOpenConns, "db-max-open-conns", c.DBMaxOpenConns, "database connections per node: the PostgreSQL pool (default 10) or SQLite's readers (default 4, plus the one writer); 0: the default (AUTHALLA_DB_MAX_OPEN_CONNS)")
}

func (c *Config) applyEnv(getenv func(string) string) error {
	str := func(key string, dst *string) {
		if v := getenv(key); v != "" {
			*dst = v
		}
	}
	boolean := func(key string, dst *bool) error {
		if v := getenv(key); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return fmt.Errorf("%s: not a boolean: %q", key, v)
			}
			*dst = b
		}
		return nil
	}
	str("AUTHALLA_LISTEN", &c.Listen)
	str("AUTHALLA_DATA_DIR", &c.DataDir)
	str("AUTHALLA_PUBLIC_URL", &c.PublicURL)
	str("AUTHALLA_BASE_DOMAIN", &c.BaseDomain)
	str("AUTHALLA_DATABASE_URL", &c.DatabaseURL)
	str("AUTHALLA_MASTER_KEY", &c.MasterKey)
	str("AUTHALLA_SMTP_HOST", &c.SMTP.Host)
	str("AUTHALLA_SMTP_USERNAME", &c.SMTP.Username)
	str("AUTHALLA_SMTP_PASSWORD", &c.SMTP.Password)
	str("AUTHALLA_SMTP_FROM", &c.SMTP.From)
	str("AUTHALLA_SMTP_TLS", &c.SMTP.TLS)
	str("AUTHALLA_LOG_LEVEL", &c.LogLevel)
	str("AUTHALLA_METRICS_LISTEN", &c.MetricsListen)
	if err := boolean("AUTHALLA_DEV", &c.Dev); err != nil {
		return err
	}
	if err := boolean("AUTHALLA_PATH_ISSUERS", &c.PathIssuers); err != nil {
		return err
	}
	if err := boolean("AUTHALLA_CLIENT_ID_METADATA_DOCUMENTS", &c.ClientIDMetadataDocuments); err != nil {
		return err
	}
	if err := boolean("AUTHALLA_UNTRUSTED_ERROR_INTERSTITIAL", &c.UntrustedErrorInterstitial); err != nil {
		return err
	}
	if v := getenv("AUTHALLA_SMTP_PORT"); v != "" {
		p, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("AUTHALLA_SMTP_PORT: not a number: %q", v)
		}
		c.SMTP.Port = p
	}
	if v := getenv("AUTHALLA_DB_MAX_OPEN_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("AUTHALLA_DB_MAX_OPEN_CONNS: not a number: %q", v)
		}
		c.DBMaxOpenConns = n
	}
	if v := getenv("AUTHALLA_SHUTDOWN_GRACE"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("AUTHALLA_SHUTDOWN_GRACE: %v", err)
		}
		c.ShutdownGrace = d
	}
	if v := getenv("AUTHALLA_TRUSTED_PROXIES"); v != "" {
		p, err := parsePrefixes(v)
		if err != nil {
			return fmt.Errorf("AUTHALLA_TRUSTED_PROXIES: %v", err)
		}
		c.TrustedProxies = p
	}
	return nil
}

func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if !strings.Contains(part, "/") {
			a, err := netip.ParseAddr(part)
			if err != nil {
				return nil, fmt.Errorf("trusted-proxies: %q is not an address or CIDR", part)
			}
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(part)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies: %q is not a CIDR", part)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// Finish derives defaults (base domain, database URL) and validates.
func (c *Config) Finish() error {
	c.PublicURL = strings.TrimRight(c.PublicURL, "/")
	if c.BaseDomain == "" {
		if u, err := url.Parse(c.PublicURL); err == nil {
			c.BaseDomain = u.Hostname()
		}
	}
	c.BaseDomain = strings.ToLower(strings.TrimPrefix(c.BaseDomain, "."))
	if c.DatabaseURL == "" && c.DataDir != "" {
		c.DatabaseURL = filepath.Join(c.DataDir, "authalla.db")
	}
	return c.Validate()
}

// Validate checks every setting and names the first bad one.
func (c *Config) Validate() error {
	var errs []error
	bad := func(setting, format string, a ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", setting, fmt.Sprintf(format, a...)))
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		bad("listen", "%q is not host:port", c.Listen)
	}
	u, err := url.Parse(c.PublicURL)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
		bad("public-url", "%q is not an absolute http(s) URL", c.PublicURL)
	case u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil:
		bad("public-url", "%q must be scheme://host[:port] with no path, query or credentials", c.PublicURL)
	case u.Scheme == "http" && !c.Dev && !IsLoopbackHost(u.Hostname()):
		bad("public-url", "plain http is allowed only with --dev or on a loopback host")
	}
	if c.BaseDomain == "" || strings.ContainsAny(c.BaseDomain, "/:@ ") {
		bad("base-domain", "%q is not a domain name", c.BaseDomain)
	}
	if c.DatabaseURL == "" {
		bad("database-url", "empty (set --data-dir or --database-url)")
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		bad("smtp-tls", "%q is not starttls, tls or none", c.SMTP.TLS)
	}
	if c.SMTP.Host != "" && (c.SMTP.Port <= 0 || c.SMTP.Port > 65535) {
		bad("smtp-port", "%d is not a port", c.SMTP.Port)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		bad("log-level", "%q is not debug, info, warn or error", c.LogLevel)
	}
	if c.ShutdownGrace < 0 {
		bad("shutdown-grace", "must not be negative")
	}
	if c.DBMaxOpenConns < 0 || c.DBMaxOpenConns > maxDBConns {
		bad("db-max-open-conns", "%d is not between 0 (the default) and %d", c.DBMaxOpenConns, maxDBConns)
	}
	if c.MetricsListen != "" {
		if _, port, err := net.SplitHostPort(c.MetricsListen); err != nil {
			bad("metrics-listen", "%q is not host:port", c.MetricsListen)
		} else if c.MetricsListen == c.Listen && port != "0" { // port 0: two distinct free ports
			bad("metrics-listen", "must differ from listen: metrics are not served on the public listener")
		}
	}
	return errors.Join(errs...)
}

// IsPostgres reports whether DatabaseURL names a PostgreSQL database.
func (c *Config) IsPostgres() bool {
	return strings.HasPrefix(c.DatabaseURL, "postgres://") || strings.HasPrefix(c.DatabaseURL, "postgresql://")
}

// Secure reports whether the public URL is HTTPS.
func (c *Config) Secure() bool { return strings.HasPrefix(c.PublicURL, "https://") }

// IsLoopbackHost reports whether host is localhost, a *.localhost name or a
// loopback IP literal.
func IsLoopbackHost(host string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if a, err := netip.ParseAddr(host); err == nil {
		return a.IsLoopback()
	}
	return false
}
