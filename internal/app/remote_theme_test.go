package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testRemoteTheme runs the theme commands through the API of the server
// TestRemoteCLI logged in to (e) and checks them against the same
// commands on its database (dataDir): an update made on one side is
// what the other side's get prints, byte for byte, in JSON and in human
// form; the contrast warnings go to stderr only in human mode; images
// are uploaded; flag and server-side validation fail as locally; reset
// restores the defaults.
func testRemoteTheme(t *testing.T, e *env, dataDir, tenant string) {
	remote := func(args ...string) (string, string) {
		t.Helper()
		code, out, errs := cliRun(t, e, append([]string{"theme"}, args...)...)
		if code != 0 {
			t.Fatalf("theme %v remotely: %d\n%s\n%s", args, code, out, errs)
		}
		return out, errs
	}
	local := func(args ...string) string {
		t.Helper()
		code, out, errs := cliRun(t, e, append(append([]string{"theme"}, args...), "--tenant", tenant, "--local", "--data-dir", dataDir)...)
		if code != 0 {
			t.Fatalf("theme %v locally: %d\n%s\n%s", args, code, out, errs)
		}
		return out
	}
	same := func(what, remoteOut, localOut string) {
		t.Helper()
		if remoteOut != localOut {
			t.Errorf("%s: remote and local output differ\nremote:\n%s\nlocal:\n%s", what, remoteOut, localOut)
		}
	}

	// A remote update (on the login's default tenant) is what a local get
	// shows; with --json the warnings are in the output, not on stderr.
	out, errs := remote("update", "--primary-color", "#1D4ED8", "--dark-text-color", "#222222", "--default-language", "de", "--json")
	if v := decodeTheme(t, out); v.Light.PrimaryColor != "#1d4ed8" || v.DefaultLanguage != "de" || len(v.Warnings) != 2 || v.UpdatedAt == nil || errs != "" {
		t.Fatalf("remote update: %+v\nstderr: %s", v, errs)
	}
	same("remote update --json / local get --json", out, local("get", "--json"))
	out, errs = remote("update", "--secondary-color", "#CBD5E1", "--tenant", tenant)
	if !strings.Contains(out, "#cbd5e1") || strings.Contains(out, "warning") || strings.Count(errs, "authalla: warning: dark mode: text") != 2 {
		t.Fatalf("remote update (human):\n%s\nstderr:\n%s", out, errs)
	}
	same("remote update / local get", out, local("get"))

	// A local update is what a remote get shows.
	out = local("update", "--dark-text-color", "#e5e7eb", "--background-color", "#fafafa", "--json")
	got, _ := remote("get", "--json")
	same("local update --json / remote get --json", got, out)
	got, errs = remote("get", "--tenant", tenant)
	if errs != "" {
		t.Fatalf("remote get printed warnings for a theme without any:\n%s", errs)
	}
	same("remote get / local get", got, local("get"))

	// Images go up as raw bytes with their sniffed type.
	dir := t.TempDir()
	pngPath, _ := writePNG(t, dir)
	out, _ = remote("set-logo", "--file", pngPath, "--json")
	if v := decodeTheme(t, out); v.LogoURL == "" || v.IconURL != "" {
		t.Fatalf("remote set-logo: %s", out)
	}
	same("remote set-logo --json / local get --json", out, local("get", "--json"))
	out, _ = remote("set-icon", "--file", pngPath, "--json")
	if v := decodeTheme(t, out); v.LogoURL == "" || v.IconURL == "" {
		t.Fatalf("remote set-icon: %s", out)
	}

	// Refusals: the flag check runs before any call; the server's own
	// checks come back as its error description.
	svg := filepath.Join(dir, "logo.svg")
	if err := os.WriteFile(svg, []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"update", "--dark-primary-color", "blue"}, 2, `--dark-primary-color: "blue" is not a colour`},
		{[]string{"update"}, 2, "nothing to change"},
		{[]string{"update", "--default-language", "not a tag"}, 1, "default_language"},
		{[]string{"set-logo", "--file", svg}, 1, "PNG, JPEG or WebP"},
		{[]string{"set-icon"}, 2, "--file is required"},
		{[]string{"get", "--data-dir", dir}, 2, "add --local"},
	} {
		code, out, errs := cliRun(t, e, append([]string{"theme"}, tc.args...)...)
		if code != tc.code || !strings.Contains(errs, tc.want) || out != "" {
			t.Errorf("theme %v remotely: %d %q, want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}

	// Reset restores the defaults (the language stays), the same on both
	// sides.
	out, _ = remote("reset", "--json")
	if v := decodeTheme(t, out); v.UpdatedAt != nil || v.LogoURL != "" || v.DefaultLanguage != "de" {
		t.Fatalf("remote reset: %s", out)
	}
	same("remote reset --json / local reset --json", out, local("reset", "--json"))
	got, _ = remote("get", "--json")
	same("remote get --json / local reset --json after reset", got, out)
}
