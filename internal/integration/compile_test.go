package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeFiles writes a result's files under dir.
func writeFiles(t *testing.T, dir string, res *Result) {
	t.Helper()
	for _, f := range res.Files {
		path := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(f.Content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// run runs a command in dir, bounded by timeout, and fails with its output.
func run(t *testing.T, dir string, timeout time.Duration, env []string, name string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 10 * time.Second // children may hold the output open
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

// TestGeneratedGoCompiles builds and vets the generated Go app in a module
// of its own, for a confidential client with an API and for a public
// client without one. It needs the go command and the module proxy (or a
// warm module cache).
func TestGeneratedGoCompiles(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a separate module: skipped with -short")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go is not on PATH")
	}
	variants := map[string]Request{
		"web with API": localRequest("go", ClientTypeWeb),
		"spa without API": func() Request {
			r := localRequest("go", ClientTypeSPA)
			r.Audience, r.Scopes = "", nil
			return r
		}(),
	}
	for name, req := range variants {
		t.Run(name, func(t *testing.T) {
			res, err := Generate(req)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFiles(t, dir, res)
			env := []string{"GOFLAGS=-mod=mod", "GOWORK=off"}
			run(t, dir, 3*time.Minute, env, "go", "build", "-o", filepath.Join(dir, "app"), ".")
			run(t, dir, 2*time.Minute, env, "go", "vet", ".")
		})
	}
}

// TestGeneratedNodeParses checks the syntax of every generated Node module
// (node --check); the end-to-end test runs them.
func TestGeneratedNodeParses(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	for _, fw := range registry {
		for _, clientType := range fw.info.ClientTypes {
			res, err := Generate(localRequest(fw.info.Name, clientType))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			writeFiles(t, dir, res)
			for _, f := range res.Files {
				if strings.HasSuffix(f.Path, ".mjs") {
					run(t, dir, 30*time.Second, nil, "node", "--check", filepath.FromSlash(f.Path))
				}
			}
		}
	}
}
