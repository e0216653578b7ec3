package cliauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// ErrNotLoggedIn means there is no credentials file.
var ErrNotLoggedIn = errors.New("not logged in (run \"authalla login --server URL\")")

// Credentials are what "authalla login" keeps between runs. The tokens
// are secrets: the file is readable by its owner only.
type Credentials struct {
	// Server is the URL given to "authalla login --server".
	Server string `json:"server"`
	// Issuer is the admin tenant's issuer from discovery; the API is
	// called there (the API accepts only tokens whose iss is the issuer
	// of the host they are presented on).
	Issuer string `json:"issuer"`
	// ClientID is the CLI's client at the server.
	ClientID string `json:"client_id"`
	// TokenEndpoint and RevocationEndpoint come from discovery, kept so
	// that a refresh or a logout needs no second discovery.
	TokenEndpoint      string `json:"token_endpoint"`
	RevocationEndpoint string `json:"revocation_endpoint,omitempty"`
	AccessToken        string `json:"access_token"`
	RefreshToken       string `json:"refresh_token,omitempty"`
	// Expiry is when the access token expires (zero: unknown).
	Expiry time.Time `json:"expiry"`
	// DefaultTenant is the tenant commands work on without --tenant.
	DefaultTenant string `json:"default_tenant,omitempty"`
}

// Path returns the credentials file: $XDG_CONFIG_HOME/authalla/credentials.json,
// or ~/.config/authalla/credentials.json when XDG_CONFIG_HOME is unset or
// relative (the XDG Base Directory specification ignores relative paths).
// getenv reads the environment (os.Getenv outside tests).
func Path(getenv func(string) string) (string, error) {
	if d := getenv("XDG_CONFIG_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "authalla", "credentials.json"), nil
	}
	if h := getenv("HOME"); h != "" && filepath.IsAbs(h) {
		return filepath.Join(h, ".config", "authalla", "credentials.json"), nil
	}
	return "", errors.New("cliauth: neither XDG_CONFIG_HOME nor HOME is set to an absolute path")
}

// Load reads the credentials at path: ErrNotLoggedIn when the file does
// not exist, an error when others can read or write it (as ssh does for
// private keys: a token that leaked is to be replaced, not used).
func Load(path string) (*Credentials, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotLoggedIn
	}
	if err != nil {
		return nil, fmt.Errorf("cliauth: credentials: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("cliauth: credentials: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("cliauth: credentials file %s is accessible to other users (mode %04o); remove it and log in again", path, st.Mode().Perm())
	}
	var c Credentials
	if err := json.NewDecoder(f).Decode(&c); err != nil {
		return nil, fmt.Errorf("cliauth: credentials file %s is not valid JSON", path)
	}
	if c.Issuer == "" || c.ClientID == "" || c.TokenEndpoint == "" {
		return nil, fmt.Errorf("cliauth: credentials file %s is incomplete; log in again", path)
	}
	return &c, nil
}

// Save writes c to path atomically: a temporary file in the same
// directory (created with mode 0600) is written, synced and renamed over
// the old file, so a crash leaves either the old or the new credentials,
// never a torn file. The directory is created with mode 0700 (and an
// existing one narrowed to it).
func Save(path string, c *Credentials) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cliauth: credentials directory: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("cliauth: credentials directory: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("cliauth: encode credentials: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".credentials-*.tmp")
	if err != nil {
		return fmt.Errorf("cliauth: write credentials: %w", err)
	}
	name := tmp.Name()
	fail := func(err error) error {
		tmp.Close()
		os.Remove(name)
		return fmt.Errorf("cliauth: write credentials: %w", err)
	}
	// CreateTemp uses 0600 already; Chmod makes it independent of that.
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return fmt.Errorf("cliauth: write credentials: %w", err)
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return fmt.Errorf("cliauth: write credentials: %w", err)
	}
	return nil
}

// Remove deletes the credentials file; a missing file is not an error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cliauth: remove credentials: %w", err)
	}
	return nil
}
