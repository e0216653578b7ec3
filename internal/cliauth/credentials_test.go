package cliauth

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPath(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		want      string
		wantError bool
	}{
		{"xdg", map[string]string{"XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"}, "/x/cfg/authalla/credentials.json", false},
		{"home", map[string]string{"HOME": "/home/a"}, "/home/a/.config/authalla/credentials.json", false},
		{"relative xdg is ignored", map[string]string{"XDG_CONFIG_HOME": "cfg", "HOME": "/home/a"}, "/home/a/.config/authalla/credentials.json", false},
		{"nothing", map[string]string{}, "", true},
		{"relative home", map[string]string{"HOME": "home"}, "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Path(func(k string) string { return tc.env[k] })
			if (err != nil) != tc.wantError || got != tc.want {
				t.Fatalf("Path = %q, %v; want %q (error %v)", got, err, tc.want, tc.wantError)
			}
		})
	}
}

func sampleCreds() *Credentials {
	return &Credentials{Server: "https://auth.example.com", Issuer: "https://auth.example.com", ClientID: "authalla-cli",
		TokenEndpoint: "https://auth.example.com/oauth2/token", AccessToken: "at-1", RefreshToken: "rt-1",
		Expiry: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), DefaultTenant: "acme"}
}

// TestSaveModes: a new directory is 0700, the file 0600, and an existing
// directory open to others is narrowed.
func TestSaveModes(t *testing.T) {
	for _, existing := range []bool{false, true} {
		root := t.TempDir()
		dir := filepath.Join(root, "authalla")
		if existing {
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		path := filepath.Join(dir, "credentials.json")
		if err := Save(path, sampleCreds()); err != nil {
			t.Fatal(err)
		}
		if st, err := os.Stat(dir); err != nil || st.Mode().Perm() != 0o700 {
			t.Fatalf("existing=%v: directory mode %v %v", existing, st.Mode().Perm(), err)
		}
		if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("existing=%v: file mode %v %v", existing, st.Mode().Perm(), err)
		}
		got, err := Load(path)
		if err != nil || *got != *sampleCreds() {
			t.Fatalf("round trip: %+v %v", got, err)
		}
	}
}

// TestSaveAtomic: a save replaces the file whole and leaves no temporary
// file; a save that cannot complete leaves the old file as it was and no
// temporary file either.
func TestSaveAtomic(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "authalla")
	path := filepath.Join(dir, "credentials.json")
	if err := Save(path, sampleCreds()); err != nil {
		t.Fatal(err)
	}
	next := sampleCreds()
	next.AccessToken, next.RefreshToken = "at-2", "rt-2"
	if err := Save(path, next); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(path); err != nil || got.RefreshToken != "rt-2" {
		t.Fatalf("after the second save: %+v %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("directory holds %d entries, want only the credentials file", len(entries))
	}

	// The rename target is a non-empty directory: the rename fails.
	blocked := filepath.Join(dir, "blocked")
	if err := os.MkdirAll(filepath.Join(blocked, "x"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Save(blocked, next); err == nil {
		t.Fatal("save over a directory succeeded")
	}
	entries, _ = os.ReadDir(dir)
	if len(entries) != 2 { // credentials.json and blocked
		t.Fatalf("a failed save left %d entries", len(entries))
	}
	if got, err := Load(path); err != nil || got.RefreshToken != "rt-2" {
		t.Fatalf("the old file changed: %+v %v", got, err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(filepath.Join(dir, "missing.json")); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("missing file: %v", err)
	}
	for _, tc := range []struct {
		name    string
		mode    os.FileMode
		content string
	}{
		{"readable by others", 0o644, `{"issuer":"https://a","client_id":"c","token_endpoint":"https://a/t"}`},
		{"writable by group", 0o620, `{"issuer":"https://a","client_id":"c","token_endpoint":"https://a/t"}`},
		{"not JSON", 0o600, `not json`},
		{"incomplete", 0o600, `{"access_token":"x"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name+".json")
			if err := os.WriteFile(p, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(p, tc.mode); err != nil {
				t.Fatal(err)
			}
			if c, err := Load(p); err == nil || errors.Is(err, ErrNotLoggedIn) {
				t.Fatalf("Load = %+v, %v; want a refusal", c, err)
			}
		})
	}
}

func TestRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a", "credentials.json")
	if err := Remove(path); err != nil {
		t.Fatalf("removing a missing file: %v", err)
	}
	if err := Save(path, sampleCreds()); err != nil {
		t.Fatal(err)
	}
	if err := Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); !errors.Is(err, ErrNotLoggedIn) {
		t.Fatalf("after Remove: %v", err)
	}
}
