package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoginLogoutUsage: mistakes are usage errors (exit 2) before any
// network traffic; logout without a login is a no-op, and an unsafe
// credentials file is removed.
func TestLoginLogoutUsage(t *testing.T) {
	cfg := t.TempDir()
	e := &env{getenv: func(k string) string {
		if k == "XDG_CONFIG_HOME" {
			return cfg
		}
		return ""
	}, openURL: func(string) { t.Error("a browser was opened") }}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"login"}, "usage: authalla login --server URL"},
		{[]string{"login", "--server", "http://auth.example.com"}, "http is allowed only for a loopback host"},
		{[]string{"login", "--server", "auth.example.com"}, "want an absolute URL"},
		{[]string{"login", "--server", "https://a.example.com", "extra"}, "usage: authalla login"},
		{[]string{"logout", "extra"}, "usage: authalla logout"},
		{[]string{"login", "--bogus"}, "flag provided but not defined"},
	} {
		code, _, errs := cliRun(t, e, tc.args...)
		if code != 2 || !strings.Contains(errs, tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errs, tc.want)
		}
	}
	if code, out, _ := cliRun(t, e, "logout"); code != 0 || !strings.Contains(out, "Not logged in") {
		t.Fatalf("logout without login: %d %q", code, out)
	}
	path := filepath.Join(cfg, "authalla", "credentials.json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"issuer":"https://a","client_id":"c","token_endpoint":"https://a/t"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Local flags in remote mode point at --local.
	if code, _, errs := cliRun(t, e, "tenant", "list", "--data-dir", "/x"); code != 2 || !strings.Contains(errs, "add --local") {
		t.Fatalf("local flag in remote mode: %d %q", code, errs)
	}
	// Remote mode refuses the unsafe file.
	if code, _, errs := cliRun(t, e, "tenant", "list"); code != 1 || !strings.Contains(errs, "accessible to other users") {
		t.Fatalf("unsafe credentials file: %d %q", code, errs)
	}
	if code, out, _ := cliRun(t, e, "logout"); code != 0 || !strings.Contains(out, "Removed") {
		t.Fatalf("logout with an unsafe file: %d %q", code, out)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the file is still there: %v", err)
	}
}
